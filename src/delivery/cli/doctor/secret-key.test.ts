import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { replyAddress } from '../../../domain/notifications/reply-address.ts';
import type { Mailbox } from '../../../domain/mailboxes/mailbox.ts';
import { PARAM } from '../../../domain/parameters/parameter-catalogue.ts';
import type { SecretBox } from '../../../ports/secret-box.ts';
import type { Signer } from '../../../ports/signer.ts';
import type { MailboxAccountRow } from '../../../ports/storage.ts';
import type { MailboxOAuthGrant } from '../../../ports/storage/mailbox-oauth.ts';
import { checkSecretKey, NAMED_AT_MOST, type SecretKeyStorage } from './secret-key.ts';

/** "Sealed" as `right:<plain>` opens; anything else (sealed with another key) does not. */
const box: SecretBox = {
  seal: (plain) => `right:${plain}`,
  open(sealed) {
    if (!sealed.startsWith('right:')) throw new Error('The stored secret cannot be opened.');
    return sealed.slice('right:'.length);
  },
};
const right = (plain: string) => `right:${plain}`;
const wrong = (plain: string) => `other:${plain}`;
/** The key's signer, and another key's. */
const signerOf = (key: string): Signer => ({
  sign: (data) => createHash('sha256').update(`${key}:${data}`).digest('hex'),
});
const signer = signerOf('right');
const signedReply = replyAddress(signer, 'desk.example.test', 42, 7);
const otherReply = replyAddress(signerOf('other'), 'desk.example.test', 42, 7);

interface Stored {
  parameters?: Map<number, string>;
  mailboxes?: { id: number; name: string; smtp?: string; imap?: string }[];
  grants?: { mailboxId: number; clientSecret?: string; refresh?: string; access?: string }[];
  webhooks?: { id: number; secretSealed: string }[];
  /** The Reply-To of the newest notification that has one. */
  replyTo?: string;
}

function storage(s: Stored): SecretKeyStorage {
  const mailboxes = s.mailboxes ?? [];
  const grants = s.grants ?? [];
  return {
    settings: {
      getParameters: async () =>
        new Map([...(s.parameters ?? new Map<number, string>())].map(([id, v]) => [id, JSON.stringify(v)])),
    },
    mailboxes: {
      listMailboxes: async () =>
        [...mailboxes].sort((a, b) => a.name.localeCompare(b.name)).map((m) => ({ id: m.id, name: m.name }) as Mailbox),
      mailboxAccounts: async (ids) =>
        mailboxes
          .filter((m) => ids.includes(m.id))
          .map(
            (m) =>
              ({ id: m.id, passwordSealed: m.smtp ?? null, imapPasswordSealed: m.imap ?? null }) as MailboxAccountRow,
          ),
    },
    mailboxOAuth: {
      grantStates: async () =>
        grants.map((g) => ({
          mailboxId: g.mailboxId,
          provider: 'google',
          login: 'x',
          state: 'connected',
          lastError: null,
        })),
      findGrant: async (id) => {
        const g = grants.find((x) => x.mailboxId === id);
        return g
          ? ({
              mailboxId: id,
              clientSecretSealed: g.clientSecret ?? null,
              refreshSealed: g.refresh ?? null,
              accessSealed: g.access ?? null,
            } as MailboxOAuthGrant)
          : undefined;
      },
    },
    webhooks: { webhookEndpointSecrets: async () => s.webhooks ?? [] },
    outbox: { newestReplyAddress: async () => s.replyTo ?? null },
  };
}

const check = (s: Stored, config: { secretKeySource: 'environment' | 'key file'; dataDir: string } = env) =>
  checkSecretKey({ deps: { storage: storage(s), secrets: box, signer }, config });
const env = { secretKeySource: 'environment' as const, dataDir: './data' };

describe('doctor: the secret key check', () => {
  it('nothing sealed yet: the key is present, named by where it comes from', async () => {
    const result = await check({}, { secretKeySource: 'key file', dataDir: '/var/lib/parley/' });
    assert.deepEqual(result, {
      name: 'secret key',
      ok: true,
      detail: '/var/lib/parley/secret.key is present (no stored secret to check it against yet).',
      unreadable: [],
    });
  });

  it('every kind opened: counted by kind', async () => {
    const result = await check({
      parameters: new Map([
        [PARAM.SMTP_PASSWORD, right('smtp')],
        [PARAM.IMAP_PASSWORD, right('imap')],
      ]),
      mailboxes: [
        { id: 1, name: 'Support EU', smtp: right('a'), imap: right('b') },
        { id: 2, name: 'Sales' },
      ],
      grants: [{ mailboxId: 2, clientSecret: right('c'), refresh: right('r'), access: right('t') }],
      webhooks: [{ id: 3, secretSealed: right('w') }],
    });
    assert.equal(result.ok, true);
    assert.equal(
      result.detail,
      'PARLEY_SECRET_KEY opens the 7 stored secrets (2 parameter passwords, 2 mailbox passwords, 1 OAuth2 client ' +
        'secret, the tokens of 1 OAuth2 connection, 1 webhook signing secret).',
    );
  });

  it(`names the first ${NAMED_AT_MOST} it cannot open, then "and N more", and where only those are entered`, async () => {
    const result = await check({
      parameters: new Map([[PARAM.SMTP_PASSWORD, right('smtp')]]),
      webhooks: [1, 2, 3, 4, 5, 6, 7, 8].map((id) => ({ id, secretSealed: wrong(`webhook secret ${id}`) })),
    });
    assert.equal(result.ok, false);
    assert.equal(
      result.detail,
      'the key of PARLEY_SECRET_KEY cannot open 8 of the 9 stored secrets: the signing secret of webhook endpoint ' +
        '#1, the signing secret of webhook endpoint #2, the signing secret of webhook endpoint #3, the signing secret ' +
        'of webhook endpoint #4, the signing secret of webhook endpoint #5 and 3 more. Restore the key they were ' +
        'sealed with, or enter them again: a webhook signing secret by "Replace secret" in Admin › Webhooks (then ' +
        'give the receiver the new one).',
    );
  });

  it('an OAuth2 grant is unreadable when either token is; one without tokens counts its client secret only', async () => {
    const result = await check({
      mailboxes: [
        { id: 1, name: 'Sales' },
        { id: 2, name: 'Not connected' },
      ],
      grants: [
        { mailboxId: 1, refresh: right('r'), access: wrong('t') },
        { mailboxId: 2, clientSecret: right('c') },
      ],
    });
    assert.equal(result.ok, false);
    assert.match(
      result.detail,
      /^the key of PARLEY_SECRET_KEY cannot open 1 of the 2 stored secrets: the OAuth2 tokens of mailbox "Sales"\. .*enter them again: OAuth2 tokens by Reconnect in the mailbox's OAuth2 connection \(once its client secret opens\)\.$/,
    );
  });

  it('a mailbox name with quotes or a line break stays on the one line, quoted; no value is ever printed', async () => {
    const result = await check({
      parameters: new Map([[PARAM.IMAP_PASSWORD, wrong('imap plain')]]),
      mailboxes: [{ id: 1, name: 'Team "A"\nsecond line', smtp: wrong('smtp plain') }],
    });
    assert.equal(result.detail.split('\n').length, 1, 'one line: ' + result.detail.replace(/\n/g, '⏎'));
    assert.match(
      result.detail,
      /cannot open any of the 2 stored secrets: the IMAP password \(parameter 9014\), the SMTP password of mailbox "Team \\"A\\"\\nsecond line"\./,
    );
    assert.match(result.detail, /a parameter's password in Admin › SMTP account .*; a mailbox's password by editing/);
    for (const leak of ['imap plain', 'smtp plain', 'other:']) assert.ok(!result.detail.includes(leak), leak);
  });

  describe('against the reply addresses of earlier notifications (signed with the key)', () => {
    const replies = 'the reply addresses of earlier notifications';

    it('nothing sealed: the newest reply address verifies, or the key is the wrong one', async () => {
      const signed = await check({ replyTo: signedReply });
      assert.deepEqual(signed, {
        name: 'secret key',
        ok: true,
        detail: `PARLEY_SECRET_KEY signed ${replies} (no stored secret to open).`,
        unreadable: [],
      });
      const other = await check({ replyTo: otherReply }, { secretKeySource: 'key file', dataDir: '/var/lib/parley' });
      assert.deepEqual(other, {
        name: 'secret key',
        ok: false,
        detail:
          `/var/lib/parley/secret.key does not match the key that signed ${replies}: replies to them would be held. ` +
          'Restore the key from your backup.',
        unreadable: [],
      });
    });

    it('with sealed secrets: said beside them, whether they open or not', async () => {
      const parameters = (seal: (plain: string) => string) => new Map([[PARAM.SMTP_PASSWORD, seal('smtp')]]);
      const bothOpen = await check({ parameters: parameters(right), replyTo: signedReply });
      assert.equal(bothOpen.ok, true);
      assert.equal(
        bothOpen.detail,
        `PARLEY_SECRET_KEY opens the 1 stored secret (1 parameter password) and signed ${replies}.`,
      );
      const neither = await check({ parameters: parameters(wrong), replyTo: otherReply });
      assert.equal(neither.ok, false);
      assert.equal(
        neither.detail,
        'the key of PARLEY_SECRET_KEY cannot open the stored secret: the SMTP password (parameter 13). Restore the ' +
          "key they were sealed with, or enter them again: a parameter's password in Admin › SMTP account " +
          '(parameter 13) or Admin › Parameters. It does not match the key that signed the reply addresses of ' +
          'earlier notifications either: replies to them would be held.',
      );
      // The secrets entered again with a new key, no notification signed with it yet.
      const secretsOnly = await check({ parameters: parameters(right), replyTo: otherReply });
      assert.equal(secretsOnly.ok, false);
      assert.equal(
        secretsOnly.detail,
        'PARLEY_SECRET_KEY opens the 1 stored secret (1 parameter password) but does not match the key that signed ' +
          `${replies}: replies to them would be held.`,
      );
    });
  });
});
