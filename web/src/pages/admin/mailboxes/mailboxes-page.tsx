import { useEffect, useState } from 'react';
import { ErrorNotice, Loading, Page, SuccessNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { Mailbox } from '../../../types.ts';
import { useRouter } from '../../../router.tsx';
import { MailboxDialog } from './mailbox-dialog.tsx';
import { OAuthStatus } from './oauth-status.tsx';
import { useMailboxes } from './use-mailboxes.ts';

/** Mailboxes: a team's own sending address and SMTP account; the other teams send from the default mailbox. */
export function AdminMailboxes() {
  const { t } = useI18n();
  const { mailboxes, groups, notice, setNotice, error, setError, create, update, remove } = useMailboxes();
  const [editing, setEditing] = useState<Mailbox | 'new' | null>(null);
  const [oauthProblem, setOAuthProblem] = useState<string | null>(null);
  const { path, search, navigate } = useRouter();
  // Back from the provider's sign-in (the callback sends the browser here): say how it went, once.
  const connected = search.get('connected');
  const oauthError = search.get('oauthError');
  const list = mailboxes.data;
  useEffect(() => {
    if ((!connected && !oauthError) || !list) return;
    const mailbox = list.find((m) => String(m.id) === (connected ?? search.get('mailbox')));
    const name = mailbox?.name ?? '';
    if (connected) setNotice(t('mailboxes.oauth.connectedNotice', { name }));
    else {
      // The provider's words come from the server (kept on a grant not yet connected), never from the address.
      const said = mailbox?.oauth?.state === 'not_connected' ? mailbox.oauth.lastError : null;
      const problem = search.get('problem');
      const why =
        problem === 'scopes' && said
          ? t('mailboxes.oauth.missingScopes', { scopes: said })
          : problem === 'no-refresh-token'
            ? t('mailboxes.oauth.noRefreshToken')
            : problem === 'refused' && said
              ? t('mailboxes.oauth.providerSaid', { reason: said })
              : null;
      setOAuthProblem(
        mailbox && why ? t('mailboxes.oauth.failedBecause', { name, reason: why }) : t('error.mailboxOAuthFailed'),
      );
    }
    navigate(path, { replace: true });
  }, [connected, oauthError, list, search, path, navigate, setNotice, t]);
  const groupName = (id: number) => groups.data?.find((g) => g.id === id)?.name ?? `#${id}`;
  const withoutMailbox = (groups.data ?? []).filter((g) => g.mailboxId === null);

  return (
    <Page title={t('mailboxes.title')} subtitle={t('mailboxes.subtitle')}>
      <ErrorNotice error={mailboxes.error ?? groups.error ?? error} />
      {oauthProblem ? (
        <div className="notice notice-error" role="alert">
          {oauthProblem}
        </div>
      ) : null}
      {notice ? <SuccessNotice>{notice}</SuccessNotice> : null}
      {mailboxes.loading && !mailboxes.data ? <Loading /> : null}
      <section className="card" aria-labelledby="mailboxes-list-h">
        <h2 id="mailboxes-list-h" className="card-title">
          {t('mailboxes.list')}
        </h2>
        <ul className="list" data-testid="mailboxes">
          <li className="list-item" data-testid="mailbox-default">
            <strong>{t('mailboxes.default')}</strong>
            <p className="field-hint">
              {t('mailboxes.defaultHint')}{' '}
              {withoutMailbox.length > 0
                ? t('mailboxes.usedBy', { groups: withoutMailbox.map((g) => g.name).join(', ') })
                : t('mailboxes.unused')}
            </p>
            <a href="/admin/smtp">{t('mailboxes.defaultLink')}</a>
          </li>
          {(mailboxes.data ?? []).map((m) => (
            <li key={m.id} className="list-item" data-testid="mailbox">
              <strong>{m.name}</strong>
              <p>
                {m.fromName ? `${m.fromName} <${m.fromAddress}>` : m.fromAddress} · {m.smtpHost}:{m.smtpPort}
              </p>
              <p className="field-hint">
                {m.groupIds.length > 0
                  ? t('mailboxes.usedBy', { groups: m.groupIds.map(groupName).join(', ') })
                  : t('mailboxes.unused')}
              </p>
              {m.oauth ? <OAuthStatus oauth={m.oauth} /> : null}
              <div className="form-actions">
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => setEditing(m)}
                  aria-label={t('mailboxes.edit', { name: m.name })}
                >
                  {t('common.edit')}
                </button>
                <button
                  type="button"
                  className="button button-small button-danger"
                  onClick={() => void remove(m)}
                  aria-label={t('mailboxes.delete', { name: m.name })}
                >
                  {t('common.delete')}
                </button>
              </div>
            </li>
          ))}
        </ul>
        <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
          {t('mailboxes.add')}
        </button>
      </section>
      {editing ? (
        <MailboxDialog
          key={editing === 'new' ? 'new' : editing.id}
          mailbox={editing === 'new' ? null : editing}
          groups={groups.data ?? []}
          onClose={() => setEditing(null)}
          onSave={async (form) => {
            setOAuthProblem(null);
            setError(null);
            // A mailbox that now signs in with OAuth2 stays open: its connection is set up next, in the same dialog.
            const before = editing === 'new' ? null : editing;
            const saved = before ? await update(before.id, form) : await create(form);
            const oauth = (m: Mailbox | null) => !!m && (m.smtpAuth === 'oauth2' || m.imapAuth === 'oauth2');
            setEditing(oauth(saved) && !oauth(before) ? saved : null);
          }}
        />
      ) : null}
    </Page>
  );
}
