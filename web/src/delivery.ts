import type { Translate } from './i18n/i18n.tsx';
import type { MessageKey } from './i18n/en-US.ts';
import type { DeliveryResult, SmtpVerifyResult, TestMailResult } from './types.ts';

/**
 * Delivery results in the reader's language. The API gives each attempt's reply as a code with parameters
 * (src/domain/notifications/delivery-results.ts); a reply that is the SMTP server's own text is shown as it is,
 * labelled as the server's. A code this page does not know shows the stored text, labelled the same way.
 */
export function deliveryText(
  t: Translate,
  code: string | null | undefined,
  params: Record<string, unknown> | null | undefined,
  raw: string | null,
): string {
  const p = params ?? {};
  const certificate = p.certificate === true ? ` ${t('delivery.certificate')}` : '';
  switch (code) {
    case 'SERVER_REPLY':
      return t('delivery.serverReply', { reply: String(p.reply ?? raw ?? '') });
    case 'RECIPIENT_INVALID':
      return t('delivery.RECIPIENT_INVALID', { address: String(p.address ?? '') });
    case 'HANDOVER_FAILED':
      return t('delivery.HANDOVER_FAILED', { error: String(p.error ?? '') }) + certificate;
    case 'OAUTH_UNAVAILABLE':
      return t('delivery.OAUTH_UNAVAILABLE', { reason: String(p.reason ?? '') });
    case 'OAUTH_RECONNECT':
      return (
        t('delivery.OAUTH_RECONNECT') +
        (p.reason ? ` ${t('mailboxes.oauth.providerSaid', { reason: String(p.reason) })}` : '')
      );
    case 'GAVE_UP': {
      const last = (p.last ?? null) as DeliveryResult | null;
      return t('delivery.GAVE_UP', {
        hours: Number(p.hours ?? 0),
        last: last ? deliveryText(t, last.code, last.params, null) : '',
      });
    }
    case 'NO_ACCOUNT':
    case 'SECRET_UNREADABLE':
    case 'UNEXPECTED':
    case 'CONNECTION_CLOSED':
    case 'TIMEOUT':
    case 'CONNECTION_FAILED':
    case 'DNS_FAILED':
    case 'TLS_FAILED':
    case 'NOT_SMTP':
    case 'NO_GREETING':
    case 'HOST_FORBIDDEN':
    case 'HOST_RESOLVES_FORBIDDEN':
    case 'AUTH_REFUSED':
    case 'ERASED':
      return t(`delivery.${code}` as MessageKey) + certificate;
    default:
      return raw === null ? '—' : t('delivery.serverReply', { reply: raw });
  }
}

const VERIFY_CODES = ['SMTP_NOT_CONFIGURED', 'SMTP_HOST_FORBIDDEN', 'SMTP_VERIFY_FAILED', 'SMTP_UNREACHABLE'] as const;

/** The outcome of "Verify connection". */
export function verifyText(t: Translate, result: SmtpVerifyResult): string {
  if (result.ok) return result.signedIn ? t('smtp.verifyOk') : t('smtp.verifyOkNoSignIn');
  if ((VERIFY_CODES as readonly string[]).includes(result.code))
    return t(`smtp.verifyResult.${result.code as (typeof VERIFY_CODES)[number]}`);
  return t('error.refused', { message: result.message });
}

/** The outcome of a test mail (SMTP account page, template editor). */
export function testMailText(t: Translate, result: TestMailResult): string {
  if (result.code === 'SENT')
    return t('smtp.testSent', { reply: deliveryText(t, 'SERVER_REPLY', result.result?.params, null) });
  if (result.code === 'SMTP_NOT_CONFIGURED') return t('smtp.verifyResult.SMTP_NOT_CONFIGURED');
  if (result.code === 'DELIVERY_FAILED' && result.result)
    return t('smtp.testFailed', { reason: deliveryText(t, result.result.code, result.result.params, result.message) });
  return result.message;
}
