import type { MailTransport, MailTransports, SmtpSettings } from '../../ports/mail-transport.ts';
import type { SecretBox } from '../../ports/secret-box.ts';
import type { Uses } from '../../ports/storage.ts';
import { smtpCredentials, UnreadableSecret } from '../parameters/parameters.ts';
import { DELIVERY_SENTENCES } from '../notifications/delivery-results.ts';
import { DomainError } from '../errors.ts';

/** What a mail goes out with: its mailbox's account and From, or why it cannot go now (the mail waits). */
export type SendingAccount =
  | {
      settings: SmtpSettings;
      from: { name: string | null; address: string };
      transport: MailTransport;
      /** Set when a send was refused for the account's sake (a refused login): the batch's other mails wait. */
      problem: string | null;
    }
  | { settings: null; from: null; transport: null; problem: string };

/**
 * The accounts one dispatcher batch sends with, read once per mailbox: a mailbox's own (migration 024), or the
 * default mailbox (the parameters) for mail queued without one or from a mailbox deleted since. A password the current
 * key cannot open, or no default account, is a problem of the account: its mail is deferred with the reason.
 */
export function sendingAccounts(
  deps: {
    secrets: SecretBox;
    transports: MailTransports;
    /** A live access token of a mailbox's OAuth2 grant (accessTokenFor); throws MAILBOX_OAUTH_RECONNECT. */
    accessToken?: (mailboxId: number, stale?: string) => Promise<{ user: string; accessToken: string }>;
  },
  repos: Uses<{ settings: 'getParameters'; mailboxes: 'mailboxAccounts' }>,
): (mailboxId: number | null) => Promise<SendingAccount> {
  const known = new Map<number | null, Promise<SendingAccount>>();
  const open = (sealed: string) => {
    try {
      return deps.secrets.open(sealed);
    } catch (cause) {
      throw new UnreadableSecret('A stored password cannot be opened with the current secret key.', { cause });
    }
  };
  const oauthOf = async (mailboxId: number) => {
    if (!deps.accessToken)
      throw new DomainError(
        'MAILBOX_OAUTH_RECONNECT',
        `Mailbox ${mailboxId} signs in with OAuth2, which is not set up here.`,
      );
    const renew = async (stale: string) => (await deps.accessToken!(mailboxId, stale)).accessToken;
    return { ...(await deps.accessToken(mailboxId)), renew };
  };
  const read = async (mailboxId: number | null): Promise<SendingAccount> => {
    try {
      const [mailbox] = mailboxId === null ? [] : await repos.mailboxes.mailboxAccounts([mailboxId]);
      const account = mailbox
        ? {
            settings: {
              host: mailbox.smtpHost,
              port: mailbox.smtpPort,
              security: mailbox.smtpSecurity,
              auth: mailbox.smtpAuth === 'password',
              user: mailbox.smtpUser,
              password: mailbox.smtpAuth === 'password' && mailbox.passwordSealed ? open(mailbox.passwordSealed) : null,
              allowInvalidCertificate: mailbox.allowInvalidCertificate,
              oauth2: mailbox.smtpAuth === 'oauth2' ? await oauthOf(mailbox.id) : null,
            },
            from: { name: mailbox.fromName, address: mailbox.fromAddress },
          }
        : await smtpCredentials(deps, repos);
      if (!account) return { settings: null, from: null, transport: null, problem: DELIVERY_SENTENCES.NO_ACCOUNT };
      return { ...account, transport: deps.transports.forSettings(account.settings), problem: null };
    } catch (error) {
      // A grant that needs reconnecting defers the mailbox's mail with the provider's reason.
      if (error instanceof DomainError && error.code === 'MAILBOX_OAUTH_RECONNECT')
        return { settings: null, from: null, transport: null, problem: error.message };
      // Only an unreadable password is the account's problem; anything else (the database) ends the batch.
      if (!(error instanceof UnreadableSecret)) throw error;
      return { settings: null, from: null, transport: null, problem: DELIVERY_SENTENCES.SECRET_UNREADABLE };
    }
  };
  return (mailboxId) => {
    let account = known.get(mailboxId);
    if (!account) known.set(mailboxId, (account = read(mailboxId)));
    return account;
  };
}
