import SMTPConnection, { type SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import XOAuth2 from 'nodemailer/lib/xoauth2';
import { MailWithdrawn } from '../../ports/mail-transport.ts';

/**
 * A pool of Nodemailer SMTP connections (`nodemailer/lib/smtp-connection`, Nodemailer's documented SMTP client)
 * that sends wire-ready messages: up to `maxConnections` sessions, each sending one message after another
 * (MAIL/RCPT/DATA pipelined when the server offers PIPELINING), closed with QUIT after `idleMs` without work.
 *
 * Nodemailer's own pool takes messages through `sendMail`; this one takes the Buffer `mime-message.ts` built, which
 * is what makes the dispatcher cheaper than a plain Nodemailer sender (see BENCHMARKS.md).
 *
 * Every `send` settles exactly once: with the server's reply to the message, or with the error Nodemailer reported
 * (`code`, `responseCode`, `response`, `command`), which `classifySendError` turns into a delivery outcome.
 */

export interface PoolOptions {
  connection: SMTPConnectionOptions;
  /** A password, or (XOAUTH2) an access token. */
  auth?:
    | { user: string; pass: string }
    | { user: string; accessToken: string; renew?: ((stale: string) => Promise<string>) | undefined }
    | undefined;
  maxConnections: number;
  /**
   * A session without work for this long is closed with QUIT; never longer than half the socket timeout, which
   * counts idle time too: a session is never handed a message just as its socket times out.
   */
  idleMs: number;
}

/** What the server said to DATA, and the recipients it refused at RCPT TO while taking others. */
export interface PoolReply {
  response: string;
  refused: { recipient: string; response: string; code: number | null }[];
}

interface Job {
  envelope: { from: string; to: string[] };
  message: Buffer;
  /** Asked when a session takes the job: false leaves it unsent (rejected with `MailWithdrawn`). */
  stillWanted?: () => boolean;
  resolve(reply: PoolReply): void;
  reject(error: Error): void;
}

interface Session {
  connection: SMTPConnection;
  sent: number;
  idleTimer: NodeJS.Timeout | undefined;
  dead: boolean;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** Opens a session: connect (TLS as configured), then sign in when the server offers AUTH. Settles once. */
export function openSession(options: SMTPConnectionOptions, auth: PoolOptions['auth']): Promise<SMTPConnection> {
  return new Promise((resolve, reject) => {
    const connection = new SMTPConnection(options);
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      connection.close();
      reject(asError(error));
    };
    connection.on('error', fail);
    connection.once('end', () =>
      fail(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' })),
    );
    connection.connect((error) => {
      if (error) return fail(error);
      if (settled) return;
      const done = (loginError?: unknown) => {
        if (loginError) return fail(loginError);
        if (settled) return;
        settled = true; // `fail` stays as the error listener: a late error (after QUIT, say) is never unhandled
        resolve(connection);
      };
      if (auth && 'accessToken' in auth && connection.allowsAuth) {
        // A token the server refuses is renewed once: Nodemailer asks again with `again` after a 334 challenge; a
        // server that answers 535 at once fails this session, and the renewed token signs in the next one. The
        // pool's later sessions sign in with the renewed token.
        const used = auth.accessToken;
        const renew = auth.renew;
        let renewing: Promise<string> | undefined;
        const renewOnce = () =>
          (renewing ??= renew!(used).then((token) => {
            auth.accessToken = token;
            return token;
          }));
        const provisionCallback = renew
          ? (_user: string, again: boolean, callback: (error: Error | null, token?: string) => void) => {
              if (!again) return callback(null, used);
              renewOnce().then(
                (token) => callback(null, token),
                (error: unknown) => callback(asError(error)),
              );
            }
          : undefined;
        const oauth2 = new XOAuth2({
          user: auth.user,
          accessToken: used,
          ...(provisionCallback ? { provisionCallback } : {}),
        });
        connection.login({ type: 'oauth2', user: auth.user, oauth2 }, (e) => {
          // Refused with no challenge: renewed for the next session, which finds out (and reports) whether it works.
          // This session's refusal is reported below; a failed renewal is recorded on the grant by `renew` itself.
          if (e && renew && !renewing && (e as { code?: string }).code === 'EAUTH') void renewOnce().catch(() => {});
          done(e ?? undefined);
        });
      } else if (auth && 'pass' in auth && connection.allowsAuth)
        connection.login({ credentials: { user: auth.user, pass: auth.pass } }, (e) => done(e ?? undefined));
      else done();
    });
  });
}

export class SmtpPool {
  private readonly queue: Job[] = [];
  private readonly idle: Session[] = [];
  private readonly sessions = new Set<Session>();
  /** Sessions being opened. */
  private opening = 0;
  /** Lowered to the sessions that work when the server refuses one more (a per-client limit); reset once all end. */
  private limit: number;
  private closed = false;

  private readonly idleMs: number;

  constructor(private readonly options: PoolOptions) {
    this.limit = options.maxConnections;
    this.idleMs = Math.min(options.idleMs, (options.connection.socketTimeout ?? 600_000) / 2);
  }

  send(envelope: Job['envelope'], message: Buffer, stillWanted?: () => boolean): Promise<PoolReply> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(Object.assign(new Error('The SMTP pool is closed.'), { code: 'ECONNECTION' }));
      this.queue.push({ envelope, message, resolve, reject, ...(stillWanted ? { stillWanted } : {}) });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const session = this.idle.pop();
      if (session) {
        this.run(session, this.queue.shift()!);
        continue;
      }
      // One session per waiting message, up to the limit (sessions being opened count).
      if (this.sessions.size + this.opening < this.limit && this.opening < this.queue.length) {
        this.open();
        continue;
      }
      return;
    }
  }

  private open(): void {
    this.opening++;
    openSession(this.options.connection, this.options.auth).then(
      (connection) => {
        this.opening--;
        const session: Session = { connection, sent: 0, idleTimer: undefined, dead: false };
        if (this.closed) return connection.close();
        this.sessions.add(session);
        // Errors while a message is in flight reach its send callback; between messages, the session just ends.
        connection.on('error', () => this.drop(session));
        connection.once('end', () => this.drop(session));
        this.release(session);
      },
      (error: Error) => {
        this.opening--;
        if (this.sessions.size > 0) {
          // Other sessions work: the server limits sessions per client. The waiting messages go over those.
          this.limit = this.sessions.size;
          return;
        }
        // Another attempt still under way decides for the waiting messages (this one may be a stale attempt of
        // an earlier batch). Otherwise the server cannot be reached or refused the session: every message waiting
        // would meet the same fate, so they all fail with this error (the dispatcher defers them).
        if (this.opening > 0) return;
        for (const job of this.queue.splice(0)) job.reject(error);
      },
    );
  }

  private run(session: Session, job: Job): void {
    clearTimeout(session.idleTimer);
    // Taken back while it waited for a session: nothing of it is sent, and the session takes the next one.
    if (job.stillWanted && !job.stillWanted()) {
      job.reject(new MailWithdrawn());
      return this.release(session);
    }
    session.connection.send(job.envelope, job.message, (error, info) => {
      if (error) {
        // Whatever went wrong, this session is done. The message is not tried again here: Nodemailer cannot tell
        // whether its bytes reached the server, so the outcome is the dispatcher's (deferred, same Message-ID).
        this.drop(session);
        job.reject(asError(error));
        return;
      }
      session.sent++;
      const refused = (info?.rejectedErrors ?? []).map((e) => ({
        recipient: String((e as { recipient?: unknown }).recipient ?? ''),
        response: String(e.response ?? e.message),
        code: typeof e.responseCode === 'number' ? e.responseCode : null,
      }));
      job.resolve({ response: String(info?.response ?? '250 Accepted'), refused });
      this.release(session);
    });
  }

  private release(session: Session): void {
    if (session.dead) return;
    if (this.closed) return this.drop(session, true);
    const job = this.queue.shift();
    if (job) return this.run(session, job);
    this.idle.push(session);
    session.idleTimer = setTimeout(() => this.drop(session, true), this.idleMs);
    session.idleTimer.unref();
  }

  /** Forgets a session (after an error, its end, or idling); a message in flight on it is settled by its callback. */
  private drop(session: Session, quit = false): void {
    if (session.dead) return;
    session.dead = true;
    clearTimeout(session.idleTimer);
    this.sessions.delete(session);
    if (this.sessions.size === 0) this.limit = this.options.maxConnections;
    const at = this.idle.indexOf(session);
    if (at >= 0) this.idle.splice(at, 1);
    if (!session.connection.destroyed) {
      if (quit) session.connection.quit();
      else session.connection.close();
    }
    this.pump();
  }

  /** Messages waiting fail; messages in flight finish, then their sessions quit. */
  close(): void {
    this.closed = true;
    for (const job of this.queue.splice(0))
      job.reject(Object.assign(new Error('The SMTP pool was closed.'), { code: 'ECONNECTION' }));
    for (const session of [...this.idle]) this.drop(session, true);
  }
}
