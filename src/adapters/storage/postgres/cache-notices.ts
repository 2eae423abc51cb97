import type { CacheVersion } from '../sql/read-cache.ts';
import type { Listen } from './notify-signals.ts';

/** The tables whose changes migrations 029 and 030 announce (their triggers name the same). */
export const WATCHED_TABLES = [
  'app_user',
  'support_group',
  'group_member',
  'user_session',
  'api_token',
  'system_parameter',
  'email_template',
  'template_variant',
  'webhook_endpoint',
] as const;
/** A statement of this process writing one of them: seen at once, before its notice comes back. */
const WATCHED = new RegExp(
  `\\b(?:insert\\s+into|update|delete\\s+from|truncate(?:\\s+table)?)\\s+"?(?:${WATCHED_TABLES.join('|')})"?[\\s(]`,
  'i',
);
/** Recording a token's last use, which migration 029 leaves out, as SQLite's counter does. */
const TOKEN_TOUCH = /^update "api_token" set "last_used_at" = \$1 where/;

/** How long after a failed LISTEN the next read may try again (nothing is kept meanwhile). */
const RETRY_MS = 5000;
/**
 * The longest anything is kept, notice or not: a listening connection that stalls without an error (a network
 * partition) cannot keep a revoked token or a deactivated user valid longer than this.
 */
export const CACHE_MAX_AGE_MS = 5000;

/**
 * The read cache's version on PostgreSQL: a count of `NOTIFY parley_cache` heard (migrations 029 and 030: any
 * process's change to the tables behind the cached reads), moved at once by this process's own writes to those tables
 * (the statement, then its commit) so a request right after a change never waits for the notice. While the listening
 * connection is not up, nothing is kept: a change announced then would be missed. Another process's change is seen
 * once its notice arrives (a few milliseconds after its commit), and at the latest after `maxAgeMs`.
 */
export class CacheNotices implements CacheVersion {
  private generation = 0;
  private listening = false;
  private starting: Promise<void> | undefined;
  private stopListening: (() => Promise<void>) | undefined;
  private retryAfter = 0;
  private closed = false;
  private since = Date.now();

  constructor(
    private readonly listen: Listen,
    private readonly maxAgeMs = CACHE_MAX_AGE_MS,
  ) {}

  current(): number {
    const now = Date.now();
    if (!this.starting && !this.closed && now >= this.retryAfter) this.start();
    if (now - this.since >= this.maxAgeMs) this.changed();
    return this.listening ? this.generation : Number.NaN;
  }

  holds(version: number): boolean {
    return this.listening && version === this.generation;
  }

  /** A statement this process sent: a write to a watched table moves the version (again when it is committed). */
  wrote(text: string): boolean {
    return WATCHED.test(text) && !TOKEN_TOUCH.test(text);
  }

  changed(): void {
    this.generation++;
    this.since = Date.now();
  }

  private start() {
    this.starting = this.listen(
      'parley_cache',
      () => {
        // A notice, or '' once (re)connected: what changed while nobody listened is unknown.
        this.changed();
        this.listening = true;
      },
      () => {
        this.listening = false;
        this.changed();
      },
    ).then(
      (stop) => {
        this.stopListening = stop;
      },
      () => {
        this.starting = undefined;
        this.retryAfter = Date.now() + RETRY_MS;
      },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    await this.starting;
    await this.stopListening?.();
  }
}
