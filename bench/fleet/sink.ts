/**
 * The SMTP sink of `bench/several-instances.ts`: a real `smtp-server` on 127.0.0.1, port 0, in the benchmark's main
 * thread (the load runs in a worker thread; the main thread only waits). No TLS, no AUTH, 250 as soon as DATA is in.
 * Mails are counted by their Message-ID header (read from the header block); `expect(n)` starts a phase and resolves
 * `reached` with the time of the 250 that completed n distinct Message-IDs.
 */
import { SMTPServer } from 'smtp-server';

const MESSAGE_ID = /^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^>\r\n]*>)/im;

export class FleetSink {
  port = 0;
  private ids = new Map<string, number>();
  private expected = Number.POSITIVE_INFINITY;
  private done: ((atNs: bigint) => void) | undefined;
  private readonly server: SMTPServer;

  constructor() {
    this.server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      disableReverseLookup: true,
      size: 25 * 1024 * 1024,
      onData: (stream, _session, callback) => {
        let head = '';
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 64 * 1024) head += chunk.toString('latin1');
        });
        stream.on('end', () => {
          const id = MESSAGE_ID.exec(head.slice(0, head.search(/\r?\n\r?\n/) + 1 || undefined))?.[1] ?? '(none)';
          this.ids.set(id, (this.ids.get(id) ?? 0) + 1);
          callback(null, '2.0.0 Ok');
          if (this.ids.size >= this.expected && this.done) {
            const resolve = this.done;
            this.done = undefined;
            resolve(process.hrtime.bigint());
          }
        });
      },
    });
    this.server.on('error', () => {});
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as { port: number }).port;
  }

  /** A new phase: forgets earlier mail; the promise resolves when `count` distinct Message-IDs came, or null. */
  expect(count: number, deadlineMs: number): Promise<bigint | null> {
    this.ids = new Map();
    this.expected = count;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.done = undefined;
        resolve(null);
      }, deadlineMs);
      this.done = (at) => {
        clearTimeout(timer);
        resolve(at);
      };
    });
  }

  /** The phase so far: distinct Message-IDs and those received more than once. */
  counts(): { distinct: number; duplicates: number } {
    return { distinct: this.ids.size, duplicates: [...this.ids.values()].filter((n) => n > 1).length };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
