/**
 * Run inside a vanishing host (`test/support/vanishing-host.ts`) as `node --import tsx vanishing-instance.ts <url>`:
 * Parley's PostgreSQL storage, as an instance opens it, takes the dispatchers' lead lock and, in a transaction, locks
 * row 1 of the table `held`; then prints `holding <whether it leads>` and waits for ever, the transaction open.
 */
import { sql } from 'kysely';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';

const storage = openPostgresStorage(process.argv[2]!, { max: 2 });
const leads = await storage.dispatchLeadership().lead();
setInterval(() => {}, 60_000); // the process stays, whatever its sockets do
await storage.kyselyInstance.transaction().execute(async (tx) => {
  await sql`update held set v = 'vanished' where id = 1`.execute(tx);
  console.log(`holding ${leads}`);
  await new Promise(() => {});
});
