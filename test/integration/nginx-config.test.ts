/**
 * deploy/nginx/parley.conf, the production nginx configuration that test/integration/several-instances.test.ts runs:
 * nginx accepts it as shipped and as the test renders it, only its marked lines change, and its limits fit Parley's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { UPLOAD_BODY_LIMIT } from '../../src/delivery/http/attachments/uploads.ts';
import { checkNginxConf, NGINX_SKIP, PRODUCTION_CONF, renderNginxConf } from '../support/nginx.ts';

const shipped = readFileSync(PRODUCTION_CONF, 'utf8');

/** A size as nginx reads it: bytes, k, m or g. */
function bytes(size: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(size);
  assert.ok(m, size);
  return Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
}

/** The value of a directive inside `location <match> { … }`, or at server level when `match` is null. */
function directive(name: string, match: string | null): string | undefined {
  const block =
    match === null ? shipped.replace(/location [^{]+\{[^}]*\}/g, '') : shipped.split(match)[1]?.split('}')[0];
  return new RegExp(`^\\s*${name}\\s+([^;]+);`, 'm').exec(block ?? '')?.[1];
}

describe('the production nginx configuration', () => {
  it('nginx accepts it as shipped and as rendered for the test', { skip: NGINX_SKIP }, () => {
    for (const conf of [shipped, renderNginxConf({ listenPort: 18080, instances: ['127.0.0.1:1', '127.0.0.1:2'] })]) {
      const check = checkNginxConf(conf);
      assert.ok(check.ok, check.output);
    }
  });

  it('the test changes only the marked lines: listen, and one upstream server line per instance', () => {
    const rendered = renderNginxConf({ listenPort: 18080, instances: ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'] });
    const unmarked = (text: string) => text.split('\n').filter((l) => !/# parley:(listen|instance)$/.test(l));
    assert.deepEqual(unmarked(rendered), unmarked(shipped));
    assert.equal(rendered.match(/^\s*server 127\.0\.0\.1:\d .*# parley:instance$/gm)?.length, 3);
    assert.match(rendered, /^\s*listen 127\.0\.0\.1:18080; # parley:listen$/m);
  });

  it("lets Parley's largest body through (10 MB of attachments, base64 in JSON), and not much more", () => {
    const limit = bytes(directive('client_max_body_size', null)!);
    assert.ok(limit >= UPLOAD_BODY_LIMIT, `${limit} < ${UPLOAD_BODY_LIMIT}`);
    assert.ok(limit < UPLOAD_BODY_LIMIT * 1.25, `${limit} is far above ${UPLOAD_BODY_LIMIT}`);
  });

  it('passes live updates on unbuffered and keeps the stream open past the 25 s heartbeat', () => {
    const events = 'location = /api/v1/events {';
    assert.equal(directive('proxy_buffering', events), 'off');
    assert.equal(directive('proxy_read_timeout', events), '1h');
    assert.equal(directive('proxy_set_header X-Forwarded-For', null), '$remote_addr');
    assert.equal(directive('proxy_set_header X-Forwarded-Proto', null), '$scheme');
    assert.equal(directive('proxy_set_header Host', null), '$host');
  });

  it('gives up on an instance that does not answer the connection within seconds, not a minute', () => {
    const connect = directive('proxy_connect_timeout', null);
    assert.ok(connect && /^\d+s$/.test(connect) && parseInt(connect) <= 5, `proxy_connect_timeout ${connect}`);
  });
});
