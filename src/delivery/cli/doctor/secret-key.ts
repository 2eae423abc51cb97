import type { Config } from '../../../config/config.ts';
import { readReplyAddress } from '../../../domain/notifications/reply-address.ts';
import type { SecretBox } from '../../../ports/secret-box.ts';
import type { Signer } from '../../../ports/signer.ts';
import type { Uses } from '../../../ports/storage.ts';
import { failed, passed, type CheckResult } from './check.ts';
import { sealedSecrets, type SealedSecret, type SealedSecretKind, type SealedSecretStorage } from './sealed-secrets.ts';

/** How many unreadable secrets the line names before "and N more". */
export const NAMED_AT_MOST = 5;

/** Where an administrator enters each kind again (the key that sealed it being lost). */
const ENTER_AGAIN: Record<SealedSecretKind, string> = {
  'parameter password': "a parameter's password in Admin › SMTP account (parameter 13) or Admin › Parameters",
  'mailbox password': "a mailbox's password by editing the mailbox in Admin › Mailboxes",
  'OAuth2 client secret': "an OAuth2 client secret by saving it in the mailbox's OAuth2 connection (Admin › Mailboxes)",
  'OAuth2 tokens': "OAuth2 tokens by Reconnect in the mailbox's OAuth2 connection (once its client secret opens)",
  'webhook signing secret':
    'a webhook signing secret by "Replace secret" in Admin › Webhooks (then give the receiver the new one)',
};

const KINDS = Object.keys(ENTER_AGAIN) as SealedSecretKind[];

/** The reads the check makes: the sealed secrets, and the newest signed reply address. */
export type SecretKeyStorage = SealedSecretStorage & Uses<{ outbox: 'newestReplyAddress' }>;

const REPLIES = 'the reply addresses of earlier notifications';

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "1 parameter password, 2 mailbox passwords, 1 webhook signing secret". */
function summary(secrets: readonly SealedSecret[]): string {
  return KINDS.map((kind) => [kind, secrets.filter((s) => s.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => (kind === 'OAuth2 tokens' ? `the tokens of ${count(n, 'OAuth2 connection')}` : count(n, kind)))
    .join(', ');
}

function opens(box: SecretBox, secret: SealedSecret): boolean {
  try {
    for (const sealed of secret.sealed) box.open(sealed);
    return true;
  } catch {
    return false;
  }
}

/**
 * The secret key opens every secret sealed with it: the secret parameters (the SMTP and IMAP passwords), the team
 * mailboxes' passwords, OAuth2 client secrets and tokens, and the webhook endpoints' signing secrets (`sealedSecrets`).
 * The line names those it cannot open (the first few) and where each is entered again; never a secret's value.
 * `unreadable` lists them all, for the checks that need one of them.
 *
 * The key also signs the reply and bounce addresses of the notifications: it must verify the newest stored reply
 * address (`outbox_entry.reply_to`; bounce addresses are not stored, and the same key signs them), as replies to the
 * mails already sent are held otherwise. A desk with no secret sealed (an SMTP relay without a password) has only
 * these to check the key against.
 */
export async function checkSecretKey(parley: {
  deps: { storage: SecretKeyStorage; secrets: SecretBox; signer: Signer };
  config: Pick<Config, 'secretKeySource' | 'dataDir'>;
}): Promise<CheckResult & { unreadable: SealedSecret[] }> {
  const source =
    parley.config.secretKeySource === 'environment'
      ? 'PARLEY_SECRET_KEY'
      : `${parley.config.dataDir}/secret.key`.replace(/\/+/g, '/');
  const secrets = await sealedSecrets(parley.deps.storage);
  const unreadable = secrets.filter((s) => !opens(parley.deps.secrets, s));
  const reply = await parley.deps.storage.outbox.newestReplyAddress();
  // null: no notification has a reply address yet.
  const signed = reply === null ? null : readReplyAddress(parley.deps.signer, reply) !== undefined;
  if (unreadable.length > 0) {
    const named = unreadable.slice(0, NAMED_AT_MOST).map((s) => s.label);
    const more = unreadable.length - named.length;
    const where = KINDS.filter((kind) => unreadable.some((s) => s.kind === kind)).map((kind) => ENTER_AGAIN[kind]);
    const which =
      unreadable.length < secrets.length
        ? `${unreadable.length} of the ${count(secrets.length, 'stored secret')}`
        : secrets.length === 1
          ? 'the stored secret'
          : `any of the ${secrets.length} stored secrets`;
    return {
      ...failed(
        'secret key',
        `the key of ${source} cannot open ${which}: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}. ` +
          `Restore the key they were sealed with, or enter them again: ${where.join('; ')}.` +
          (signed === false
            ? ` It does not match the key that signed ${REPLIES} either: replies to them would be held.`
            : ''),
      ),
      unreadable,
    };
  }
  const opened = `opens the ${count(secrets.length, 'stored secret')} (${summary(secrets)})`;
  if (signed === false)
    return {
      ...failed(
        'secret key',
        secrets.length > 0
          ? // The secrets were entered again with this key, and no notification was signed with it since.
            `${source} ${opened} but does not match the key that signed ${REPLIES}: replies to them would be held.`
          : `${source} does not match the key that signed ${REPLIES}: replies to them would be held. ` +
              'Restore the key from your backup.',
      ),
      unreadable: [],
    };
  return {
    ...passed(
      'secret key',
      secrets.length > 0
        ? `${source} ${opened}${signed ? ` and signed ${REPLIES}` : ''}.`
        : signed
          ? `${source} signed ${REPLIES} (no stored secret to open).`
          : `${source} is present (no stored secret to check it against yet).`,
    ),
    unreadable: [],
  };
}
