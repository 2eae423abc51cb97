/**
 * What a delivery attempt's reply says, as a stable code the web translates. The stored reply stays an English
 * sentence (logs, old rows, the API's `reply`); each sentence Parley writes is made here, and `deliveryResultOf`
 * reads any stored reply back into its code and parameters. A reply that is none of our sentences is the SMTP
 * server's own answer (`SERVER_REPLY`), shown as it is, labelled as the server's.
 */
export type DeliveryResult =
  | { code: 'SERVER_REPLY'; params: { reply: string } }
  | { code: 'NO_ACCOUNT'; params: Record<string, never> }
  | { code: 'SECRET_UNREADABLE'; params: Record<string, never> }
  | { code: 'RECIPIENT_INVALID'; params: { address: string } }
  | { code: 'UNEXPECTED'; params: Record<string, never> }
  | { code: 'GAVE_UP'; params: { hours: number; last: DeliveryResult } }
  | {
      code:
        | 'CONNECTION_CLOSED'
        | 'TIMEOUT'
        | 'CONNECTION_FAILED'
        | 'DNS_FAILED'
        | 'TLS_FAILED'
        | 'NOT_SMTP'
        | 'NO_GREETING';
      params: { certificate?: true };
    }
  | { code: 'HANDOVER_FAILED'; params: { error: string; certificate?: true } }
  | { code: 'OAUTH_RECONNECT'; params: { reason: string | null } }
  | { code: 'OAUTH_UNAVAILABLE'; params: { reason: string } }
  | { code: 'HOST_FORBIDDEN' | 'HOST_RESOLVES_FORBIDDEN' | 'AUTH_REFUSED' | 'ERASED'; params: Record<string, never> };

export type DeliveryResultCode = DeliveryResult['code'];

/** Our fixed sentences, by code. */
export const DELIVERY_SENTENCES = {
  NO_ACCOUNT: 'No SMTP account is configured; the mail waits for one.',
  SECRET_UNREADABLE:
    "The stored SMTP password (the SMTP account's, or the team mailbox's) cannot be opened with the current PARLEY_SECRET_KEY (was the key changed?); enter the password again in Admin.",
  UNEXPECTED: 'The mail could not be handed over (unexpected error).',
  CONNECTION_CLOSED: 'The connection to the SMTP server closed before it answered.',
  TIMEOUT: 'The SMTP server did not answer in time.',
  CONNECTION_FAILED: 'The connection to the SMTP server failed.',
  DNS_FAILED: 'The SMTP host name could not be resolved.',
  TLS_FAILED: 'The TLS handshake with the SMTP server failed (is the certificate valid for this host?).',
  NOT_SMTP: 'The SMTP server answered something that is not SMTP.',
  NO_GREETING: 'The server at that address did not greet as an SMTP server does.',
  HOST_FORBIDDEN: 'The SMTP host is a link-local or cloud metadata address; Parley will not connect to it.',
  HOST_RESOLVES_FORBIDDEN:
    'The SMTP host resolves to a link-local or cloud metadata address; Parley will not connect to it.',
  AUTH_REFUSED: 'The SMTP server refused the user name or password.',
  ERASED: 'Not sent: the personal data of the person this mail concerns was erased.',
} as const;

/** Sentences written by earlier versions, still read back into their code (stored replies outlive a version). */
const EARLIER_SENTENCES: Record<string, DeliveryResultCode> = {
  'The stored SMTP password cannot be opened with the current PARLEY_SECRET_KEY (was the key changed?); save the SMTP account again.':
    'SECRET_UNREADABLE',
};

/** Added to a network sentence when the error was about the server's certificate. */
export const CERTIFICATE_SENTENCE = ' The server certificate could not be verified.';

export const recipientInvalidSentence = (address: string) => `The recipient address "${address}" is not valid.`;
export const handoverFailedSentence = (error: string) => `The mail could not be handed over (${error}).`;
/** A mailbox whose OAuth2 grant stopped working (access-token.ts says it so): the provider's reason, when given. */
export const oauthReconnectSentence = (mailboxId: number, reason: string | null) =>
  `Mailbox ${mailboxId} has to be connected again to its provider${reason ? `: ${reason}` : '.'}`;
const OAUTH_RECONNECT = /^Mailbox \d+ has to be connected again to its provider(?:: ([\s\S]*)|\.)$/;
/** The provider could not be asked for a token now (unreachable, a 5xx): the grant stands, the mail waits. */
export const oauthUnavailableSentence = (mailboxId: number, reason: string) =>
  `Mailbox ${mailboxId} could not get an access token from its provider now (${reason}); it is tried again.`;
const OAUTH_UNAVAILABLE =
  /^Mailbox \d+ could not get an access token from its provider now \(([\s\S]*)\); it is tried again\.$/;
export const gaveUpSentence = (hours: number, last: string) =>
  `Gave up after ${hours} hours of temporary failures. Last reply: ${last}`;

const NETWORK = new Set([
  'CONNECTION_CLOSED',
  'TIMEOUT',
  'CONNECTION_FAILED',
  'DNS_FAILED',
  'TLS_FAILED',
  'NOT_SMTP',
  'NO_GREETING',
]);

/** Reads a stored reply back into its code and parameters; anything else is the server's own answer. */
export function deliveryResultOf(reply: string): DeliveryResult {
  const gaveUp = /^Gave up after (\d+(?:\.\d+)?) hours of temporary failures\. Last reply: ([\s\S]*)$/.exec(reply);
  if (gaveUp) return { code: 'GAVE_UP', params: { hours: Number(gaveUp[1]), last: deliveryResultOf(gaveUp[2]!) } };
  const recipient = /^The recipient address "([\s\S]*)" is not valid\.$/.exec(reply);
  if (recipient) return { code: 'RECIPIENT_INVALID', params: { address: recipient[1]! } };
  const earlier = EARLIER_SENTENCES[reply];
  if (earlier) return { code: earlier, params: {} } as DeliveryResult;
  const certificate = reply.endsWith(CERTIFICATE_SENTENCE);
  const base = certificate ? reply.slice(0, -CERTIFICATE_SENTENCE.length) : reply;
  for (const [code, sentence] of Object.entries(DELIVERY_SENTENCES)) {
    if (base !== sentence) continue;
    if (NETWORK.has(code)) return { code, params: certificate ? { certificate: true } : {} } as DeliveryResult;
    if (!certificate) return { code, params: {} } as DeliveryResult;
  }
  const reconnect = OAUTH_RECONNECT.exec(reply);
  if (reconnect) return { code: 'OAUTH_RECONNECT', params: { reason: reconnect[1] ?? null } };
  const unavailable = OAUTH_UNAVAILABLE.exec(reply);
  if (unavailable) return { code: 'OAUTH_UNAVAILABLE', params: { reason: unavailable[1]! } };
  const handover = /^The mail could not be handed over \(([^()]*)\)\.$/.exec(base);
  if (handover)
    return {
      code: 'HANDOVER_FAILED',
      params: { error: handover[1]!, ...(certificate ? { certificate: true as const } : {}) },
    };
  return { code: 'SERVER_REPLY', params: { reply } };
}
