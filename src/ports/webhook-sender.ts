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
  /**
   * Asked once the endpoint's address is resolved and checked, before anything is sent: false leaves the delivery
   * unposted, rejected with `WebhookWithdrawn` (a dispatcher that no longer holds its claim, as after an erasure deleted
   * the delivery, or cannot be sure it still does: its renewals failing, the delivery waits for its lease to end).
   */
  stillWanted?: () => boolean;
}

/** A delivery left unposted because, when its request was about to go, it was no longer wanted. */
export class WebhookWithdrawn extends Error {
  override name = 'WebhookWithdrawn';
  constructor() {
    super('The webhook delivery was taken back before it was posted.');
  }
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
