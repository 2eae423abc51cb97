/** One signed POST of a webhook delivery. */
export interface WebhookRequest {
  url: string;
  /** Loopback, private and link-local addresses (and plain HTTP) allowed for this endpoint. */
  allowPrivate: boolean;
  eventId: string;
  event: string;
  body: string;
  /** The endpoint's signing secret (opened from the secret box just before sending). */
  secret: string;
  /** Unix seconds, signed with the body. */
  timestamp: number;
}

/** The endpoint's answer: its HTTP status and the start of its body, for the admin's list of attempts. */
export interface WebhookReply {
  status: number;
  text: string;
}

/** No answer: the address was refused (`permanent`), or the connection failed or timed out (try again later). */
export class WebhookNotSent extends Error {
  override name = 'WebhookNotSent';
  constructor(
    readonly permanent: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Sends webhook deliveries over HTTP(S), signed, to a checked address, within a timeout. */
export interface WebhookSender {
  post(request: WebhookRequest): Promise<WebhookReply>;
}
