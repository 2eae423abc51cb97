import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AesGcmSecretBox } from '../../../adapters/crypto/aes-gcm-secret-box.ts';
import { DomainError } from '../../errors.ts';
import { endpointsOf, missingScopes } from './connect-mailbox.ts';
import { OAUTH_PRESETS } from './mailbox-oauth.ts';

describe('missingScopes', () => {
  const microsoft = OAUTH_PRESETS.microsoft.scopes;
  const both = { smtp: true, imap: true };

  it('finds a mail scope the provider left out, whatever its capitalisation of the others', () => {
    assert.deepEqual(missingScopes(microsoft, 'https://outlook.office.com/smtp.send offline_access', both), [
      'https://outlook.office.com/IMAP.AccessAsUser.All',
    ]);
    assert.deepEqual(
      missingScopes(
        microsoft,
        'https://outlook.office.com/SMTP.Send https://outlook.office.com/IMAP.AccessAsUser.All',
        both,
      ),
      [],
      'offline_access is how the grant lives, not a mail permission',
    );
  });

  it('needs the SMTP scope only when the mailbox sends with OAuth2, the IMAP one only when it reads with it', () => {
    const sendOnly = 'https://outlook.office.com/SMTP.Send offline_access';
    assert.deepEqual(missingScopes(microsoft, sendOnly, { smtp: true, imap: false }), []);
    assert.deepEqual(missingScopes(microsoft, sendOnly, { smtp: false, imap: true }), [
      'https://outlook.office.com/IMAP.AccessAsUser.All',
    ]);
    assert.deepEqual(missingScopes(OAUTH_PRESETS.google.scopes, 'openid', { smtp: true, imap: false }), [
      'https://mail.google.com/',
    ]);
  });

  it('takes a server that does not say what it granted as having granted what was asked (RFC 6749 5.1)', () => {
    assert.deepEqual(missingScopes(microsoft, null, both), []);
  });
});

describe('endpointsOf', () => {
  const grant = (clientSecretSealed: string | null) => ({
    authorizeUrl: 'https://login.example.test/authorize',
    tokenUrl: 'https://login.example.test/token',
    clientId: 'parley',
    clientSecretSealed,
  });
  const site = { publicUrl: 'https://desk.example.test' };

  it('opens the client secret with the key it was sealed with', () => {
    const box = new AesGcmSecretBox('the-key-of-this-desk-the-key-of-this-desk');
    const endpoints = endpointsOf({ secrets: box, site }, grant(box.seal('client secret 1')));
    assert.equal(endpoints.clientSecret, 'client secret 1');
    assert.equal(endpoints.redirectUri, 'https://desk.example.test/api/v1/admin/mailboxes/oauth/callback');
    assert.equal(endpointsOf({ secrets: box, site }, grant(null)).clientSecret, null, 'a public client');
  });

  it('a client secret sealed with another key: a 409 that says to enter it again, never a raw error', () => {
    const other = new AesGcmSecretBox('another-key-another-key-another-key-0123');
    const box = new AesGcmSecretBox('the-key-of-this-desk-the-key-of-this-desk');
    assert.throws(
      () => endpointsOf({ secrets: box, site }, grant(other.seal('client secret 1'))),
      (e: unknown) =>
        e instanceof DomainError &&
        e.code === 'MAILBOX_OAUTH_NOT_SET' &&
        /enter the client secret again/.test(e.message) &&
        !e.message.includes('client secret 1'),
    );
  });
});
