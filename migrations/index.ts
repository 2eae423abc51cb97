import type { Migration } from 'kysely';
import * as core from './001-core.ts';

/** Every migration, in order. Written once with Kysely's schema builder; run on SQLite and PostgreSQL alike. */
export const migrations: Record<string, Migration> = {
  '001-core': core,
};
