import type { InboundDeps } from './inbound-deps.ts';

/** The lease of `InboundPolicy.leaseSeconds` when it is not given: PARLEY_LEASE_SECONDS' default. */
const DEFAULT_INBOUND_LEASE_SECONDS = 10;

/** How long a lease on an inbound mail holds, in ms. */
export function inboundLeaseMs(policy: Pick<InboundDeps['policy'], 'leaseSeconds'>): number {
  return (policy.leaseSeconds ?? DEFAULT_INBOUND_LEASE_SECONDS) * 1000;
}

/** Until when a lease on an inbound mail taken now holds (the process's clock, as the outbox's claims). */
export function inboundLeaseUntil(deps: Pick<InboundDeps, 'clock' | 'policy'>): string {
  return new Date(deps.clock.now().getTime() + inboundLeaseMs(deps.policy)).toISOString();
}
