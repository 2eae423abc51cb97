import type { SignInFailure, Storage } from '../../../ports/storage.ts';

/**
 * Slows down password guessing with delays that double at each failure, never with a fixed lock-out, counted in the
 * database (so every `parley serve` on one database counts together) under three keys: the account from one address,
 * the account from any address, and the address over all accounts. After `perAccount` failures of an account from
 * one address, that address waits `baseDelayMs`, then twice as long at each further failure, up to `maxDelayMs` (the
 * same for an address failing across many accounts). The account as a whole (failures from every address together)
 * is slowed too, but only up to `maxAccountDelayMs`: a few seconds, so that nobody elsewhere can keep its owner out —
 * the owner, from their own address, waits at most that.
 *
 * An attempt is counted *before* the password is checked, in the same transaction as the check of its delays, its
 * keys held meanwhile (so parallel guesses, on any instance, cannot all pass the check), and taken back when it
 * succeeds. Failures are forgotten `forgetMs` after the last one; forgotten keys are removed, and the oldest beyond
 * `maxKeys`, every `maxKeys / 1000` attempts a process counts (at every attempt below 2,000 keys).
 */
export interface LoginLimits {
  /** Failures of one account from one address before the first delay. */
  perAccount: number;
  /** Failures of one account from all addresses together before that account is slowed (up to `maxAccountDelayMs`). */
  perAccountAnyAddress: number;
  /** Failures from one address, over all accounts, before the address is slowed. */
  perAddress: number;
  /** The first delay; each further failure doubles it. */
  baseDelayMs: number;
  /** The longest delay of one address (for one account or all). */
  maxDelayMs: number;
  /** The longest delay failures from other addresses can impose on an account. */
  maxAccountDelayMs: number;
  /** How long after its last failure a key is forgotten. */
  forgetMs: number;
  maxKeys: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccount: 5,
  perAccountAnyAddress: 20,
  perAddress: 50,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  maxAccountDelayMs: 30_000,
  forgetMs: 60 * 60_000,
  maxKeys: 50_000,
};

/** What the limiter keeps its counts in. */
export type SignInStore = Pick<Storage, 'signInFailures' | 'transaction'>;

/** A key, the failures it allows before slowing down, and its longest delay. */
type Key = [name: string, free: number, max: number];

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The address a client is counted under: an IPv4 address as it is (also when written IPv4-mapped), an IPv6 address by
 * its /64 — one subscriber's network, from which any of 2^64 addresses can be chosen.
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class LoginLimiter {
  private readonly limits: LoginLimits;
  private readonly pruneEvery: number;
  private sincePrune = 0;

  /** `now`: the time source (tests move it by hand). */
  constructor(
    private readonly store: SignInStore,
    limits: Partial<LoginLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    this.pruneEvery = Math.max(1, Math.floor(this.limits.maxKeys / 1000));
  }

  private keys(address: string, email: string): Key[] {
    const l = this.limits;
    const ip = clientKey(address);
    return [
      [`a:${ip}:${email}`, l.perAccount, l.maxDelayMs],
      [`e:${email}`, l.perAccountAnyAddress, l.maxAccountDelayMs],
      [`i:${ip}`, l.perAddress, l.maxDelayMs],
    ];
  }

  /** Failures last counted after this are current. */
  private since(now: number): string {
    return iso(now - this.limits.forgetMs);
  }

  /** The delay after `count` failures when `free` are allowed: 0, then base, 2×base, 4×base… up to `max`. */
  delayAfter(count: number, free: number, max: number): number {
    if (count < free) return 0;
    return Math.min(max, this.limits.baseDelayMs * 2 ** Math.min(count - free, 40));
  }

  /** Seconds to wait, given the current failures of the keys. */
  private wait(keys: readonly Key[], failures: readonly SignInFailure[], now: number): number {
    let until = 0;
    for (const [key, free, max] of keys) {
      const entry = failures.find((f) => f.key === key);
      if (entry) until = Math.max(until, Date.parse(entry.lastAt) + this.delayAfter(entry.failures, free, max));
    }
    return until <= now ? 0 : Math.ceil((until - now) / 1000);
  }

  /** Seconds to wait before trying again, or 0 when a try is allowed (counts nothing). */
  async retryAfter(ip: string, email: string, now = this.now()): Promise<number> {
    const keys = this.keys(ip, email);
    const failures = await this.store.signInFailures.readSignInFailures(
      keys.map(([key]) => key),
      this.since(now),
    );
    return this.wait(keys, failures, now);
  }

  /**
   * An attempt now: the seconds to wait (nothing counted), or 0 when it may go on, counted as a failure until
   * `succeed` takes it back. The check and the count are one transaction holding the keys.
   */
  async attempt(ip: string, email: string, now = this.now()): Promise<number> {
    const keys = this.keys(ip, email);
    const names = keys.map(([key]) => key);
    const since = this.since(now);
    const wait = await this.store.transaction(async (tx) => {
      const held = await tx.signInFailures.holdSignInFailures(names, iso(now), since);
      const wait = this.wait(keys, held, now);
      if (wait === 0) await tx.signInFailures.addSignInFailure(names, iso(now), since);
      // Refused: the keys made only to be held go again, so refused attempts never fill the table.
      else await tx.signInFailures.dropEmptySignInKeys(names);
      return wait;
    });
    if (wait === 0) await this.counted(now);
    return wait;
  }

  /** The attempt was right: it no longer counts, and the account's failures from this address are forgotten. */
  async succeed(ip: string, email: string): Promise<void> {
    const [account, ...others] = this.keys(ip, email).map(([key]) => key);
    await this.store.signInFailures.takeBackSignInFailure([account!], others);
  }

  /** Records a failure after the fact, whatever the delays (tests, and callers that check nothing first). */
  async fail(ip: string, email: string, now = this.now()): Promise<void> {
    const names = this.keys(ip, email).map(([key]) => key);
    await this.store.signInFailures.addSignInFailure(names, iso(now), this.since(now));
    await this.counted(now);
  }

  /** Removes forgotten keys and the oldest beyond `maxKeys`, every `pruneEvery` counted attempts. */
  private async counted(now: number): Promise<void> {
    this.sincePrune += 1;
    if (this.sincePrune < this.pruneEvery) return;
    this.sincePrune = 0;
    await this.store.signInFailures.pruneSignInFailures(this.since(now), this.limits.maxKeys);
  }

  /** How many keys are held (for the bound's test). */
  size(): Promise<number> {
    return this.store.signInFailures.countSignInFailureKeys();
  }
}
