/**
 * What the server is told on each of Parley's connections, so that a client that vanishes (a power cut, a partition,
 * a frozen virtual machine) does not keep what it holds (the outbox's lead lock, the row locks of an open transaction)
 * for the two hours of Linux's default keepalive:
 * - TCP keepalives: after 4 s of silence the server probes every 2 s, 3 times, then ends the session (about 10 s);
 * - `tcp_user_timeout` (PostgreSQL 12 or later): data the server sent and the client never acknowledged ends it after
 *   10 s as well (a probe is not sent while such data waits).
 * Behind PgBouncer or another TCP proxy these apply to the proxy's side only: its own client keepalives decide.
 */
const KEEPALIVE: readonly (readonly [string, number])[] = [
  ['tcp_keepalives_idle', 4],
  ['tcp_keepalives_interval', 2],
  ['tcp_keepalives_count', 3],
  ['tcp_user_timeout', 10_000],
];

/**
 * One statement (one round trip) that sets each value for the session, leaving out those the server does not know
 * (an older version), where a `set` would fail and undo the others.
 */
export function settingsStatement(settings: readonly (readonly [string, number])[]): string {
  const values = settings.map(([name, value]) => `('${name}', '${Math.round(value)}')`).join(', ');
  return `select set_config(v.name, v.value, false) from (values ${values}) as v(name, value) where v.name in (select name from pg_settings)`;
}

/** The keepalives alone: the dispatchers' lead connection and the LISTEN connection (which hold no transaction). */
export const SERVER_KEEPALIVE = settingsStatement(KEEPALIVE);

/** How long a transaction may wait for its client's next statement before the server ends it (default). */
export const IDLE_IN_TRANSACTION_MS = 60_000;

/**
 * The pool's connections: the keepalives, and a transaction left waiting for its client longer than
 * `idleInTransactionMs` (its client gone, behind a proxy that did not notice) is ended by the server, its locks freed
 * and its writes undone. Parley's transactions run their statements back to back: none waits for anything but the
 * database.
 */
export function poolSessionSettings(idleInTransactionMs = IDLE_IN_TRANSACTION_MS, readOnly = false): string {
  return settingsStatement([
    ...KEEPALIVE,
    ['idle_in_transaction_session_timeout', Math.max(1, idleInTransactionMs)],
    // `parley doctor`: every transaction of the pool read-only, so the server refuses any write it might attempt.
    ...(readOnly ? [['default_transaction_read_only', 1] as const] : []),
  ]);
}
