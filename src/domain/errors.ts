/**
 * Expected failures of the domain. Each code maps to one HTTP status in the delivery layer
 * (see `errorStatus`), and every message is a sentence a person understands.
 * Bugs stay plain `Error`s.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  REQUEST_INVALID_JSON: 400,
  REQUEST_EMPTY_BODY: 400,
  REQUEST_INVALID: 400,
  AUTH_REQUIRED: 401,
  AUTH_INVALID_CREDENTIALS: 401,
  AUTH_CSRF_FAILED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  GROUP_NOT_FOUND: 404,
  TEMPLATE_NOT_FOUND: 404,
  PARAMETER_NOT_FOUND: 404,
  OUTBOX_ENTRY_NOT_FOUND: 404,
  MAIL_CATCHER_OFF: 404,
  INBOUND_MAIL_NOT_FOUND: 404,
  ATTACHMENT_NOT_FOUND: 404,
  INBOUND_MAIL_NOT_PENDING: 409,
  INBOUND_RAW_REMOVED: 410,
  OUTBOX_NOT_RETRYABLE: 409,
  // mail put right: a failed mail sent again to a corrected address
  MAIL_NOT_RESENDABLE: 409,
  MAIL_ALREADY_RESENT: 409,
  MAIL_ADDRESS_UNCHANGED: 422,
  MESSAGING_UNAVAILABLE: 409,
  TICKET_CLOSED: 409,
  USER_EMAIL_TAKEN: 409,
  GROUP_NAME_TAKEN: 409,
  TEMPLATE_IN_USE: 409,
  GROUP_IN_USE: 409,
  USER_SELF_LOCKOUT: 409,
  // erasure on request
  USER_NOT_ERASABLE: 409,
  USER_ALREADY_ERASED: 409,
  ERASURE_NOT_CONFIRMED: 422,
  PAYLOAD_TOO_LARGE: 413,
  // this server is stopping (a live-update stream asked for meanwhile): the page reconnects, to another instance
  SERVER_CLOSING: 503,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PARAMETER_INVALID: 422,
  TEMPLATE_UNKNOWN_KEY: 422,
  TEMPLATE_SYNTAX_ERROR: 422,
  TEMPLATE_INVALID: 422,
  TEMPLATE_TOO_LARGE: 422,
  MESSAGE_INVALID: 422,
  ATTACHMENT_INVALID: 422,
  COPY_INVALID: 422,
  ATTACHMENT_TOO_LARGE: 413,
  // rich messages: html with inline images
  MESSAGE_IMAGE_MISSING: 422,
  ATTACHMENT_NOT_IMAGE: 415,
  MESSAGE_INTERNAL_NOT_ALLOWED: 403,
  TICKET_INVALID: 422,
  TICKET_TEAM_REQUIRED: 422,
  USER_INVALID: 422,
  SMTP_ACCOUNT_INVALID: 422,
  AUTH_RATE_LIMITED: 429,
  // sessions and API tokens
  TOKEN_INVALID: 422,
  TOKEN_NOT_FOUND: 404,
  TOKEN_READ_ONLY: 403,
  PASSWORD_INCORRECT: 422,
  // canned answers
  CANNED_ANSWER_NOT_FOUND: 404,
  CANNED_ANSWER_INVALID: 422,
  CANNED_ANSWER_UNKNOWN_KEY: 422,
  CANNED_ANSWER_SYNTAX_ERROR: 422,
  // signatures
  SIGNATURE_INVALID: 422,
  SIGNATURE_UNKNOWN_KEY: 422,
  SIGNATURE_SYNTAX_ERROR: 422,
  // webhooks
  WEBHOOK_ENDPOINT_NOT_FOUND: 404,
  WEBHOOK_DELIVERY_NOT_FOUND: 404,
  WEBHOOK_ENDPOINT_INVALID: 422,
  WEBHOOK_DELIVERY_BUSY: 409,
  // mailboxes: a sending identity and SMTP account per group
  MAILBOX_NOT_FOUND: 404,
  MAILBOX_INVALID: 422,
  MAILBOX_NAME_TAKEN: 409,
  MAILBOX_IN_USE: 409,
  // a mailbox's OAuth2: not set up yet; a connection refused (state, code or grant); its grant no longer works
  MAILBOX_OAUTH_NOT_SET: 409,
  MAILBOX_OAUTH_FAILED: 400,
  MAILBOX_OAUTH_RECONNECT: 409,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.details = options.details;
  }
}

export function errorStatus(code: ErrorCode): number {
  return ERROR_CODES[code];
}
