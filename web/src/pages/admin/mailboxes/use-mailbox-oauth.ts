import { useState } from 'react';
import { get, post, put } from '../../../api.ts';
import { useResource } from '../../../hooks.ts';
import type { MailboxOAuth, OAuthProvider } from '../../../types.ts';

/** The OAuth2 form as typed: the client secret never shown (empty keeps the stored one). */
export interface OAuthForm {
  provider: OAuthProvider;
  clientId: string;
  clientSecret: string;
  tenant: string;
  authorizeUrl: string;
  tokenUrl: string;
  scopes: string;
  login: string;
}

export const formOfOAuth = (o: MailboxOAuth | null, fallbackLogin: string): OAuthForm => ({
  provider: o?.provider ?? 'microsoft',
  clientId: o?.clientId ?? '',
  clientSecret: '',
  tenant: o?.tenant ?? '',
  authorizeUrl: o?.provider === 'custom' ? o.authorizeUrl : '',
  tokenUrl: o?.provider === 'custom' ? o.tokenUrl : '',
  scopes: o?.provider === 'custom' ? o.scopes : '',
  login: o?.login ?? fallbackLogin,
});

function bodyOfOAuth(f: OAuthForm) {
  const custom = f.provider === 'custom';
  return {
    provider: f.provider,
    clientId: f.clientId.trim(),
    ...(f.clientSecret ? { clientSecret: f.clientSecret } : {}),
    tenant: f.provider === 'microsoft' ? f.tenant.trim() || null : null,
    authorizeUrl: custom ? f.authorizeUrl.trim() : null,
    tokenUrl: custom ? f.tokenUrl.trim() : null,
    scopes: custom ? f.scopes.trim() : null,
    login: f.login.trim(),
  };
}

/** A mailbox's OAuth2 client: read, saved, and "Connect" (the browser goes to the provider and comes back). */
export function useMailboxOAuth(mailboxId: number) {
  const oauth = useResource(() => get<MailboxOAuth | null>(`/admin/mailboxes/${mailboxId}/oauth`), [mailboxId]);
  const [busy, setBusy] = useState(false);

  async function save(form: OAuthForm): Promise<MailboxOAuth> {
    setBusy(true);
    try {
      const saved = await put<MailboxOAuth>(`/admin/mailboxes/${mailboxId}/oauth`, bodyOfOAuth(form));
      await oauth.reload();
      return saved;
    } finally {
      setBusy(false);
    }
  }

  /** Leaves the page for the provider's sign-in; it sends the browser back to the mailboxes page. */
  async function connect(): Promise<void> {
    setBusy(true);
    try {
      const { authorizationUrl } = await post<{ authorizationUrl: string; redirectUri: string }>(
        `/admin/mailboxes/${mailboxId}/oauth/start`,
      );
      window.location.assign(authorizationUrl);
    } catch (error) {
      setBusy(false);
      throw error;
    }
  }

  return { oauth, busy, save, connect };
}
