import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';

/**
 * Gives a stored mail a duplicate key of the earlier format (before keys named the sender), as an install upgraded
 * from then holds: the key set, the mail counted among those stored before migration 039, and the storage's memo of
 * that bound forgotten so it is read again.
 */
export async function keyTheEarlierWay(storage: SqlStorage, id: number, key: string): Promise<void> {
  const db = storage.kyselyInstance;
  await db.updateTable('inbound_mail').set({ dedupe_key: key }).where('id', '=', id).execute();
  const bound = await db.selectFrom('inbound_legacy_keys').select('until_id').executeTakeFirst();
  await db
    .updateTable('inbound_legacy_keys')
    .set({ until_id: Math.max(Number(bound?.until_id ?? 0), id) })
    .execute();
  storage.forgetMemo();
}
