/**
 * Parley as `parley ingest` runs it, for the IMAP tests: its own data folder, an in-memory SQLite database, migrated,
 * and the inbound side (IMAP readers and the ingestor; no SMTP receiver) created but not started. `close()` stops it
 * and removes the folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { createParley } from '../../src/main.ts';
import { createInbound } from '../../src/main-inbound.ts';
import { TEST_AUTHSERV } from './sender.ts';
import { waitUntil } from './smtp-sink.ts';

export async function imapParley(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-imap-'));
  const config = loadConfig(
    {
      PARLEY_DATA_DIR: dataDir,
      PARLEY_DATABASE_URL: 'sqlite::memory:',
      PARLEY_SECRET_KEY: 'imap-test-secret-key-that-is-long-enough',
      PARLEY_MAIL_DOMAIN: 'desk.example.test',
      PARLEY_MAIL_CATCHER: 'off',
      PARLEY_LOG_LEVEL: 'silent',
      PARLEY_INBOUND_TRUSTED_AUTHSERV_IDS: TEST_AUTHSERV,
      ...env,
    },
    { readDotEnv: false },
  );
  const parley = createParley(config);
  await parley.storage.migrate();
  const inbound = createInbound(parley, { listen: null, imapCheckMs: 60_000 });
  return {
    parley,
    inbound,
    /** The ticket a new request read from a folder opened, once its mail is posted (waits up to 15 s). */
    async ticketOpened(what: string) {
      const opened = await waitUntil(
        async () => {
          const page = await parley.storage.inbound.listInboundMail({ scope: { kind: 'all' } }, { limit: 10 });
          return page.items.find((m) => m.status === 'posted' && m.reason === 'new-ticket');
        },
        what,
        15_000,
      );
      return (await parley.storage.tickets.findTicketByNumber(opened.ticketId!))!;
    },
    async close() {
      await inbound.stop();
      await parley.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
