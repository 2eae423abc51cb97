import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { differsOnlyInWithheld, urlForAudit } from './url-for-audit.ts';

describe('urlForAudit', () => {
  it('keeps the scheme, host and port, and withholds the path, query, fragment and credentials', () => {
    assert.equal(urlForAudit('https://hooks.slack.com/services/T000/B000/XXXXSECRET'), 'https://hooks.slack.com/…');
    assert.equal(urlForAudit('https://desk.example.org:8443/hook?token=abc'), 'https://desk.example.org:8443/…');
    assert.equal(urlForAudit('https://user:pass@hooks.example.org/'), 'https://hooks.example.org/');
    assert.equal(urlForAudit('http://127.0.0.1:9000'), 'http://127.0.0.1:9000/');
    assert.equal(urlForAudit('https://example.org/#frag'), 'https://example.org/…');
  });

  it('never returns what it could not read', () => {
    assert.equal(urlForAudit('https://exa mple.org/secret'), 'https://…');
    assert.equal(urlForAudit('not a url with secret'), '…');
  });

  it('tells a change hidden by the withholding from one it shows', () => {
    assert.equal(differsOnlyInWithheld('https://a.example/x1', 'https://a.example/x2'), true);
    assert.equal(differsOnlyInWithheld('https://a.example/x1', 'https://b.example/x1'), false);
    assert.equal(differsOnlyInWithheld('https://a.example/x1', 'https://a.example/x1'), false);
  });
});
