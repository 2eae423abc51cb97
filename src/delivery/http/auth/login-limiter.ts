/**
 * Counts sign-in attempts in memory over a sliding window, per address+account, per account from any address, and
 * per address. An attempt is counted *before* the password is checked (so parallel guesses cannot all pass the
 * check) and taken back when it succeeds. Bounded: the oldest keys are dropped beyond `maxKeys`.
 */
export interface LoginLimits {
  perAccount: number;
  perAccountAnyAddress: number;
  perAddress: number;
  windowMs: number;
  maxKeys: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perAccountAnyAddress: 20, perAddress: 50, windowMs: 15 * 60_000, maxKeys: 50_000 };

export class LoginLimiter {
  private readonly attempts = new Map<string, number[]>();
  private readonly limits: LoginLimits;

  constructor(limits: Partial<LoginLimits> = {}) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  private keys(ip: string, email: string): [string, number][] {
    return [
      [`a:${ip}:${email}`, this.limits.perAccount],
      [`e:${email}`, this.limits.perAccountAnyAddress],
      [`i:${ip}`, this.limits.perAddress],
    ];
  }

  private recent(key: string, now: number): number[] {
    const list = (this.attempts.get(key) ?? []).filter((t) => now - t < this.limits.windowMs);
    if (list.length === 0) this.attempts.delete(key);
    else this.attempts.set(key, list);
    return list;
  }

  /** Seconds to wait before trying again, or 0 when a try is allowed. */
  retryAfter(ip: string, email: string, now = Date.now()): number {
    let until = 0;
    for (const [key, limit] of this.keys(ip, email)) {
      const list = this.recent(key, now);
      // A try is allowed again once enough attempts have left the window: count from the limit-th newest one.
      if (list.length >= limit) until = Math.max(until, list[list.length - limit]! + this.limits.windowMs);
    }
    return until === 0 ? 0 : Math.ceil((until - now) / 1000);
  }

  /** Counts an attempt now; returns its mark for `succeed`. */
  begin(ip: string, email: string, now = Date.now()): number {
    for (const [key] of this.keys(ip, email)) {
      const list = this.recent(key, now);
      list.push(now);
      this.attempts.delete(key);
      this.attempts.set(key, list);
    }
    while (this.attempts.size > this.limits.maxKeys) this.attempts.delete(this.attempts.keys().next().value!);
    return now;
  }

  /** The attempt was right: it no longer counts, and the account's failures from this address are forgotten. */
  succeed(ip: string, email: string, mark?: number): void {
    for (const [key] of this.keys(ip, email)) {
      if (key.startsWith('a:')) {
        this.attempts.delete(key);
        continue;
      }
      const list = this.attempts.get(key);
      const i = mark === undefined ? -1 : (list?.lastIndexOf(mark) ?? -1);
      if (list && i >= 0) list.splice(i, 1);
    }
  }

  /** Compatibility for callers that record a failure after the fact. */
  fail(ip: string, email: string, now = Date.now()): void {
    this.begin(ip, email, now);
  }
}
