import type { SecretBox } from '../../ports/secret-box.ts';
import type { Uses } from '../../ports/storage.ts';
import { imapAccount, UnreadableSecret, type ImapAccount } from '../parameters/parameters.ts';

/** An IMAP folder to read, with where it comes from: the support mailbox (parameters 9010–9015) or a team's. */
export interface ImapSource {
  mailboxId: number | null;
  account: ImapAccount;
}

/**
 * Every IMAP folder Parley reads: the support mailbox of the parameters and each team mailbox that has one, passwords
 * opened (for the IMAP readers only). A password the current key cannot open leaves that folder out, named in
 * `unreadable` for the log.
 */
export async function imapSources(
  deps: { secrets: SecretBox },
  repos: Uses<{ settings: 'getParameters'; mailboxes: 'listMailboxes' | 'mailboxAccounts' }>,
): Promise<{ sources: ImapSource[]; unreadable: string[] }> {
  const sources: ImapSource[] = [];
  const unreadable: string[] = [];
  try {
    const account = await imapAccount(deps, repos);
    if (account) sources.push({ mailboxId: null, account });
  } catch (error) {
    if (!(error instanceof UnreadableSecret)) throw error;
    unreadable.push('the support mailbox (parameter 9014)');
  }
  const withImap = (await repos.mailboxes.listMailboxes()).filter((m) => m.imapHost !== null);
  for (const m of await repos.mailboxes.mailboxAccounts(withImap.map((m) => m.id))) {
    if (!m.imapHost) continue;
    const where = {
      host: m.imapHost,
      port: m.imapPort ?? 993,
      security: m.imapSecurity ?? 'tls',
      mailbox: m.imapFolder || 'INBOX',
      allowInvalidCertificate: m.allowInvalidCertificate,
    };
    if (m.imapAuth === 'oauth2') {
      // Signed in as its grant's account with a fresh access token at each connection (the reader asks for it).
      sources.push({ mailboxId: m.id, account: { ...where, user: '', password: '', oauthMailboxId: m.id } });
      continue;
    }
    if (!m.imapUser || !m.imapPasswordSealed) continue;
    let password: string;
    try {
      password = deps.secrets.open(m.imapPasswordSealed);
    } catch {
      unreadable.push(`mailbox "${m.name}"`);
      continue;
    }
    sources.push({ mailboxId: m.id, account: { ...where, user: m.imapUser, password } });
  }
  return { sources, unreadable };
}
