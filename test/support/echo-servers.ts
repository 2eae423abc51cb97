/**
 * Hostile servers for the credential tests: a raw SMTP server and a raw IMAP server (node:net, speaking just enough
 * of each protocol) that refuse every login and echo back what they were sent, in every encoding Parley could have
 * sent it in: the AUTH argument as received, the credentials decoded, and base64 of the PLAIN, LOGIN and XOAUTH2
 * forms. Plus a "closed port" (a port that was listening and is closed again) and servers that drop or never greet.
 */
import { createServer, type Server, type Socket } from 'node:net';

const LOOPBACK = '127.0.0.1';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

export interface EchoServer {
  host: string;
  port: number;
  /** The credentials the server was sent, decoded: proof that the secret really travelled and came back. */
  received: { user: string; password: string }[];
  /** Lines the server received (commands and AUTH continuations). */
  lines: string[];
  close(): Promise<void>;
}

/** Everything a hostile server could echo of `user` and `password`. */
export function echoOf(user: string, password: string): string {
  return [
    `user ${user} password ${password}`,
    `plain ${b64(`\u0000${user}\u0000${password}`)}`,
    `plain-authzid ${b64(`${user}\u0000${user}\u0000${password}`)}`,
    `login ${b64(user)} ${b64(password)}`,
    `xoauth2 ${b64(`user=${user}\u0001auth=Bearer ${password}\u0001\u0001`)}`,
  ].join(' ');
}

async function listen(onSocket: (socket: Socket, server: EchoServer) => void): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const result: EchoServer = { host: LOOPBACK, port: 0, received: [], lines: [], close: async () => {} };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket, result);
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

function onLines(socket: Socket, handle: (line: string) => void) {
  let buffer = '';
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let at: number;
    while ((at = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      handle(line);
    }
  });
}

/**
 * An SMTP server offering AUTH `PLAIN` or `LOGIN` (only that one), refusing every login with a `535` that echoes
 * the AUTH argument as received and every other encoding of the credentials; mail without a login gets `530`.
 */
export function startEchoingSmtpServer(method: 'PLAIN' | 'LOGIN'): Promise<EchoServer> {
  return listen((socket, server) => {
    const write = (text: string) => socket.write(`${text}\r\n`);
    let login: { user?: string } | null = null;
    const refuse = (raw: string, user: string, password: string) => {
      server.received.push({ user, password });
      write(`535 5.7.8 Authentication credentials invalid: you sent ${raw}; ${echoOf(user, password)}`);
    };
    write('220 echo.test ESMTP');
    onLines(socket, (line) => {
      server.lines.push(line);
      if (login) {
        if (login.user === undefined) {
          login.user = unb64(line);
          write('334 UGFzc3dvcmQ6');
        } else {
          const user = login.user;
          login = null;
          refuse(line, user, unb64(line));
        }
        return;
      }
      const [verb = '', ...rest] = line.split(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
          write(`250-echo.test\r\n250-AUTH ${method}\r\n250 8BITMIME`);
          return;
        case 'HELO':
          write('250 echo.test');
          return;
        case 'AUTH': {
          const [mech, arg] = rest;
          if (mech?.toUpperCase() === 'PLAIN' && arg) {
            const [, user = '', password = ''] = unb64(arg).split('\u0000');
            return refuse(arg, user, password);
          }
          if (mech?.toUpperCase() === 'LOGIN') {
            login = {};
            write('334 VXNlcm5hbWU6');
            return;
          }
          write('504 5.5.4 Unrecognized authentication type');
          return;
        }
        case 'QUIT':
          write('221 2.0.0 Bye');
          socket.end();
          return;
        case 'RSET':
        case 'NOOP':
          write('250 2.0.0 Ok');
          return;
        default:
          write('530 5.7.0 Authentication required');
      }
    });
  });
}

/**
 * An IMAP server that refuses every login (`LOGIN` or `AUTHENTICATE PLAIN`) with a `NO` echoing the command as
 * received and every other encoding of the credentials.
 */
export function startEchoingImapServer(): Promise<EchoServer> {
  return listen((socket, server) => {
    const write = (text: string) => socket.write(`${text}\r\n`);
    let pending: { tag: string } | null = null;
    const refuse = (tag: string, raw: string, user: string, password: string) => {
      server.received.push({ user, password });
      write(`${tag} NO [AUTHENTICATIONFAILED] you sent ${raw}; ${echoOf(user, password)}`);
    };
    write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] echo.test ready');
    onLines(socket, (line) => {
      server.lines.push(line);
      if (pending) {
        const { tag } = pending;
        pending = null;
        const [, user = '', password = ''] = unb64(line).split('\u0000');
        return refuse(tag, line, user, password);
      }
      const match = /^(\S+) (\S+)(?: (.*))?$/.exec(line);
      if (!match) return;
      const [, tag = '*', command = '', args = ''] = match;
      switch (command.toUpperCase()) {
        case 'CAPABILITY':
          write('* CAPABILITY IMAP4rev1 AUTH=PLAIN');
          write(`${tag} OK CAPABILITY completed`);
          return;
        case 'ID':
          write('* ID NIL');
          write(`${tag} OK ID completed`);
          return;
        case 'LOGIN': {
          const parts = /^"?((?:[^"\\]|\\.)*)"? "?((?:[^"\\]|\\.)*)"?$/.exec(args);
          const unquote = (s: string) => s.replace(/\\(.)/g, '$1');
          return refuse(tag, line, unquote(parts?.[1] ?? ''), unquote(parts?.[2] ?? ''));
        }
        case 'AUTHENTICATE': {
          const [mech, initial] = args.split(' ');
          if (mech?.toUpperCase() !== 'PLAIN') return write(`${tag} NO unsupported`);
          if (initial) {
            const [, user = '', password = ''] = unb64(initial).split('\u0000');
            return refuse(tag, line, user, password);
          }
          pending = { tag };
          write('+ ');
          return;
        }
        case 'LOGOUT':
          write('* BYE');
          write(`${tag} OK LOGOUT completed`);
          socket.end();
          return;
        default:
          write(`${tag} BAD not now`);
      }
    });
  });
}

/** A server that accepts the connection and closes it at once, before any greeting. */
export function startDroppingServer(): Promise<EchoServer> {
  return listen((socket) => socket.destroy());
}

/** A loopback port nothing listens on (it was listening a moment ago). */
export async function closedPort(): Promise<number> {
  const server = await listen(() => {});
  await server.close();
  return server.port;
}
