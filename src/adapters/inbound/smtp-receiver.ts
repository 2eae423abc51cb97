import { createHash, timingSafeEqual } from 'node:crypto';
import type {
  SMTPServer,
  SMTPServerAuthentication,
  SMTPServerAuthenticationResponse,
  SMTPServerDataStream,
  SMTPServerSession,
} from 'smtp-server';
import type { RawMail } from '../../domain/inbound/inbound-mail.ts';
import { loadOnce } from '../load-once.ts';

// smtp-server loads when the receiver starts: only a process that receives mail over SMTP holds it.
const smtpServer = loadOnce(() => import('smtp-server'));

export interface SmtpReceiverOptions {
  host: string;
  port: number;
  /** The name the server greets with (the mail domain). */
  name: string;
  /** Largest mail accepted, in bytes (advertised with SIZE; a larger DATA is answered 552 and not stored). */
  maxBytes: number;
  /** Recipients per mail. */
  maxRecipients?: number;
  /** Simultaneous connections. */
  maxClients?: number;
  /** Idle time before a connection is closed. */
  socketTimeoutMs?: number;
  /** The longest one DATA may take, start to end (default 5 minutes): then `421` and the connection is closed. */
  dataTimeoutMs?: number;
  /** Simultaneous connections from one client address (default 10); more are answered `421` and closed. */
  maxConnectionsPerAddress?: number;
  /**
   * Whether a recipient is ours, asked at each `RCPT TO`: false is answered `550 5.1.1` (the address is not taken),
   * a rejection `451 4.3.0` (the sender retries). The receiver knows no address rules of its own; without this
   * function every recipient is accepted (tests and benchmarks only: the composition root always passes one).
   */
  acceptsRecipient?(address: string): Promise<boolean>;
  /** PEM certificate (chain) and private key: STARTTLS is offered. Without them, no TLS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * When set, AUTH PLAIN or LOGIN with this user and password is required before `MAIL FROM` (`530` otherwise,
   * `535` for wrong credentials). AUTH is accepted only over TLS (`538` before STARTTLS) unless `allowInsecureAuth`.
   */
  auth?: { user: string; password: string };
  /** Accept AUTH on a connection without TLS (a client on loopback or a trusted network). */
  allowInsecureAuth?: boolean;
  /**
   * Stores the mail durably and resolves with its id; the mail is acknowledged (`250`) only after that, and a
   * rejection is answered `451` (the sender keeps the mail and retries).
   */
  store(mail: RawMail): Promise<number>;
  /** Called after the `250`, with the stored mail's id (processing starts here). */
  stored?(id: number): void;
  /** Storage failures, for the log (never sent to the client). */
  onError?(error: unknown): void;
}

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** Equal, compared in constant time whatever the lengths (both sides hashed first). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

/**
 * The SMTP receiver of reply mail (smtp-server). Only `<CRLF>.<CRLF>` ends DATA (smtp-server refuses the bare-LF
 * forms used for SMTP smuggling), command lines are bounded, DATA beyond `maxBytes` is counted and dropped, never
 * buffered. Recipients are checked at `RCPT TO` (`acceptsRecipient`), at most `maxRecipients` per mail. STARTTLS
 * and AUTH only when configured (`tls`, `auth`); without them, put it on loopback or behind the organisation's MTA.
 */
export class SmtpReceiver {
  /** Built by `start()`: smtp-server loads only in a process that receives mail over SMTP. */
  private server: SMTPServer | undefined;
  /** The start under way (smtp-server is imported first): `stop()` waits for it, so no server is left listening. */
  private starting: Promise<number> | undefined;
  private closed = false;
  port = 0;

  constructor(private readonly options: SmtpReceiverOptions) {
    // smtp-server refuses AUTH before STARTTLS only when STARTTLS is offered: without TLS it must be allowed explicitly.
    if (options.auth && !options.tls && !options.allowInsecureAuth)
      throw new Error('SmtpReceiver: AUTH without TLS needs allowInsecureAuth.');
  }

  private async createServer(): Promise<SMTPServer> {
    const { options } = this;
    const { tls, auth } = options;
    const { SMTPServer } = await smtpServer();
    const server = new SMTPServer({
      name: options.name,
      banner: 'Parley inbound mail',
      disabledCommands: [...(auth ? [] : ['AUTH']), ...(tls ? [] : ['STARTTLS'])],
      authOptional: !auth,
      authMethods: ['PLAIN', 'LOGIN'],
      authRequiredMessage: '5.7.0 Authentication required',
      allowInsecureAuth: options.allowInsecureAuth ?? false,
      ...(tls ? { secure: false, cert: tls.cert, key: tls.key } : {}),
      disableReverseLookup: true,
      logger: false,
      size: options.maxBytes,
      maxClients: options.maxClients ?? 100,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
      closeTimeout: 1000,
      hideSize: false,
      onAuth: (login, session, callback) => this.onAuth(login, session, callback),
      onRcptTo: (address, session, callback) => {
        if (session.envelope.rcptTo.length >= (options.maxRecipients ?? 100))
          return callback(smtpError(452, '4.5.3 Too many recipients'));
        const accepts = options.acceptsRecipient;
        if (!accepts) return callback();
        Promise.resolve()
          .then(() => accepts(address.address))
          .then(
            (ours) => callback(ours ? null : smtpError(550, '5.1.1 Recipient address rejected: no such mailbox here')),
            (error: unknown) => {
              this.options.onError?.(error);
              callback(smtpError(451, '4.3.0 The recipient could not be checked; try again later'));
            },
          );
      },
      onConnect: (session, callback) => this.onConnect(session, callback),
      onClose: (session) => this.onClose(session),
      onData: (stream, session, callback) => this.onData(stream, session, callback),
    });
    server.on('error', (error) => options.onError?.(error));
    return server;
  }

  /** Open connections per client address, and the sessions counted in them. */
  private readonly perAddress = new Map<string, number>();
  private readonly counted = new Set<string>();

  private onConnect(session: SMTPServerSession, callback: (err?: Error | null) => void) {
    const address = session.remoteAddress ?? '';
    const open = this.perAddress.get(address) ?? 0;
    if (open >= (this.options.maxConnectionsPerAddress ?? 10))
      return callback(smtpError(421, '4.7.0 Too many connections from your address; try again later'));
    this.perAddress.set(address, open + 1);
    this.counted.add(session.id);
    callback();
  }

  private onClose(session: SMTPServerSession) {
    if (!this.counted.delete(session.id)) return;
    const address = session.remoteAddress ?? '';
    const open = (this.perAddress.get(address) ?? 1) - 1;
    if (open > 0) this.perAddress.set(address, open);
    else this.perAddress.delete(address);
  }

  /** A DATA past its deadline: `421`, and the connection is closed (the mail is not stored). */
  private cutOff(session: SMTPServerSession) {
    for (const connection of (this.server?.connections ?? new Set()) as Set<{
      session?: SMTPServerSession;
      send(code: number, text: string): void;
      close(): void;
    }>) {
      if (connection.session?.id !== session.id) continue;
      connection.send(421, '4.4.2 The message took too long to arrive; closing');
      connection.close();
    }
  }

  private onAuth(
    login: SMTPServerAuthentication,
    session: SMTPServerSession,
    callback: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void,
  ) {
    const auth = this.options.auth;
    if (!auth || (login.method !== 'PLAIN' && login.method !== 'LOGIN'))
      return callback(smtpError(504, '5.5.4 Unrecognized authentication type'));
    if (!session.secure && !this.options.allowInsecureAuth)
      return callback(smtpError(538, '5.7.11 Encryption required: issue STARTTLS first'));
    // Both compared, always: which of the two was wrong is not told by the time taken.
    const userOk = sameSecret(login.username ?? '', auth.user);
    const passwordOk = sameSecret(login.password ?? '', auth.password);
    if (userOk && passwordOk) return callback(null, { user: auth.user });
    callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
  }

  private onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (err?: Error | null, message?: string) => void,
  ) {
    const chunks: Buffer[] = [];
    let length = 0;
    const hash = createHash('sha256');
    // One byte a minute would keep the idle timeout from ever firing: DATA as a whole has a deadline.
    let late = false;
    const deadline = setTimeout(() => {
      late = true;
      chunks.length = 0;
      this.cutOff(session);
    }, this.options.dataTimeoutMs ?? 300_000);
    deadline.unref();
    stream.once('close', () => clearTimeout(deadline));
    stream.on('data', (chunk: Buffer) => {
      if (late) return;
      length += chunk.length;
      if (length > this.options.maxBytes) return; // counted, dropped
      chunks.push(chunk);
      hash.update(chunk);
    });
    stream.on('end', () => {
      clearTimeout(deadline);
      if (late) return;
      if (stream.sizeExceeded || length > this.options.maxBytes) {
        chunks.length = 0;
        return callback(smtpError(552, `5.3.4 Message too big: the limit is ${this.options.maxBytes} bytes`));
      }
      const raw = Buffer.concat(chunks, length);
      const mailFrom = session.envelope.mailFrom;
      const mail: RawMail = {
        raw,
        sha256: hash.digest('hex'),
        // `MAIL FROM:<>` (the null return path of bounces and auto-replies) is kept as ''.
        envelopeFrom: mailFrom ? mailFrom.address : '',
        envelopeTo: session.envelope.rcptTo.map((r) => r.address),
        remoteAddress: session.remoteAddress ?? null,
        helo: session.hostNameAppearsAs ? session.hostNameAppearsAs.slice(0, 255) : null,
      };
      this.options.store(mail).then(
        (id) => {
          callback(null, `2.0.0 Ok: stored as inbound mail ${id}`);
          try {
            this.options.stored?.(id);
          } catch (error) {
            this.options.onError?.(error); // the mail is stored; the periodic sweep processes it
          }
        },
        (error: unknown) => {
          this.options.onError?.(error);
          callback(smtpError(451, '4.3.0 The mail could not be stored; try again later'));
        },
      );
    });
    stream.on('error', (error: unknown) => this.options.onError?.(error));
  }

  /**
   * Listens; resolves with the port (useful with port 0). Once: a second call gets the first one's outcome, and a
   * stopped receiver is not started again (make a new one).
   */
  start(): Promise<number> {
    return (this.starting ??= this.listen());
  }

  private async listen(): Promise<number> {
    const server = await this.createServer();
    if (this.closed) throw new Error('SmtpReceiver: stopped before it started.');
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.server.address() as { port: number }).port;
    return this.port;
  }

  /** Stops accepting; open connections get a moment to finish, then are closed. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.starting?.catch(() => {}); // its failure is reported to start's caller
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
