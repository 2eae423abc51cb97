/**
 * Composition root: config -> adapters -> domain -> delivery. The only module that picks concrete adapters.
 */
import { AesGcmSecretBox } from './adapters/crypto/aes-gcm-secret-box.ts';
import { NodeTokens } from './adapters/crypto/node-tokens.ts';
import { ScryptPasswordHasher } from './adapters/crypto/scrypt-password-hasher.ts';
import { openStorage } from './adapters/storage/open-storage.ts';
import type { SqlStorage } from './adapters/storage/sql/sql-storage.ts';
import { systemClock } from './adapters/system-clock.ts';
import type { Config } from './config/config.ts';
import type { Deps } from './domain/deps.ts';
import type { Clock } from './ports/clock.ts';
import type { PasswordHasher } from './ports/password-hasher.ts';

export interface Parley {
  config: Readonly<Config>;
  deps: Deps;
  storage: SqlStorage;
  close(): Promise<void>;
}

export interface ParleyOverrides {
  clock?: Clock;
  hasher?: PasswordHasher;
  storage?: SqlStorage;
}

export function createParley(config: Readonly<Config>, overrides: ParleyOverrides = {}): Parley {
  const storage = overrides.storage ?? openStorage(config.databaseUrl);
  const deps: Deps = {
    storage,
    clock: overrides.clock ?? systemClock,
    hasher: overrides.hasher ?? new ScryptPasswordHasher(),
    secrets: new AesGcmSecretBox(config.secretKey),
    tokens: new NodeTokens(),
    site: { publicUrl: config.publicUrl, mailDomain: config.mailDomain },
  };
  return { config, deps, storage, close: () => storage.close() };
}
