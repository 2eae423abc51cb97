/**
 * The inbound SMTP settings of loadConfig: PARLEY_INBOUND_RECIPIENTS, the TLS certificate and key (made by openssl
 * for this run), the AUTH account and PARLEY_INBOUND_ALLOW_INSECURE_AUTH; each mistake is a ConfigError naming the
 * variable.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

let dir: string;
const file = (name: string) => join(dir, name);

function load(extra: Record<string, string>) {
  return loadConfig(
    {
      PARLEY_DATA_DIR: dir,
      PARLEY_SECRET_KEY: 'config-test-secret-key-that-is-long-enough',
      PARLEY_MAIL_CATCHER: 'off',
      ...extra,
    },
    { readDotEnv: false },
  );
}

function refused(extra: Record<string, string>, message: RegExp) {
  assert.throws(
    () => load(extra),
    (error: unknown) => error instanceof ConfigError && message.test(error.message),
  );
}

describe('inbound SMTP configuration', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
    for (const name of ['a', 'b']) {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-keyout',
          file(`${name}-key.pem`),
          '-out',
          file(`${name}-cert.pem`),
        ],
        {
          stdio: 'ignore',
        },
      );
    }
    writeFileSync(file('not-pem.txt'), 'hello\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults: no extra recipients, no TLS, no AUTH', () => {
    const config = load({});
    assert.deepEqual(config.inboundRecipients, []);
    assert.equal(config.inboundTls, null);
    assert.equal(config.inboundAuth, null);
    assert.equal(config.inboundAllowInsecureAuth, false);
  });

  it('PARLEY_INBOUND_RECIPIENTS: addresses and @domains, trimmed and lower-cased; anything else refused', () => {
    assert.deepEqual(
      load({ PARLEY_INBOUND_RECIPIENTS: ' Help@Example.com, @Partner.Example.net ,,' }).inboundRecipients,
      ['help@example.com', '@partner.example.net'],
    );
    for (const bad of [
      'example.com',
      'help@',
      '@',
      'a b@example.com',
      '<help@example.com>',
      'help@exa_mple.com',
      '@.example.com',
      'x@y@example.com',
    ]) {
      refused(
        { PARLEY_INBOUND_RECIPIENTS: `ok@example.com,${bad}` },
        /^PARLEY_INBOUND_RECIPIENTS must be comma-separated addresses .*\(got "/,
      );
    }
  });

  // threat: No default or hard-coded secrets anywhere.
  it('no secret key is built in: without PARLEY_SECRET_KEY each data folder gets its own random key, in a file only its owner reads', () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'parley-key-')), mkdtempSync(join(tmpdir(), 'parley-key-'))];
    try {
      const [a, b] = dirs.map((d) =>
        loadConfig({ PARLEY_DATA_DIR: d, PARLEY_MAIL_CATCHER: 'off' }, { readDotEnv: false }),
      );
      assert.equal(a!.secretKeySource, 'generated key file');
      assert.ok(a!.secretKey.length >= 32);
      assert.notEqual(a!.secretKey, b!.secretKey);
      const again = loadConfig({ PARLEY_DATA_DIR: dirs[0]!, PARLEY_MAIL_CATCHER: 'off' }, { readDotEnv: false });
      assert.deepEqual(
        [again.secretKey, again.secretKeySource],
        [a!.secretKey, 'key file'],
        'read back, not made anew',
      );
      for (const d of dirs)
        for (const f of readdirSync(d))
          assert.equal(statSync(join(d, f)).mode & 0o077, 0, `${f} is readable by others`);
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });

  it('PARLEY_INBOUND_TRUSTED_AUTHSERV_IDS: none by default; server names, trimmed and lower-cased; anything else refused', () => {
    assert.deepEqual(load({}).inboundTrustedAuthservIds, []);
    assert.deepEqual(
      load({ PARLEY_INBOUND_TRUSTED_AUTHSERV_IDS: ' MX1.Example.com, mx2.example.com ,' }).inboundTrustedAuthservIds,
      ['mx1.example.com', 'mx2.example.com'],
    );
    for (const bad of ['mx.example.com;dmarc=pass', 'a b', '-mx.example.com']) {
      refused(
        { PARLEY_INBOUND_TRUSTED_AUTHSERV_IDS: bad },
        /^PARLEY_INBOUND_TRUSTED_AUTHSERV_IDS must be comma-separated server names/,
      );
    }
  });

  it('TLS: both files or neither, readable, PEM, a certificate with its own key', () => {
    assert.deepEqual(
      load({ PARLEY_INBOUND_TLS_CERT: file('a-cert.pem'), PARLEY_INBOUND_TLS_KEY: file('a-key.pem') }).inboundTls,
      {
        certFile: file('a-cert.pem'),
        keyFile: file('a-key.pem'),
      },
    );
    refused(
      { PARLEY_INBOUND_TLS_CERT: file('a-cert.pem') },
      /PARLEY_INBOUND_TLS_CERT and PARLEY_INBOUND_TLS_KEY go together/,
    );
    refused(
      { PARLEY_INBOUND_TLS_KEY: file('a-key.pem') },
      /PARLEY_INBOUND_TLS_CERT and PARLEY_INBOUND_TLS_KEY go together/,
    );
    refused(
      { PARLEY_INBOUND_TLS_CERT: file('missing.pem'), PARLEY_INBOUND_TLS_KEY: file('a-key.pem') },
      /^PARLEY_INBOUND_TLS_CERT: cannot read .*missing\.pem \(ENOENT\)/,
    );
    refused(
      { PARLEY_INBOUND_TLS_CERT: file('a-cert.pem'), PARLEY_INBOUND_TLS_KEY: dir },
      /^PARLEY_INBOUND_TLS_KEY: cannot read .*\(EISDIR\)/,
    );
    refused(
      { PARLEY_INBOUND_TLS_CERT: file('not-pem.txt'), PARLEY_INBOUND_TLS_KEY: file('a-key.pem') },
      /^PARLEY_INBOUND_TLS_CERT: .*not-pem\.txt is not a PEM file/,
    );
    refused(
      { PARLEY_INBOUND_TLS_CERT: file('a-cert.pem'), PARLEY_INBOUND_TLS_KEY: file('b-key.pem') },
      /are not a usable certificate and its key/,
    );
    refused(
      { PARLEY_INBOUND_TLS_CERT: file('a-key.pem'), PARLEY_INBOUND_TLS_KEY: file('a-cert.pem') },
      /are not a usable certificate and its key/,
    );
  });

  it('AUTH: user and password together, and only over TLS unless PARLEY_INBOUND_ALLOW_INSECURE_AUTH=true', () => {
    const tls = { PARLEY_INBOUND_TLS_CERT: file('a-cert.pem'), PARLEY_INBOUND_TLS_KEY: file('a-key.pem') };
    assert.deepEqual(
      load({ ...tls, PARLEY_INBOUND_AUTH_USER: 'mta', PARLEY_INBOUND_AUTH_PASSWORD: 'secret-1' }).inboundAuth,
      { user: 'mta', password: 'secret-1' },
    );
    refused(
      { ...tls, PARLEY_INBOUND_AUTH_USER: 'mta' },
      /PARLEY_INBOUND_AUTH_USER and PARLEY_INBOUND_AUTH_PASSWORD go together/,
    );
    refused(
      { ...tls, PARLEY_INBOUND_AUTH_PASSWORD: 'secret-1' },
      /PARLEY_INBOUND_AUTH_USER and PARLEY_INBOUND_AUTH_PASSWORD go together/,
    );
    refused(
      { PARLEY_INBOUND_AUTH_USER: 'mta', PARLEY_INBOUND_AUTH_PASSWORD: 'secret-1' },
      /PARLEY_INBOUND_AUTH_USER needs TLS .* or PARLEY_INBOUND_ALLOW_INSECURE_AUTH=true/,
    );
    const insecure = load({
      PARLEY_INBOUND_AUTH_USER: 'mta',
      PARLEY_INBOUND_AUTH_PASSWORD: 'secret-1',
      PARLEY_INBOUND_ALLOW_INSECURE_AUTH: 'true',
    });
    assert.deepEqual(
      [insecure.inboundAuth, insecure.inboundAllowInsecureAuth],
      [{ user: 'mta', password: 'secret-1' }, true],
    );
    refused(
      { PARLEY_INBOUND_ALLOW_INSECURE_AUTH: 'yes' },
      /^PARLEY_INBOUND_ALLOW_INSECURE_AUTH must be true or false \(got "yes"\)/,
    );
    assert.equal(load({ PARLEY_INBOUND_ALLOW_INSECURE_AUTH: 'false' }).inboundAllowInsecureAuth, false);
  });
});

describe('timeouts, connection caps and the metrics token', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults: HTTP headers 30 s, request 120 s, idle 60 s; DATA 300 s; 10 connections per address; metrics open', () => {
    const config = load({});
    assert.deepEqual(config.httpTimeouts, { headersSeconds: 30, requestSeconds: 120, idleSeconds: 60 });
    assert.equal(config.inboundDataTimeoutSeconds, 300);
    assert.equal(config.inboundMaxConnectionsPerAddress, 10);
    assert.equal(config.metricsToken, null);
  });

  it('each is set by its variable; nonsense is refused with the variable named', () => {
    const config = load({
      PARLEY_HTTP_HEADERS_TIMEOUT_SECONDS: '10',
      PARLEY_HTTP_REQUEST_TIMEOUT_SECONDS: '600',
      PARLEY_HTTP_IDLE_TIMEOUT_SECONDS: '90',
      PARLEY_INBOUND_DATA_TIMEOUT_SECONDS: '60',
      PARLEY_INBOUND_MAX_CONNECTIONS_PER_ADDRESS: '3',
      PARLEY_METRICS_TOKEN: 'a-long-enough-metrics-token',
    });
    assert.deepEqual(config.httpTimeouts, { headersSeconds: 10, requestSeconds: 600, idleSeconds: 90 });
    assert.equal(config.inboundDataTimeoutSeconds, 60);
    assert.equal(config.inboundMaxConnectionsPerAddress, 3);
    assert.equal(config.metricsToken, 'a-long-enough-metrics-token');
    refused(
      { PARLEY_HTTP_IDLE_TIMEOUT_SECONDS: '10' },
      /PARLEY_HTTP_IDLE_TIMEOUT_SECONDS must be a whole number from 30/,
    );
    refused(
      { PARLEY_HTTP_HEADERS_TIMEOUT_SECONDS: '200', PARLEY_HTTP_REQUEST_TIMEOUT_SECONDS: '100' },
      /must not be above PARLEY_HTTP_REQUEST_TIMEOUT_SECONDS/,
    );
    refused({ PARLEY_INBOUND_MAX_CONNECTIONS_PER_ADDRESS: '0' }, /PARLEY_INBOUND_MAX_CONNECTIONS_PER_ADDRESS/);
    refused({ PARLEY_METRICS_TOKEN: 'short' }, /PARLEY_METRICS_TOKEN must be at least 16/);
  });
});

describe('the dispatcher beside serve', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('PARLEY_DISPATCHER_NICE: 10 by default, 0 to 19 accepted, anything else refused with the variable named', () => {
    assert.equal(load({}).dispatcherNice, 10);
    assert.equal(load({ PARLEY_DISPATCHER_NICE: '0' }).dispatcherNice, 0);
    assert.equal(load({ PARLEY_DISPATCHER_NICE: '19' }).dispatcherNice, 19);
    for (const bad of ['20', '-1', '5.5', 'low'])
      refused({ PARLEY_DISPATCHER_NICE: bad }, /PARLEY_DISPATCHER_NICE must be a whole number from 0 to 19/);
  });
});

describe('the database pool', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('PARLEY_DATABASE_POOL_SIZE: 10 by default, 1 to 100 accepted, anything else refused, naming it', () => {
    assert.equal(load({}).databasePoolSize, 10);
    assert.equal(load({ PARLEY_DATABASE_POOL_SIZE: '1' }).databasePoolSize, 1);
    assert.equal(load({ PARLEY_DATABASE_POOL_SIZE: '100' }).databasePoolSize, 100);
    for (const bad of ['0', '101', '2.5', 'many'])
      refused({ PARLEY_DATABASE_POOL_SIZE: bad }, /PARLEY_DATABASE_POOL_SIZE must be a whole number from 1 to 100/);
  });
});
