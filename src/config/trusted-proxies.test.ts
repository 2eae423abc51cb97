/** PARLEY_TRUSTED_PROXIES through loadConfig: addresses and CIDR ranges, IPv4 and IPv6; a bad entry is a sentence. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

let dir: string;

function load(value: string | undefined) {
  return loadConfig(
    {
      PARLEY_DATA_DIR: dir,
      PARLEY_SECRET_KEY: 'config-test-secret-key-that-is-long-enough',
      PARLEY_MAIL_CATCHER: 'off',
      ...(value === undefined ? {} : { PARLEY_TRUSTED_PROXIES: value }),
    },
    { readDotEnv: false },
  );
}

describe('PARLEY_TRUSTED_PROXIES', () => {
  before(() => (dir = mkdtempSync(join(tmpdir(), 'parley-config-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('unset or empty: no proxy is trusted', () => {
    assert.deepEqual(load(undefined).trustedProxies, []);
    assert.deepEqual(load('  ').trustedProxies, []);
  });

  it('takes addresses and CIDR ranges, IPv4 and IPv6, separated by commas (spaces allowed)', () => {
    assert.deepEqual(load('127.0.0.1, 10.0.0.0/8,::1 ,fd00::/8,2001:db8::7,192.0.2.0/32').trustedProxies, [
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      '2001:db8::7',
      '192.0.2.0/32',
    ]);
  });

  it('refuses anything else with a sentence naming the variable, the entry and what is wrong with it', () => {
    const cases: [string, RegExp][] = [
      ['proxy.example.com', /"proxy\.example\.com" is not an IPv4 or IPv6 address/],
      ['10.0.0.0/33', /"10\.0\.0\.0\/33" has a prefix length that is not a whole number from 0 to 32/],
      ['fd00::/129', /"fd00::\/129" has a prefix length that is not a whole number from 0 to 128/],
      ['10.0.0.0/x', /not a whole number from 0 to 32/],
      ['10.0.0.1,,10.0.0.2', /"" is empty \(two commas in a row\?\)/],
      ['10.0.0.0/8/8', /has more than one "\/"/],
      ['256.1.1.1', /is not an IPv4 or IPv6 address/],
      ['fe80::1%eth0', /is not an IPv4 or IPv6 address/],
      ['[::1]', /is not an IPv4 or IPv6 address/],
    ];
    for (const [value, message] of cases) {
      assert.throws(
        () => load(value),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.startsWith('PARLEY_TRUSTED_PROXIES must list addresses or CIDR ranges separated by commas') &&
          message.test(error.message),
        value,
      );
    }
  });
});
