import { useI18n } from '../../../i18n/i18n.tsx';
import type { Group, ImapAuth, MailboxAuth, SmtpSecurity } from '../../../types.ts';
import type { MailboxForm } from './mailbox-form.ts';
import { TextField } from './text-field.tsx';

/** The fields of a mailbox (add and edit): identity, SMTP account, and the groups that send from it. */
export function MailboxFields({
  id,
  form,
  set,
  errors,
  groups,
  passwordSet,
}: {
  id: string;
  form: MailboxForm;
  set<K extends keyof MailboxForm>(key: K, value: MailboxForm[K]): void;
  errors: Partial<Record<keyof MailboxForm, string>>;
  groups: Group[];
  passwordSet: boolean;
}) {
  const { t } = useI18n();
  const field = (
    key: keyof MailboxForm,
    label: string,
    input: { type?: string; autoComplete?: string; inRow?: boolean } = {},
  ) => (
    <TextField
      id={`${id}-${key}`}
      label={label}
      value={form[key] as string}
      onChange={(value) => set(key, value as never)}
      type={input.type}
      autoComplete={input.autoComplete}
      error={errors[key]}
      inRow={input.inRow}
    />
  );
  return (
    <>
      {field('name', t('mailboxes.name'))}
      <div className="field-row">
        {field('fromAddress', t('smtp.from'), { type: 'email', inRow: true })}
        {field('fromName', t('smtp.fromName'), { inRow: true })}
      </div>
      <div className="field-row">
        {field('smtpHost', t('smtp.host'), { inRow: true })}
        {field('smtpPort', t('smtp.port'), { type: 'number', inRow: true })}
      </div>
      <div className="field">
        <label htmlFor={`${id}-security`}>{t('smtp.security')}</label>
        <select
          id={`${id}-security`}
          value={form.smtpSecurity}
          onChange={(e) => set('smtpSecurity', e.target.value as SmtpSecurity)}
        >
          <option value="none">{t('smtp.security.none')}</option>
          <option value="starttls">{t('smtp.security.starttls')}</option>
          <option value="tls">{t('smtp.security.tls')}</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-auth`}>{t('mailboxes.auth')}</label>
        <select
          id={`${id}-auth`}
          value={form.smtpAuth}
          onChange={(e) => set('smtpAuth', e.target.value as MailboxAuth)}
        >
          <option value="password">{t('mailboxes.auth.password')}</option>
          <option value="none">{t('mailboxes.auth.none')}</option>
          <option value="oauth2">{t('mailboxes.auth.oauth2')}</option>
        </select>
      </div>
      {form.smtpAuth === 'password' ? (
        <div className="field-row">
          {field('smtpUser', t('smtp.user'), { inRow: true })}
          <TextField
            id={`${id}-password`}
            label={t('smtp.password')}
            value={form.password}
            onChange={(value) => set('password', value)}
            type="password"
            hint={passwordSet ? t('smtp.passwordKept') : t('smtp.passwordNone')}
            error={errors.password}
            inRow
          />
        </div>
      ) : null}
      <label className="check">
        <input
          type="checkbox"
          checked={form.allowInvalidCertificate}
          onChange={(e) => set('allowInvalidCertificate', e.target.checked)}
        />
        {t('smtp.allowInvalid')}
      </label>
      <fieldset className="fieldset">
        <legend>{t('mailboxes.imap')}</legend>
        <p className="field-hint">{t('mailboxes.imapHint')}</p>
        <div className="field-row">
          {field('imapHost', t('mailboxes.imapHost'), { inRow: true })}
          {field('imapPort', t('mailboxes.imapPort'), { type: 'number', inRow: true })}
        </div>
        {form.imapHost.trim() ? (
          <>
            <div className="field">
              <label htmlFor={`${id}-imap-security`}>{t('mailboxes.imapSecurity')}</label>
              <select
                id={`${id}-imap-security`}
                value={form.imapSecurity}
                onChange={(e) => set('imapSecurity', e.target.value as SmtpSecurity)}
              >
                <option value="tls">{t('smtp.security.tls')}</option>
                <option value="starttls">{t('smtp.security.starttls')}</option>
                <option value="none">{t('smtp.security.none')}</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-imap-auth`}>{t('mailboxes.imapAuth')}</label>
              <select
                id={`${id}-imap-auth`}
                value={form.imapAuth}
                onChange={(e) => set('imapAuth', e.target.value as ImapAuth)}
              >
                <option value="password">{t('mailboxes.auth.password')}</option>
                <option value="oauth2">{t('mailboxes.auth.oauth2')}</option>
              </select>
            </div>
            {form.imapAuth === 'password' ? (
              <div className="field-row">
                {field('imapUser', t('mailboxes.imapUser'), { inRow: true })}
                {field('imapPassword', t('mailboxes.imapPassword'), {
                  inRow: true,
                  type: 'password',
                  autoComplete: 'new-password',
                })}
              </div>
            ) : null}
            {field('imapFolder', t('mailboxes.imapFolder'))}
          </>
        ) : null}
      </fieldset>
      {groups.length > 0 ? (
        <fieldset className="fieldset">
          <legend>{t('mailboxes.groups')}</legend>
          <div className="check-grid">
            {groups.map((g) => (
              <label key={g.id} className="check">
                <input
                  type="checkbox"
                  checked={form.groupIds.includes(g.id)}
                  onChange={(e) =>
                    set(
                      'groupIds',
                      e.target.checked ? [...form.groupIds, g.id] : form.groupIds.filter((x) => x !== g.id),
                    )
                  }
                />
                {g.name}
              </label>
            ))}
          </div>
          <p className="field-hint">{t('mailboxes.groupsHint')}</p>
        </fieldset>
      ) : null}
    </>
  );
}
