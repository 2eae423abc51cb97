import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { missingScopes } from './connect-mailbox.ts';
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
