import { ApiError } from './api.ts';
import { ATTACHMENT_LIMITS, formatSize } from './components/attachment-limits.ts';
import type { Translate } from './i18n/i18n.tsx';
import { MAX_LENGTH } from './api/limits.ts';
import { cannedAnswerErrorText } from './canned-answer-errors.ts';
import { templateErrorText } from './template-errors.ts';
import { signatureErrorText } from './signature-errors.ts';

const PARAMETER_RULES = [
  'required',
  'templateId',
  'groupId',
  'email',
  'boolean',
  'text',
  'maxLength',
  'oneLine',
  'host',
  'forbiddenHost',
  'port',
  'days',
  'count',
  'enum',
  'templateMissing',
  'templateInactive',
] as const;

/** A sentence for a person, in their language: worded for each code Parley knows; otherwise a sentence that quotes the API's message. */
export function errorText(t: Translate, error: unknown): string {
  if (!(error instanceof ApiError)) return t('error.unexpected');
  const d = error.details ?? {};
  switch (error.code) {
    case 'NETWORK':
      return t('error.network');
    case 'AUTH_INVALID_CREDENTIALS':
      return t('error.invalidCredentials');
    case 'AUTH_RATE_LIMITED': {
      const seconds = typeof d.retryAfterSeconds === 'number' ? d.retryAfterSeconds : 900;
      if (seconds < 60) return t('account.rateLimitedSeconds', { seconds: Math.max(1, seconds) });
      return t('error.rateLimited', { minutes: Math.max(1, Math.ceil(seconds / 60)) });
    }
    case 'PASSWORD_INCORRECT':
      return t('account.passwordIncorrect');
    case 'TOKEN_NOT_FOUND':
      return t('account.tokenNotFound');
    case 'TOKEN_READ_ONLY':
      return t('account.tokenReadOnly');
    case 'AUTH_REQUIRED':
      return t('error.signedOut');
    case 'AUTH_CSRF_FAILED':
      return t('error.csrf');
    case 'FORBIDDEN':
      return d.reason === 'author-inactive' ? t('error.authorInactive') : t('error.forbidden');
    case 'TICKET_NOT_FOUND':
      return t('error.ticketNotFound');
    case 'MESSAGING_UNAVAILABLE':
      return t('messaging.unavailablePlain');
    case 'TICKET_CLOSED':
      return t('portal.closed');
    case 'TEMPLATE_UNKNOWN_KEY':
    case 'TEMPLATE_SYNTAX_ERROR':
    case 'TEMPLATE_TOO_LARGE':
    case 'TEMPLATE_INVALID':
      return templateErrorText(t, error.code, d) ?? t('error.refused', { message: error.message });
    case 'USER_NOT_FOUND':
      return t('error.userNotFound');
    case 'USER_INVALID':
      return d.field
        ? t('error.userInvalidField', {
            field: userFieldName(t, d.field),
            reason: userFieldProblem(t, d.field, error.message),
          })
        : t('error.refused', { message: error.message });
    case 'USER_SELF_LOCKOUT':
      return t('error.userSelfLockout');
    case 'USER_EMAIL_TAKEN':
      return t('error.userEmailTaken');
    case 'USER_NOT_ERASABLE':
      return t('error.userNotErasable');
    case 'USER_ALREADY_ERASED':
      if (d.reason === 'people-erased') return t('error.peopleErased');
      return d.reason === 'author-erased' ? t('error.authorErased') : t('error.userAlreadyErased');
    case 'ERASURE_NOT_CONFIRMED':
      return t('error.erasureNotConfirmed');
    case 'TICKET_TEAM_REQUIRED':
      return t('error.ticketTeamRequired');
    case 'GROUP_NOT_FOUND':
      return t('error.groupNotFound');
    case 'GROUP_NAME_TAKEN':
      return t('error.groupNameTaken');
    case 'GROUP_IN_USE': {
      if (d.parameter === 9018) return t('error.groupIsDefaultTeam');
      const count = [d.ticketCount, d.tickets, d.count].find((n) => typeof n === 'number') as number | undefined;
      return count !== undefined ? t('error.groupInUseCount', { count }) : t('error.groupInUse');
    }
    case 'INBOUND_MAIL_NOT_PENDING':
      return t('error.inboundNotPending');
    case 'INBOUND_MAIL_NOT_FOUND':
      return t('error.inboundNotFound');
    case 'TEMPLATE_NOT_FOUND':
      return t('error.templateNotFound');
    case 'CANNED_ANSWER_NOT_FOUND':
    case 'CANNED_ANSWER_UNKNOWN_KEY':
    case 'CANNED_ANSWER_SYNTAX_ERROR':
    case 'CANNED_ANSWER_INVALID':
      return cannedAnswerErrorText(t, error.code, d);
    case 'SIGNATURE_UNKNOWN_KEY':
    case 'SIGNATURE_SYNTAX_ERROR':
    case 'SIGNATURE_INVALID':
      return signatureErrorText(t, error.code, d);
    case 'ATTACHMENT_TOO_LARGE':
      return typeof d.name === 'string'
        ? t('error.attachmentTooLarge', { name: d.name, max: formatSize(ATTACHMENT_LIMITS.maxBytes) })
        : t('error.attachmentsTooLarge', { max: formatSize(ATTACHMENT_LIMITS.maxTotalBytes) });
    case 'PAYLOAD_TOO_LARGE':
      return t('error.attachmentsTooLarge', { max: formatSize(ATTACHMENT_LIMITS.maxTotalBytes) });
    case 'PARAMETER_INVALID': {
      // Where a stored password goes changed without it: the SMTP one (13) or the IMAP reader's (9014).
      if (d.reason === 'password-required')
        return d.secret === 9014 ? t('error.imapPasswordRequired') : t('error.smtpPasswordRequired');
      const rule = String(d.rule ?? '');
      if (!(PARAMETER_RULES as readonly string[]).includes(rule)) return t('error.refused', { message: error.message });
      const options = Array.isArray(d.options)
        ? d.options
            .map((o: unknown) =>
              o === 'none' || o === 'starttls' || o === 'tls' ? t(`smtp.security.${o}`) : String(o),
            )
            .join(', ')
        : '';
      return t(`error.parameter.${rule as (typeof PARAMETER_RULES)[number]}`, {
        id: Number(d.parameter ?? 0),
        options,
        value: String(d.value ?? ''),
      });
    }
    case 'SMTP_ACCOUNT_INVALID':
      if (d.reason === 'imap-password-required') return t('error.smtpCertImapPassword');
      return d.reason === 'password-required' ? t('error.smtpPasswordRequired') : t('error.smtpCredentials');
    case 'MAILBOX_INVALID':
      if (d.reason === 'secret-required') return t('error.mailboxClientSecretRequired');
      if (d.reason === 'password-required')
        return t('error.mailboxPasswordRequired', { what: d.field === 'imapPassword' ? 'IMAP' : 'SMTP' });
      return t('error.refused', { message: error.message });
    case 'NOT_FOUND':
    case 'ROUTE_NOT_FOUND':
    case 'PARAMETER_NOT_FOUND':
      return t('error.notFound');
    case 'OUTBOX_ENTRY_NOT_FOUND':
      return t('error.outboxNotFound');
    case 'OUTBOX_NOT_RETRYABLE':
      return t('error.outboxNotRetryable');
    case 'MAIL_NOT_RESENDABLE':
      return t('error.mailNotResendable');
    case 'MAIL_ALREADY_RESENT':
      return t('error.mailAlreadyResent');
    case 'MAIL_ADDRESS_UNCHANGED':
      return t('error.mailAddressUnchanged');
    case 'TEMPLATE_IN_USE':
      return t('error.templateInUse', { parameter: String(d.parameter ?? 417) });
    case 'MAIL_CATCHER_OFF':
      return t('error.catcherOff');
    case 'INBOUND_RAW_REMOVED':
      return t('error.rawRemoved');
    case 'MESSAGE_INTERNAL_NOT_ALLOWED':
      return t('error.internalNotAllowed');
    case 'ATTACHMENT_NOT_FOUND':
      return t('error.attachmentNotFound');
    case 'WEBHOOK_ENDPOINT_NOT_FOUND':
      return t('error.webhookNotFound');
    case 'WEBHOOK_DELIVERY_NOT_FOUND':
      return t('error.webhookDeliveryNotFound');
    case 'WEBHOOK_DELIVERY_BUSY':
      return t('error.webhookDeliveryBusy');
    case 'WEBHOOK_ENDPOINT_INVALID':
      return webhookProblem(t, d.reason) ?? t('error.refused', { message: error.message });
    case 'MAILBOX_IN_USE':
      return d.reason === 'unsent' && typeof d.count === 'number'
        ? t('error.mailboxInUseUnsent', { count: d.count })
        : t('error.mailboxInUseGroups');
    case 'MAILBOX_NAME_TAKEN':
      return t('error.mailboxNameTaken');
    case 'MAILBOX_NOT_FOUND':
      return t('error.mailboxNotFound');
    case 'MAILBOX_OAUTH_NOT_SET':
      return t('error.mailboxOAuthNotSet');
    case 'MAILBOX_OAUTH_FAILED':
      return t('error.mailboxOAuthFailed');
    case 'MAILBOX_OAUTH_RECONNECT':
      return t('error.mailboxOAuthReconnect');
    case 'UNSUPPORTED_MEDIA_TYPE':
      return t('error.unsupportedMediaType');
    default:
      if (error.status >= 500 || error.status === 0) return t('error.server');
      // A code this page has no sentence for: say so in the reader's language, with the server's own words.
      return t('error.refused', { message: error.message });
  }
}

const WEBHOOK_PROBLEMS = [
  'url-length',
  'not-url',
  'not-https',
  'credentials',
  'forbidden',
  'private',
  'description-length',
  'no-events',
  'unknown-event',
] as const;

/** Why an endpoint was refused, in the reader's language (the API names the reason). */
function webhookProblem(t: Translate, reason: unknown): string | null {
  const known = WEBHOOK_PROBLEMS.find((p) => p === reason);
  if (!known) return null;
  return t(`error.webhook.${known}`, {
    max: known === 'url-length' ? MAX_LENGTH.webhookUrl : MAX_LENGTH.webhookDescription,
  });
}

function userFieldName(t: Translate, field: unknown): string {
  switch (field) {
    case 'name':
      return t('users.name');
    case 'email':
      return t('users.email');
    case 'role':
      return t('users.role');
    case 'locale':
      return t('common.language');
    case 'timeZone':
      return t('users.timeZone');
    case 'groupIds':
      return t('users.groups');
    case 'password':
      return t('users.password');
    case 'active':
      return t('users.state');
    default:
      return String(field ?? '');
  }
}

/** What is wrong with a user's field, in the reader's language (the API's reason is English). */
export function userFieldProblem(t: Translate, field: unknown, serverMessage: string): string {
  switch (field) {
    case 'name':
      return t('validation.name', { max: MAX_LENGTH.userName });
    case 'email':
      return t('validation.email');
    case 'timeZone':
      return t('validation.timeZone');
    case 'password':
      return t('validation.passwordRange', { min: 10, max: MAX_LENGTH.newPassword });
    default:
      return t('error.refused', { message: serverMessage });
  }
}
