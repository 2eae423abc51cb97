import { ConfigError, type Config } from '../../config/config.ts';
import { readParameters, smtpAccountOf } from '../../domain/parameters/parameters.ts';
import { createDispatcher, createHeartbeat, createParley, type Parley } from '../../main.ts';
import { AuditPruner } from '../workers/audit-pruner.ts';
import { seedDemo, type DemoResult } from './seed-demo.ts';
import { superviseDispatcher } from './dispatcher-supervisor.ts';
import { startOwnDispatcher, wakeOf } from './own-dispatcher.ts';

export interface ServeOptions {
  firstRun: boolean;
  demoSmtpPort: number;
  out: (line: string) => void;
  /** Start-up warnings (standard error). */
  warn: (line: string) => void;
  printDemo: (result: DemoResult, out: (line: string) => void) => void;
}

/**
 * Starts a listener; an address that is taken (or not allowed) fails in one line naming the setting to change,
 * not a stack trace, and not another listener's setting.
 */
async function listenOn<T>(
  what: string,
  setting: string,
  address: { host: string; port: number },
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
    if (code === 'EADDRINUSE')
      throw new ConfigError(
        `${what} cannot listen on ${where}: the address is already in use (is another Parley running?). Set ${setting} to a free port.`,
      );
    if (code === 'EACCES')
      throw new ConfigError(
        `${what} cannot listen on ${where}: not allowed for this user (ports below 1024 need privileges). Set ${setting} to another port.`,
      );
    if (code === 'EADDRNOTAVAIL')
      throw new ConfigError(
        `${what} cannot listen on ${where}: this machine has no such address. Set ${setting} to one of its addresses.`,
      );
    throw error;
  }
}

/** A domain no mail reaches: reply+…@localhost, reply+…@192.0.2.1 are not addresses anyone can write to. */
export function unreachableMailDomain(domain: string): boolean {
  const d = domain.toLowerCase();
  return d === 'localhost' || d.endsWith('.localhost') || /^\d{1,3}(\.\d{1,3}){3}$/.test(d);
}

/**
 * The demo: the stored SMTP account sends to the mail catcher this process runs, so no mail leaves the machine and
 * no reply can come back by mail anyway.
 */
async function sendsToCatcher(parley: Parley, catcher: { host: string; port: number } | null): Promise<boolean> {
  if (!catcher) return false;
  const account = smtpAccountOf(await readParameters(parley.storage));
  const loopback = (host: string) => /^(127\.|localhost$|::1$|\[::1\]$)/.test(host);
  return account.host !== null && loopback(account.host) && loopback(catcher.host) && account.port === catcher.port;
}

/** What start-up should warn about (printed after the listeners are up). */
async function startupWarnings(parley: Parley, catcher: { host: string; port: number } | null): Promise<string[]> {
  const warnings: string[] = [];
  const domain = parley.config.mailDomain;
  if (unreachableMailDomain(domain) && !(await sendsToCatcher(parley, catcher))) {
    warnings.push(
      `Warning: reply addresses are reply+…@${domain}, which cannot receive mail, so people cannot answer notifications by mail. ` +
        'Set PARLEY_MAIL_DOMAIN to a domain whose mail your mail server hands to Parley (README: "Receiving mail over SMTP").',
    );
  }
  const everyone = parley.config.trustedProxies.filter((entry) => /\/0$/.test(entry));
  if (everyone.length > 0) {
    warnings.push(
      `Warning: PARLEY_TRUSTED_PROXIES trusts every address (${everyone.join(', ')}): any client can choose the address ` +
        'it is limited, logged and audited under by sending X-Forwarded-For. List only your proxies.',
    );
  }
  return warnings;
}

/** `parley serve`: migrate, optionally seed an empty database, run the mail catcher, the dispatcher and the HTTP API. */
/** Resolves at the first SIGINT or SIGTERM; listening from the start, so a signal during start-up stops gracefully. */
function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

export async function serve(config: Readonly<Config>, options: ServeOptions): Promise<void> {
  const stopped = stopSignal();
  const parley = createParley(config);
  const cleanups: (() => Promise<void>)[] = [() => parley.close()];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    await parley.storage.migrate();
    const { createInbound, createMailCatcher } = await import('../../main-inbound.ts');
    const catcher = config.mailCatcher ? createMailCatcher(config) : null;
    let catcherPort: number | null = null;
    if (catcher && config.mailCatcher) {
      const address = config.mailCatcher;
      catcherPort = await listenOn(
        'The mail catcher',
        'PARLEY_MAIL_CATCHER (a loopback host:port, or off)',
        address,
        () => catcher.start(address.host, address.port),
      );
      cleanups.push(() => catcher.stop());
    }
    let accountsShown = false;
    if (options.firstRun && (await parley.storage.people.countUsers()) === 0) {
      options.printDemo(await seedDemo(parley.deps, { smtpPort: catcherPort ?? options.demoSmtpPort }), options.out);
      accountsShown = true;
    }
    const inMemory = config.databaseUrl.includes(':memory:');
    // A database in memory is this thread's alone: its dispatcher runs here.
    const mode = config.dispatcher !== 'off' && inMemory ? 'inline' : config.dispatcher;
    if (mode === 'inline') {
      const dispatcher = createDispatcher(parley);
      await dispatcher.start();
      cleanups.push(() => dispatcher.stop());
    } else if (mode === 'thread' || mode === 'child') {
      const supervisor = superviseDispatcher(parley, mode);
      cleanups.push(() => supervisor.stop());
    }
    // Alive as the HTTP API and inbound mail (always run here), and as a dispatcher when it runs inline (a thread or
    // child beats for itself).
    const heartbeat = createHeartbeat(
      parley,
      mode === 'inline' ? ['serve', 'ingest', 'dispatch'] : ['serve', 'ingest'],
    );
    await heartbeat.start();
    cleanups.push(() => heartbeat.stop());
    // The audit log keeps what parameter 9017 says (365 days by default): older entries go, hourly.
    const pruner = new AuditPruner(parley.deps, { everyMs: 3_600_000, log: parley.log });
    pruner.start();
    cleanups.push(() => pruner.stop());
    // Inbound mail: always the processing (and the IMAP support mailbox once an administrator configures one);
    // the SMTP receiver only when PARLEY_INBOUND_SMTP is set.
    const inbound = createInbound(parley);
    cleanups.push(() => inbound.stop());
    const inboundPort = config.inboundSmtp
      ? await listenOn('The inbound SMTP receiver', 'PARLEY_INBOUND_SMTP', config.inboundSmtp, () => inbound.start())
      : await inbound.start();
    // Loaded here, not at the top: `parley dispatch` and `parley ingest` (this module too) never load the HTTP stack.
    const { buildApp } = await import('../http/build-app.ts');
    const app = await buildApp(parley.deps, {
      processMetrics: true,
      logger: parley.log,
      mail: { transports: parley.transports, catcher },
      httpTimeouts: {
        headersMs: config.httpTimeouts.headersSeconds * 1000,
        requestMs: config.httpTimeouts.requestSeconds * 1000,
        idleMs: config.httpTimeouts.idleSeconds * 1000,
      },
      metricsToken: config.metricsToken,
      trustedProxies: config.trustedProxies,
    });
    cleanups.push(() => app.close());
    await listenOn('The HTTP server', 'PARLEY_PORT (or PARLEY_HOST)', config, () =>
      app.listen({ host: config.host, port: config.port }),
    );
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    // PARLEY_PORT=0 (any free port): the addresses shown carry the port taken.
    const publicUrl = config.port === 0 ? config.publicUrl.replace(/:0$/, `:${port}`) : config.publicUrl;
    options.out(
      `Parley is listening on http://${config.host}:${port} (database: ${config.databaseUrl.split('://')[0]!.split(':')[0]}; key: ${config.secretKeySource}; dispatcher: ${mode}).`,
    );
    options.out(
      accountsShown
        ? `  Web app (sign in with an account above): ${publicUrl}/`
        : `  Web app: ${publicUrl}/ (to set a person's password: npx parley user password --email ADDRESS)`,
    );
    options.out(`  API: ${publicUrl}/api/v1   API docs: ${publicUrl}/api/docs   health: ${publicUrl}/healthz`);
    if (inboundPort !== null)
      options.out(
        `  Inbound mail: smtp://${config.inboundSmtp!.host}:${inboundPort} (replies are matched to tickets; GET ${publicUrl}/api/v1/inbound-mail?status=held to review).`,
      );
    if (catcherPort !== null) {
      options.out(
        `  Mail catcher: smtp://${config.mailCatcher!.host}:${catcherPort} keeps every mail sent to it: GET ${publicUrl}/api/v1/admin/mail-catcher (as an admin).`,
      );
    }
    for (const warning of await startupWarnings(
      parley,
      catcherPort === null ? null : { host: config.mailCatcher!.host, port: catcherPort },
    ))
      options.warn(warning);
  } catch (error) {
    await cleanup();
    throw error;
  }
  await stopped;
  options.out('Stopping…');
  await cleanup();
}

/** `parley dispatch`: the outbox dispatcher alone, until SIGTERM/SIGINT (or its supervisor goes away). */
export async function dispatch(
  config: Readonly<Config>,
  options: { out: (line: string) => void; supervised: boolean },
): Promise<void> {
  const signalled = stopSignal();
  // The supervising `parley serve` is gone (also when it went before this process was ready to hear it).
  const orphaned = options.supervised
    ? new Promise<void>((resolve) => {
        process.once('disconnect', () => resolve());
        if (!process.connected) resolve();
      })
    : new Promise<void>(() => {});
  // Supervised: beside `parley serve`, which serves the live pages (on SQLite, the tickets whose mail states changed
  // go to it).
  const dispatcher = await startOwnDispatcher(
    config,
    options.supervised
      ? {
          in: 'process',
          relay: (tickets, staffOnly) => {
            if (process.connected) process.send?.({ tickets, staffOnly });
          },
        }
      : undefined,
  );
  if (!options.supervised)
    options.out(`Dispatching the outbox of ${config.databaseUrl.split('://')[0]!.split(':')[0]} (SIGTERM to stop).`);
  process.on('message', (m) => {
    const wake = wakeOf(m);
    if (wake) dispatcher.kick(wake);
  });
  await Promise.race([signalled, orphaned]);
  await dispatcher.stop();
  if (process.connected) process.disconnect(); // let the process end: the IPC channel would keep it alive
}

/**
 * `parley ingest`: inbound mail alone, until SIGTERM/SIGINT: the SMTP receiver (PARLEY_INBOUND_SMTP or --listen), the
 * IMAP support mailbox of parameters 9010–9015, and the processing of what they store.
 */
export async function ingest(
  config: Readonly<Config>,
  options: { out: (line: string) => void; listen: { host: string; port: number } | null },
): Promise<void> {
  const listen = options.listen ?? config.inboundSmtp;
  const parley = createParley(config);
  try {
    await parley.storage.migrate();
    const { createInbound } = await import('../../main-inbound.ts');
    const inbound = createInbound(parley, { listen });
    let port: number | null;
    try {
      const setting = options.listen ? '--listen' : 'PARLEY_INBOUND_SMTP';
      port = listen
        ? await listenOn('The inbound SMTP receiver', setting, listen, () => inbound.start())
        : await inbound.start();
    } catch (error) {
      await inbound.stop();
      throw error;
    }
    const heartbeat = createHeartbeat(parley, ['ingest']);
    await heartbeat.start();
    options.out(
      listen && port !== null
        ? `Receiving reply mail on smtp://${listen.host}:${port}, and from the IMAP mailbox when one is configured (SIGTERM to stop).`
        : 'Reading reply mail from the IMAP mailbox when one is configured (parameters 9010–9015); no SMTP receiver (PARLEY_INBOUND_SMTP) (SIGTERM to stop).',
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await inbound.stop();
    await heartbeat.stop();
  } finally {
    await parley.close();
  }
}
