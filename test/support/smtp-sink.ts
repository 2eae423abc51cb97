/**
 * A real SMTP server for delivery tests, on 127.0.0.1 and an ephemeral port, with failures that can be switched on
 * and off while it runs (modelled on how Nodemailer tests its own transports against `smtp-server`):
 *
 * - accept: `250`, the raw message, its envelope and its Message-ID kept;
 * - temporary failure: `451` at the end of DATA or at RCPT, for the next N mails or until switched back;
 * - permanent failure: `550` for a given recipient address;
 * - drop: the connection destroyed once DATA is in, before any answer;
 * - stall: DATA received and never answered;
 * - never greet: connections accepted, no `220` ever sent;
 * - authentication required: given credentials accepted, or every login refused with `535`.
 *
 * Plus `startSilentServer()`: a plain TCP listener that accepts and never speaks SMTP (optionally it writes a
 * non-SMTP banner first, as another service would). Everything closes with `await close()`.
 */
import { createServer, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

const LOOPBACK = '127.0.0.1';

/** Polls `check` until it returns a truthy value or the deadline passes (then throws, saying what was awaited). */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<NonNullable<Awaited<T>>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<Awaited<T>>;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface SinkMail {
  /** The DATA exactly as received (dot-stuffing removed by the server, CRLF line ends kept). */
  raw: Buffer;
  envelope: { mailFrom: string | null; rcptTo: string[] };
  /** The Message-ID header, angle brackets included, or null. */
  messageId: string | null;
  /** What the sink did with it. */
  outcome: 'accepted' | 'temporary-failure' | 'dropped' | 'stalled';
  /** The user the session signed in as, if any. */
  user: string | null;
}

export interface AuthAttempt {
  method: string;
  username: string | undefined;
  password: string | null | undefined;
  accepted: boolean;
}

type AuthMode =
  { kind: 'off' } | { kind: 'credentials'; user: string; pass: string } | { kind: 'reject-all'; echoPassword: boolean };

export interface SinkOptions {
  /** Text of the 220 greeting (after the server name), e.g. something distinctive that must never be echoed. */
  banner?: string;
}

function headerValue(raw: Buffer, name: string): string | null {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  return m ? m[1]!.trim() : null;
}

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

export class SmtpSink {
  readonly host = LOOPBACK;
  port = 0;
  /** Every mail whose DATA was completely received, in order, whatever the sink answered. */
  readonly received: SinkMail[] = [];
  /** Every RCPT TO and how it was answered. */
  readonly rcpts: { address: string; code: number }[] = [];
  readonly authAttempts: AuthAttempt[] = [];
  /** TCP connections accepted so far. */
  connectionCount = 0;
  /** Messages whose DATA ended, counted before the sink answers (so a test can act while the answer is pending). */
  dataComplete = 0;

  private tempFail: { at: 'data' | 'rcpt'; remaining: number; code: number; text: string } | null = null;
  private readonly rejected = new Map<string, { code: number; text: string }>();
  private drop: { remaining: number } | null = null;
  private stall: { remaining: number } | null = null;
  private silent = false;
  private delayMs = 0;
  /** While holding: the answers to DATA, given by `releaseData()`, with each mail's Message-ID and client port. */
  private holding: { messageId: string | null; clientPort: number; answer: () => void }[] | null = null;
  private auth: AuthMode = { kind: 'off' };
  private readonly held = new Set<string>(); // sessions never greeted or never answered
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly server: SMTPServer;
  private closed = false;

  private constructor(options: SinkOptions) {
    this.server = new SMTPServer({
      name: 'sink.test',
      banner: options.banner ?? 'parley test sink',
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: true,
      authMethods: ['PLAIN', 'LOGIN'],
      disableReverseLookup: true,
      logger: false,
      size: 25 * 1024 * 1024,
      closeTimeout: 200,
      socketTimeout: 30_000,
      maxAllowedUnauthenticatedCommands: false,
      onConnect: (session, callback) => {
        this.connectionCount++;
        if (this.silent) {
          this.held.add(session.id); // the greeting is never sent
          return;
        }
        callback();
      },
      onAuth: (auth, _session, callback) => {
        const mode = this.auth;
        const accepted = mode.kind === 'credentials' && auth.username === mode.user && auth.password === mode.pass;
        this.authAttempts.push({ method: auth.method, username: auth.username, password: auth.password, accepted });
        if (accepted) return callback(null, { user: auth.username });
        const echo =
          mode.kind === 'reject-all' && mode.echoPassword ? ` (user ${auth.username}, password ${auth.password})` : '';
        callback(smtpError(535, `5.7.8 Authentication credentials invalid${echo}`));
      },
      onMailFrom: (_address, session, callback) => {
        if (this.auth.kind !== 'off' && !session.user) return callback(smtpError(530, '5.7.0 Authentication required'));
        callback();
      },
      onRcptTo: (address, _session, callback) => this.onRcptTo(address, callback),
      onData: (stream, session, callback) => this.onData(stream, session, callback),
    });
    this.server.on('error', () => {}); // a client breaking its connection is not the sink's failure
  }

  static async start(options: SinkOptions = {}): Promise<SmtpSink> {
    const sink = new SmtpSink(options);
    await new Promise<void>((resolve, reject) => {
      sink.server.once('error', reject);
      sink.server.listen(0, LOOPBACK, () => resolve());
    });
    sink.port = (sink.server.server.address() as { port: number }).port;
    return sink;
  }

  // ---- modes

  /** Back to accepting everything: temporary failures, drops, stalls, delays, silence and rejected recipients end. */
  accept(): void {
    this.tempFail = null;
    this.drop = null;
    this.stall = null;
    this.delayMs = 0;
    this.releaseData();
    this.rejected.clear();
    this.silent = false;
    this.releaseHeld();
  }

  /** `451` (or `code`) at the end of DATA or at RCPT, for the next `count` mails (default: until `accept()`). */
  failTemporarily(options: { at?: 'data' | 'rcpt'; count?: number; code?: number; text?: string } = {}): void {
    this.tempFail = {
      at: options.at ?? 'data',
      remaining: options.count ?? Infinity,
      code: options.code ?? 451,
      text: options.text ?? '4.3.0 Try again later, the sink is busy',
    };
  }

  /** `550` (or `code`) for every RCPT TO naming this address. */
  rejectRecipient(address: string, options: { code?: number; text?: string } = {}): void {
    this.rejected.set(address.toLowerCase(), {
      code: options.code ?? 550,
      text: options.text ?? `5.1.1 <${address}>: Recipient address rejected: no such user`,
    });
  }

  /** Destroys the connection once DATA of the next `count` mails (default: every mail) is in, before any answer. */
  dropAfterData(options: { count?: number } = {}): void {
    this.drop = { remaining: options.count ?? Infinity };
  }

  /** Receives DATA of the next `count` mails and never answers it. */
  stallData(options: { count?: number } = {}): void {
    this.stall = { remaining: options.count ?? Infinity };
  }

  /** Answers each DATA only when `releaseData()` is called (its DATA is in: `dataComplete` counts it meanwhile). */
  holdData(): void {
    this.holding ??= [];
  }

  /** Answers every DATA held, and holds no more. */
  releaseData(): void {
    const held = this.holding ?? [];
    this.holding = null;
    for (const { answer } of held) answer();
  }

  /** The mails whose DATA is held now: each one's Message-ID and the port of the client's end of its connection. */
  get heldData(): { messageId: string | null; clientPort: number }[] {
    return (this.holding ?? []).map(({ messageId, clientPort }) => ({ messageId, clientPort }));
  }

  /** Answers each DATA only after `ms` milliseconds. */
  delayData(ms: number): void {
    this.delayMs = ms;
  }

  /** New connections are accepted and never greeted, until `accept()`. */
  neverGreet(): void {
    this.silent = true;
  }

  /** Mail needs a login: these credentials, or none at all (`reject-all`, optionally echoing what was given). */
  requireAuth(mode: { user: string; pass: string } | { rejectAll: true; echoPassword?: boolean }): void {
    this.auth =
      'rejectAll' in mode
        ? { kind: 'reject-all', echoPassword: mode.echoPassword ?? false }
        : { kind: 'credentials', user: mode.user, pass: mode.pass };
  }

  noAuth(): void {
    this.auth = { kind: 'off' };
  }

  // ---- what arrived

  /** Mails answered `250`. */
  get accepted(): SinkMail[] {
    return this.received.filter((m) => m.outcome === 'accepted');
  }

  /** How many times a mail with this Message-ID was accepted (`250`). */
  acceptedCount(messageId: string): number {
    return this.accepted.filter((m) => m.messageId === messageId).length;
  }

  /** How many times DATA of a mail with this Message-ID was received, whatever the answer. */
  receivedCount(messageId: string): number {
    return this.received.filter((m) => m.messageId === messageId).length;
  }

  /** Accepted mails per Message-ID. */
  acceptedCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of this.accepted) counts.set(m.messageId ?? '(none)', (counts.get(m.messageId ?? '(none)') ?? 0) + 1);
    return counts;
  }

  /** Connections currently open to the sink. */
  get openConnections(): number {
    return this.server.connections.size;
  }

  // ---- protocol

  private onRcptTo(address: SMTPServerAddress, callback: (err?: Error | null) => void) {
    const rejection = this.rejected.get(address.address.toLowerCase());
    if (rejection) {
      this.rcpts.push({ address: address.address, code: rejection.code });
      return callback(smtpError(rejection.code, rejection.text));
    }
    const fail = this.tempFail;
    if (fail && fail.at === 'rcpt' && fail.remaining > 0) {
      fail.remaining--;
      this.rcpts.push({ address: address.address, code: fail.code });
      return callback(smtpError(fail.code, fail.text));
    }
    this.rcpts.push({ address: address.address, code: 250 });
    callback();
  }

  private onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (err?: Error | null, message?: string) => void,
  ) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks);
      const mail = (outcome: SinkMail['outcome']): SinkMail => ({
        raw,
        envelope: {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
        },
        messageId: headerValue(raw, 'message-id'),
        outcome,
        user: typeof session.user === 'string' ? session.user : null,
      });
      if (this.drop && this.drop.remaining > 0) {
        this.drop.remaining--;
        this.received.push(mail('dropped'));
        this.connectionOf(session)?._socket.destroy();
        return;
      }
      if (this.stall && this.stall.remaining > 0) {
        this.stall.remaining--;
        this.received.push(mail('stalled'));
        this.held.add(session.id);
        return;
      }
      const fail = this.tempFail;
      if (fail && fail.at === 'data' && fail.remaining > 0) {
        fail.remaining--;
        this.received.push(mail('temporary-failure'));
        return callback(smtpError(fail.code, fail.text));
      }
      this.dataComplete++;
      const answer = () => {
        this.received.push(mail('accepted'));
        callback(null, `2.0.0 Ok: queued as sink-${this.received.length}`);
      };
      if (this.holding)
        this.holding.push({ messageId: headerValue(raw, 'message-id'), clientPort: session.remotePort, answer });
      else if (this.delayMs > 0) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          answer();
        }, this.delayMs);
        this.timers.add(timer);
      } else answer();
    });
  }

  private connectionOf(session: { id: string }) {
    for (const c of this.server.connections) if (c.id === session.id) return c;
    return undefined;
  }

  /** Connections left waiting (never greeted, DATA never answered) are closed. */
  private releaseHeld() {
    for (const id of this.held) this.connectionOf({ id })?._socket.destroy();
    this.held.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.held.clear();
    this.holding = null;
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.server.connections) c._socket.destroy();
    await closing;
  }
}

export interface SilentServer {
  host: string;
  port: number;
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/**
 * A TCP listener that accepts connections and never greets them. With `greeting`, it first writes that text (a
 * service that is not SMTP, e.g. an SSH or Redis banner), then stays silent.
 */
export async function startSilentServer(options: { greeting?: string } = {}): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const result = { host: LOOPBACK, port: 0, connections: 0, close: async () => {} };
  const server = createServer((socket) => {
    result.connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    if (options.greeting) socket.write(options.greeting);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  result.port = (server.address() as { port: number }).port;
  let closed = false;
  result.close = async () => {
    if (closed) return;
    closed = true;
    const done = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await done;
  };
  return result;
}
