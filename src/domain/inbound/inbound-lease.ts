import type { InboundDeps } from './inbound-deps.ts';

/** The lease of `InboundPolicy.leaseSeconds` when it is not given: PARLEY_LEASE_SECONDS' default. */
export const DEFAULT_INBOUND_LEASE_SECONDS = 10;

/** Until when a lease on an inbound mail taken now holds (the process's clock, as the outbox's claims). */
export function inboundLeaseUntil(deps: Pick<InboundDeps, 'clock' | 'policy'>): string {
  const seconds = deps.policy.leaseSeconds ?? DEFAULT_INBOUND_LEASE_SECONDS;
  return new Date(deps.clock.now().getTime() + seconds * 1000).toISOString();
}
