/**
 * Counts failed sign-ins in memory, per address+email and per address, over a sliding window.
 * Bounded: the oldest keys are dropped beyond `maxKeys`.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits = { perAccount: 5, perAddress: 50, windowMs: 15 * 60_000, maxKeys: 50_000 },
  ) {}

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.limits.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Seconds to wait before trying again, or 0 when a try is allowed. */
  retryAfter(ip: string, email: string, now = Date.now()): number {
    const account = this.recent(`a:${ip}:${email}`, now);
    const address = this.recent(`i:${ip}`, now);
    const blocked = [
      // The try is allowed again once enough failures have left the window: count from the limit-th newest one.
      account.length >= this.limits.perAccount ? account[account.length - this.limits.perAccount]! : undefined,
      address.length >= this.limits.perAddress ? address[address.length - this.limits.perAddress]! : undefined,
    ].filter((t): t is number => t !== undefined);
    if (blocked.length === 0) return 0;
    return Math.ceil((Math.max(...blocked) + this.limits.windowMs - now) / 1000);
  }

  fail(ip: string, email: string, now = Date.now()): void {
    for (const key of [`a:${ip}:${email}`, `i:${ip}`]) {
      const list = this.recent(key, now);
      list.push(now);
      this.failures.delete(key);
      this.failures.set(key, list);
    }
    while (this.failures.size > this.limits.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  succeed(ip: string, email: string): void {
    this.failures.delete(`a:${ip}:${email}`);
  }
}
