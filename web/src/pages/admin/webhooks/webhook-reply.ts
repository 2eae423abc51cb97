import type { Translate } from '../../../i18n/i18n.tsx';

/** An attempt's reply as the API reads it back (`domain/webhooks/webhook-results.ts`): a code and its parameters. */
export interface WebhookReplyResult {
  code: string;
  params: Record<string, unknown>;
}

const FIXED = [
  'NOT_HTTPS',
  'CLOSED',
  'SECRET_UNREADABLE',
  'UNEXPECTED',
  'INTERRUPTED',
  'FORBIDDEN',
  'RESOLVES_FORBIDDEN',
  'DNS_FAILED',
  'PRIVATE',
] as const;

/** What an endpoint answered, or why it did not, in the reader's language (the endpoint's own words as they are). */
export function webhookReplyText(t: Translate, result: WebhookReplyResult | null, raw: string | null): string {
  if (!result) return raw ?? '—';
  const p = result.params;
  switch (result.code) {
    case 'HTTP':
      return p.text
        ? t('webhooks.reply.httpText', { status: Number(p.status), text: String(p.text) })
        : t('webhooks.httpStatus', { status: Number(p.status) });
    case 'GONE':
      return t('webhooks.reply.GONE');
    case 'TIMEOUT':
      return t('webhooks.reply.TIMEOUT', { seconds: Number(p.seconds) });
    case 'CONNECT_FAILED':
      return t('webhooks.reply.CONNECT_FAILED', { error: String(p.error ?? '') });
    case 'GAVE_UP':
      return t('webhooks.reply.GAVE_UP', {
        hours: Number(p.hours),
        last: webhookReplyText(t, (p.last ?? null) as WebhookReplyResult | null, null),
      });
    default: {
      const fixed = FIXED.find((c) => c === result.code);
      if (fixed) return t(`webhooks.reply.${fixed}`);
      return t('webhooks.reply.OTHER', { reply: String(p.reply ?? raw ?? '') });
    }
  }
}
