/**
 * Slows down password guessing with delays that double at each failure, never with a fixed lock-out, kept in
 * memory under three keys: the account from one address, the account from any address, and the address over all
 * accounts. After `perAccount` failures of an account from one address, that address waits `baseDelayMs`, then twice
 * as long at each further failure, up to `maxDelayMs` (the same for an address failing across many accounts). The
 * account as a whole (failures from every address together) is slowed too, but only up to `maxAccountDelayMs`: a few
 * seconds, so that nobody elsewhere can keep its owner out — the owner, from their own address, waits at most that.
 *
 * An attempt is counted *before* the password is checked (so parallel guesses cannot all pass the check) and taken
 * back when it succeeds. Failures are forgotten `forgetMs` after the last one. Bounded: the oldest keys are dropped
 * beyond `maxKeys`.
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

interface Failures {
  count: number;
  last: number;
}

export class LoginLimiter {
  private readonly failures = new Map<string, Failures>();
  private readonly limits: LoginLimits;

  /** `now`: the time source (tests move it by hand). */
  constructor(
    limits: Partial<LoginLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  /** Each key with the failures it allows before slowing down and its longest delay. */
  private keys(ip: string, email: string): [string, number, number][] {
    const l = this.limits;
    return [
      [`a:${ip}:${email}`, l.perAccount, l.maxDelayMs],
      [`e:${email}`, l.perAccountAnyAddress, l.maxAccountDelayMs],
      [`i:${ip}`, l.perAddress, l.maxDelayMs],
    ];
  }

  private current(key: string, now: number): Failures | undefined {
    const entry = this.failures.get(key);
    if (entry && now - entry.last >= this.limits.forgetMs) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The delay after `count` failures when `free` are allowed: 0, then base, 2×base, 4×base… up to `max`. */
  delayAfter(count: number, free: number, max: number): number {
    if (count < free) return 0;
    return Math.min(max, this.limits.baseDelayMs * 2 ** Math.min(count - free, 40));
  }

  /** Seconds to wait before trying again, or 0 when a try is allowed. */
  retryAfter(ip: string, email: string, now = this.now()): number {
    let until = 0;
    for (const [key, free, max] of this.keys(ip, email)) {
      const entry = this.current(key, now);
      if (entry) until = Math.max(until, entry.last + this.delayAfter(entry.count, free, max));
    }
    return until <= now ? 0 : Math.ceil((until - now) / 1000);
  }

  /** Counts an attempt now (as a failure until `succeed` takes it back); returns its mark for `succeed`. */
  begin(ip: string, email: string, now = this.now()): number {
    for (const [key] of this.keys(ip, email)) {
      const entry = this.current(key, now) ?? { count: 0, last: now };
      this.failures.delete(key);
      this.failures.set(key, { count: entry.count + 1, last: now });
    }
    while (this.failures.size > this.limits.maxKeys) this.failures.delete(this.failures.keys().next().value!);
    return now;
  }

  /** The attempt was right: it no longer counts, and the account's failures from this address are forgotten. */
  succeed(ip: string, email: string, _mark?: number): void {
    for (const [key] of this.keys(ip, email)) {
      if (key.startsWith('a:')) {
        this.failures.delete(key);
        continue;
      }
      const entry = this.failures.get(key);
      if (entry && entry.count > 1) entry.count -= 1;
      else if (entry) this.failures.delete(key);
    }
  }

  /** Compatibility for callers that record a failure after the fact. */
  fail(ip: string, email: string, now = this.now()): void {
    this.begin(ip, email, now);
  }

  /** How many keys are held (for the bound's test). */
  get size(): number {
    return this.failures.size;
  }
}
