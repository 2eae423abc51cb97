/**
 * What a webhook attempt's stored reply says, as a code the web words in the reader's language (the stored reply
 * stays Parley's English sentence or `HTTP <status>: <the endpoint's words>`, as the outbox's delivery results do).
 * A reply that is none of these is shown as it is (`OTHER`).
 */
export type WebhookResult =
  | { code: 'HTTP'; params: { status: number; text: string } }
  | { code: 'GONE'; params: { text: string } }
  | { code: 'TIMEOUT'; params: { seconds: number } }
  | { code: 'CONNECT_FAILED'; params: { error: string } }
  | { code: 'GAVE_UP'; params: { hours: number; last: WebhookResult } }
  | { code: 'OTHER'; params: { reply: string } }
  | {
      code:
        | 'NOT_HTTPS'
        | 'CLOSED'
        | 'SECRET_UNREADABLE'
        | 'UNEXPECTED'
        | 'INTERRUPTED'
        | 'FORBIDDEN'
        | 'RESOLVES_FORBIDDEN'
        | 'DNS_FAILED'
        | 'PRIVATE';
      params: Record<string, never>;
    };

/** Parley's fixed sentences (the dispatcher's, the sender's, the address check's), by code. */
export const WEBHOOK_SENTENCES = {
  NOT_HTTPS: 'The endpoint address is not HTTPS; Parley sends webhooks over HTTPS only.',
  CLOSED: 'The endpoint closed the connection.',
  SECRET_UNREADABLE: "The endpoint's secret cannot be read with the current key; replace the secret.",
  UNEXPECTED: 'The delivery failed unexpectedly; it will be tried again.',
  INTERRUPTED: 'The dispatcher stopped during this attempt; the delivery is due again with the same event id.',
  FORBIDDEN: 'The webhook endpoint is a link-local or cloud metadata address; Parley will not connect to it.',
  RESOLVES_FORBIDDEN:
    'The webhook endpoint resolves to a link-local or cloud metadata address; Parley will not connect to it.',
  DNS_FAILED: 'The webhook endpoint name could not be resolved.',
  PRIVATE:
    'The endpoint resolves to a loopback or private address; an administrator must allow private addresses for it.',
} as const;

const GONE = 'HTTP 410: the endpoint is gone; not tried again.';

/** Reads a stored reply back into its code and parameters. */
export function webhookResultOf(reply: string): WebhookResult {
  const gaveUp = /^Not delivered after (\d+(?:\.\d+)?) hours; the last answer: ([\s\S]*)$/.exec(reply);
  if (gaveUp) return { code: 'GAVE_UP', params: { hours: Number(gaveUp[1]), last: webhookResultOf(gaveUp[2]!) } };
  if (reply.startsWith(GONE)) return { code: 'GONE', params: { text: reply.slice(GONE.length).replace(/^: /, '') } };
  const http = /^HTTP (\d{3})(?:: ([\s\S]*))?$/.exec(reply);
  if (http) return { code: 'HTTP', params: { status: Number(http[1]), text: http[2] ?? '' } };
  const timeout = /^No answer within (\d+(?:\.\d+)?) s\.$/.exec(reply);
  if (timeout) return { code: 'TIMEOUT', params: { seconds: Number(timeout[1]) } };
  const connect = /^Could not connect: ([\s\S]*)$/.exec(reply);
  if (connect) return { code: 'CONNECT_FAILED', params: { error: connect[1]! } };
  for (const [code, sentence] of Object.entries(WEBHOOK_SENTENCES))
    if (reply === sentence) return { code, params: {} } as WebhookResult;
  return { code: 'OTHER', params: { reply } };
}
