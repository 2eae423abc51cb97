import { useState, type FormEvent } from 'react';
import { del, get, post } from '../../api.ts';
import { Dialog, ErrorNotice, SuccessNotice, TableCard, When } from '../../components/ui.tsx';
import { useResource } from '../../hooks.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { MAX_LENGTH } from '../../api/limits.ts';
import { EXPIRY_CHOICES, type ApiToken, type Scope } from './api-token.ts';

export function TokensCard() {
  const { t } = useI18n();
  const tokens = useResource(() => get<{ items: ApiToken[] }>('/me/tokens').then((r) => r.items), []);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('read');
  const [expiry, setExpiry] = useState<(typeof EXPIRY_CHOICES)[number]>('90');
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    setRevoked(null);
    if (!name.trim()) {
      setNameError(t('validation.required'));
      return;
    }
    setNameError(null);
    setBusy(true);
    setError(null);
    try {
      const body = await post<ApiToken & { token: string }>('/me/tokens', {
        name: name.trim(),
        scope,
        expiresInDays: expiry === '' ? null : Number(expiry),
      });
      setCreated({ name: body.name, token: body.token });
      setName('');
      await tokens.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(token: ApiToken) {
    setError(null);
    try {
      await del(`/me/tokens/${token.id}`);
      setRevoked(token.name);
      setCreated(null);
    } catch (e) {
      setError(e);
    }
    setRevoking(null);
    await tokens.reload();
  }

  return (
    <section className="card" aria-labelledby="account-tokens-title">
      <h2 id="account-tokens-title" className="card-title">
        {t('account.tokensTitle')}
      </h2>
      <p className="field-hint">{t('account.tokensHint')}</p>
      <form className="form" onSubmit={create} noValidate aria-label={t('account.createToken')}>
        <div className="field-row">
          <div className="field">
            <label htmlFor="token-name">{t('account.tokenName')}</label>
            <input
              id="token-name"
              value={name}
              maxLength={MAX_LENGTH.tokenName}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={!!nameError}
              aria-describedby={nameError ? 'token-name-err' : undefined}
            />
            {nameError ? (
              <p className="field-error" id="token-name-err">
                {nameError}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="token-scope">{t('account.tokenScope')}</label>
            <select id="token-scope" value={scope} onChange={(e) => setScope(e.target.value as Scope)}>
              <option value="read">{t('account.scope.read')}</option>
              <option value="full">{t('account.scope.full')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="token-expiry">{t('account.tokenExpiry')}</label>
            <select
              id="token-expiry"
              value={expiry}
              onChange={(e) => setExpiry(e.target.value as (typeof EXPIRY_CHOICES)[number])}
            >
              {EXPIRY_CHOICES.map((days) => (
                <option key={days} value={days}>
                  {days === '' ? t('account.expiry.never') : t('account.expiry.days', { days: Number(days) })}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('account.createToken')}
          </button>
        </div>
      </form>
      <ErrorNotice error={error ?? tokens.error} />
      {created ? (
        <div className="notice notice-success" role="status">
          <strong className="notice-title">{t('account.tokenCreated', { name: created.name })}</strong>
          <label htmlFor="token-value">{t('account.tokenOnce')}</label>
          <input
            id="token-value"
            className="token-value"
            readOnly
            value={created.token}
            onFocus={(e) => e.currentTarget.select()}
          />
        </div>
      ) : null}
      {revoked ? <SuccessNotice>{t('account.tokenRevoked', { name: revoked })}</SuccessNotice> : null}
      <TableCard
        rows={tokens.data}
        loading={tokens.loading}
        empty={t('account.noTokens')}
        caption={t('account.tokensTitle')}
        headers={[
          t('account.tokenName'),
          t('account.tokenScope'),
          t('account.created'),
          t('account.tokenExpiry'),
          t('account.lastUsed'),
        ]}
        actions
      >
        {(token) => (
          <tr key={token.id}>
            <td>{token.name}</td>
            <td>{t(`account.scope.${token.scope}`)}</td>
            <td>
              <When iso={token.createdAt} />
            </td>
            <td>{token.expiresAt ? <When iso={token.expiresAt} /> : t('account.expiry.never')}</td>
            <td>{token.lastUsedAt ? <When iso={token.lastUsedAt} relative /> : t('account.neverUsed')}</td>
            <td>
              <button
                type="button"
                className="button button-small button-danger"
                onClick={() => setRevoking(token)}
                aria-label={t('account.revokeNamed', { name: token.name })}
              >
                {t('account.revoke')}
              </button>
            </td>
          </tr>
        )}
      </TableCard>
      {revoking ? (
        <Dialog title={t('account.revokeTitle', { name: revoking.name })} onClose={() => setRevoking(null)}>
          <p>{t('account.revokeConfirm')}</p>
          <div className="form-actions">
            <button type="button" className="button button-danger" onClick={() => void revoke(revoking)}>
              {t('account.revokeYes')}
            </button>
            <button type="button" className="button" onClick={() => setRevoking(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </Dialog>
      ) : null}
    </section>
  );
}
