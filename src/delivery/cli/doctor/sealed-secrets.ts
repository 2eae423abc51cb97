import { PARAMETER_CATALOGUE } from '../../../domain/parameters/parameter-catalogue.ts';
import { readParameters } from '../../../domain/parameters/parameters.ts';
import type { Uses } from '../../../ports/storage.ts';

/** What a sealed secret is, which says where an administrator enters it again. */
export type SealedSecretKind =
  'parameter password' | 'mailbox password' | 'OAuth2 client secret' | 'OAuth2 tokens' | 'webhook signing secret';

/** A secret stored sealed with the secret key, named as an operator reads it; never its value. */
export interface SealedSecret {
  kind: SealedSecretKind;
  /** E.g. `the SMTP password of mailbox "Support EU"`. */
  label: string;
  /** The sealed values (an OAuth2 grant's refresh and access tokens are one secret): opened only when all open. */
  sealed: string[];
  /** A secret parameter's id (13: the default SMTP account's password). */
  parameterId?: number;
}

/** The reads `sealedSecrets` makes. */
export type SealedSecretStorage = Uses<{
  settings: 'getParameters';
  mailboxes: 'listMailboxes' | 'mailboxAccounts';
  mailboxOAuth: 'grantStates' | 'findGrant';
  webhooks: 'webhookEndpointSecrets';
}>;

/** "SMTP password (write-only, encrypted at rest)" → "SMTP password". */
const parameterName = (description: string) => description.replace(/\s*\(.*$/, '');

/**
 * Every secret stored sealed with the secret key: the secret parameters (13, the SMTP password; 9014, the IMAP
 * support mailbox's), each team mailbox's SMTP and IMAP passwords (migrations 024, 025), its OAuth2 client secret and
 * the refresh and access tokens of its grant (027), and each webhook endpoint's signing secret (017). An OAuth2
 * authorization under way (its PKCE verifier, for ten minutes) is not counted: it is started again in a click.
 */
export async function sealedSecrets(storage: SealedSecretStorage): Promise<SealedSecret[]> {
  const found: SealedSecret[] = [];
  const values = await readParameters(storage);
  for (const def of PARAMETER_CATALOGUE) {
    const value = values.get(def.id);
    if (def.type === 'secret' && typeof value === 'string')
      found.push({
        kind: 'parameter password',
        label: `the ${parameterName(def.description['en-US'])} (parameter ${def.id})`,
        sealed: [value],
        parameterId: def.id,
      });
  }
  const mailboxes = await storage.mailboxes.listMailboxes(); // by name
  const accounts = new Map((await storage.mailboxes.mailboxAccounts(mailboxes.map((m) => m.id))).map((a) => [a.id, a]));
  const grants = new Set((await storage.mailboxOAuth.grantStates()).map((g) => g.mailboxId));
  for (const mailbox of mailboxes) {
    const of = `of mailbox ${JSON.stringify(mailbox.name)}`;
    const account = accounts.get(mailbox.id);
    if (account?.passwordSealed)
      found.push({ kind: 'mailbox password', label: `the SMTP password ${of}`, sealed: [account.passwordSealed] });
    if (account?.imapPasswordSealed)
      found.push({ kind: 'mailbox password', label: `the IMAP password ${of}`, sealed: [account.imapPasswordSealed] });
    const grant = grants.has(mailbox.id) ? await storage.mailboxOAuth.findGrant(mailbox.id) : undefined;
    if (grant?.clientSecretSealed)
      found.push({
        kind: 'OAuth2 client secret',
        label: `the OAuth2 client secret ${of}`,
        sealed: [grant.clientSecretSealed],
      });
    const tokens = [grant?.refreshSealed, grant?.accessSealed].filter((t): t is string => typeof t === 'string');
    if (tokens.length > 0) found.push({ kind: 'OAuth2 tokens', label: `the OAuth2 tokens ${of}`, sealed: tokens });
  }
  for (const endpoint of await storage.webhooks.webhookEndpointSecrets())
    found.push({
      kind: 'webhook signing secret',
      label: `the signing secret of webhook endpoint #${endpoint.id}`,
      sealed: [endpoint.secretSealed],
    });
  return found;
}
