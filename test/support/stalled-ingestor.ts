/**
 * A process that receives one mail as the SMTP receiver hands it over (stored through an InboundIngestor's hooks,
 * leased to it, its attempt counted) and begins processing it with a parser that never returns: it prints
 * `began <id>` once parsing has started, then waits to be killed (inbound-leases.test.ts SIGKILLs it). Its lease is
 * PARLEY_LEASE_SECONDS' default, renewed by the ingestor as in `parley ingest`.
 *
 * Run as `node --import tsx test/support/stalled-ingestor.ts <database URL> <file of the raw mail>`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { openStorage } from '../../src/adapters/storage/open-storage.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { InboundIngestor } from '../../src/delivery/workers/inbound-ingestor.ts';
import { testDeps } from './fixtures.ts';

const [url, file] = process.argv.slice(2);
if (!url || !file) throw new Error('usage: stalled-ingestor.ts <database URL> <file of the raw mail>');
const storage = openStorage(url, { poolSize: 2 });
let id = 0;
const ingestor = new InboundIngestor(
  {
    ...testDeps(storage, systemClock),
    mailParser: {
      parse: () => {
        process.stdout.write(`began ${id}\n`);
        return new Promise(() => {});
      },
    },
    policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
  },
  { sweepMs: 600_000, concurrency: 1, log: { info() {}, warn() {}, error() {} } },
);
await ingestor.start();
const hooks = ingestor.receiverHooks();
const raw = readFileSync(file);
id = await hooks.store({
  raw,
  sha256: createHash('sha256').update(raw).digest('hex'),
  envelopeFrom: null,
  envelopeTo: ['desk@desk.example.test'],
  remoteAddress: '127.0.0.1',
});
hooks.stored(id);
// The ingestor's timers do not hold the process open: this does, until the kill.
setInterval(() => {}, 60_000);
