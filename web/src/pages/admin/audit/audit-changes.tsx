import type { MessageKey, Translate } from '../../../i18n/i18n.tsx';
import { LANGUAGE_NAMES, useI18n } from '../../../i18n/i18n.tsx';
import { COPIES_MODES } from '../../../api/limits.ts';
import {
  LOCALES,
  OUTBOX_STATUSES,
  WEBHOOK_EVENTS,
  type AuditChange,
  type AuditEntry,
  type WebhookEvent,
} from '../../../types.ts';

const ROLES = ['requester', 'technician', 'admin'] as const;
const SECURITIES = ['none', 'starttls', 'tls'] as const;
const SCOPES = ['read', 'full'] as const;
const MAILBOX_AUTH_KINDS = ['none', 'password', 'oauth2'] as const;
const among = <T extends string>(list: readonly T[], v: unknown): v is T => list.includes(v as T);

/** The fields the log names, worded in the reader's language (another name is shown as it is). */
const FIELDS = [
  'value',
  'host',
  'port',
  'security',
  'auth',
  'user',
  'from',
  'fromName',
  'allowInvalidCertificate',
  'password',
  'name',
  'subject',
  'active',
  'html',
  'text',
  'email',
  'role',
  'locale',
  'timeZone',
  'groupIds',
  'memberIds',
  'userId',
  'scope',
  'expiresAt',
  'status',
  'messages',
  'attachments',
  'inboundMails',
  'outboxEntries',
  'tickets',
  'tokensRevoked',
  'groupId',
  'defaultLocale',
  'variants',
  'url',
  'description',
  'events',
  'publicOnly',
  'allowPrivate',
  'secret',
  'signature',
  'copiesMode',
  'fromAddress',
  'smtpHost',
  'smtpPort',
  'smtpSecurity',
  'smtpAuth',
  'smtpUser',
  'imapHost',
  'imapPort',
  'imapSecurity',
  'imapUser',
  'imapFolder',
  'imapPassword',
  'imapAuth',
  'provider',
  'clientId',
  'clientSecret',
  'tenant',
  'authorizeUrl',
  'tokenUrl',
  'scopes',
  'login',
  'grant',
] as const;

function fieldName(t: Translate, field: string): string {
  if (field.startsWith('text:')) return t('audit.field.answerText', { locale: field.slice(5) });
  return (FIELDS as readonly string[]).includes(field) ? t(`audit.field.${field}` as MessageKey) : field;
}

/** A value as the reader says it: a role, a language, a security, a scope or a mail state in their words. */
function valueText(t: Translate, field: string, value: AuditChange['before']): string {
  if (field === 'role' && among(ROLES, value)) return t(`role.${value}`);
  if (field === 'locale' && among(LOCALES, value)) return LANGUAGE_NAMES[value];
  if ((field === 'security' || field === 'smtpSecurity' || field === 'imapSecurity') && among(SECURITIES, value))
    return t(`smtp.security.${value}`);
  if (field === 'copiesMode' && among(COPIES_MODES, value)) return t(`groups.copiesMode.${value}`);
  if ((field === 'smtpAuth' || field === 'imapAuth') && among(MAILBOX_AUTH_KINDS, value))
    return t(`mailboxes.auth.${value}`);
  if (field === 'scope' && among(SCOPES, value)) return t(`account.scope.${value}`);
  if (field === 'status' && among(OUTBOX_STATUSES, value)) return t(`outbox.${value}`);
  // A webhook's events, stored as "message.created,ticket.created": each by its name.
  if (field === 'events' && typeof value === 'string' && value.split(',').every((e) => among(WEBHOOK_EVENTS, e)))
    return value
      .split(',')
      .map((e) => t(`webhooks.event.${e as WebhookEvent}`))
      .join(', ');
  if (value === null || value === undefined || value === '') return t('audit.nothing');
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  if (Array.isArray(value)) return value.length ? value.join(', ') : t('audit.nothing');
  return String(value);
}

/** What was changed: the action and its target ("Email template “Welcome” #4"). */
export function AuditWhat({ entry }: { entry: AuditEntry }) {
  const { t } = useI18n();
  return (
    <>
      <span className="cell-strong">{t(`audit.action.${entry.action}`)}</span>
      <br />
      <span className="cell-muted">
        {t(`audit.target.${entry.targetType}`)}
        {entry.targetLabel ? ` “${entry.targetLabel}”` : ''}
        {entry.targetId ? ` #${entry.targetId}` : ''}
      </span>
    </>
  );
}

/** Each change as "field: before → after"; a secret only as changed, a long text named only. */
export function AuditChanges({ changes }: { changes: AuditEntry['changes'] }) {
  const { t } = useI18n();
  if (changes.length === 0) return <span className="cell-muted">—</span>;
  return (
    <ul className="audit-changes">
      {changes.map((c) => (
        <li key={c.field} data-field={c.field}>
          <span className="cell-strong">{fieldName(t, c.field)}</span>:{' '}
          {c.withheld === 'secret' ? (
            <em>{t('audit.changed')}</em>
          ) : c.withheld === 'long' ? (
            <em>{t('audit.changedLong')}</em>
          ) : c.withheld === 'erased' ? (
            <em>{t('audit.erasedValue')}</em>
          ) : (
            <>
              {'before' in c ? <del>{valueText(t, c.field, c.before)}</del> : null}
              {'before' in c && 'after' in c ? ' → ' : null}
              {'after' in c ? <ins>{valueText(t, c.field, c.after)}</ins> : null}
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
