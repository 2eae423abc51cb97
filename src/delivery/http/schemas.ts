/** JSON schemas shared by routes: they validate input, shape output (nothing unlisted leaves) and feed OpenAPI. */
const nullableString = { type: ['string', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;

export const errorSchema = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
  required: ['code', 'message'],
} as const;

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['requester', 'technician', 'admin'] },
    locale: { type: 'string' },
    timeZone: { type: 'string' },
    active: { type: 'boolean' },
    groupIds: { type: 'array', items: { type: 'integer' } },
    createdAt: { type: 'string' },
  },
} as const;

export const groupSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    memberIds: { type: 'array', items: { type: 'integer' } },
  },
} as const;

export const ticketSchema = {
  type: 'object',
  properties: {
    number: { type: 'integer', description: 'The public key of the ticket (IDSERVICEREQUEST).' },
    title: { type: 'string' },
    description: { type: 'string' },
    status: { type: 'string', enum: ['new', 'in_progress', 'waiting', 'resolved', 'closed'] },
    requester: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
    contactName: nullableString,
    registeredBy: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
    group: { type: ['object', 'null'], properties: { id: { type: 'integer' }, name: { type: 'string' } } },
    responsible: { type: ['object', 'null'], properties: { id: { type: 'integer' }, name: { type: 'string' } } },
    demandType: nullableString,
    activity: nullableString,
    relatedService: nullableString,
    portfolio: nullableString,
    category: nullableString,
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    lastActivityAt: { type: 'string' },
  },
} as const;

export const messageSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    text: { type: 'string' },
    internal: { type: 'boolean' },
    sendEmail: { type: 'boolean' },
    source: { type: 'string', enum: ['portal', 'desk', 'email', 'api'] },
    author: {
      type: 'object',
      properties: { id: { type: 'integer' }, name: { type: 'string' }, role: { type: 'string' } },
    },
    timeSpentMinutes: nullableInteger,
    timeSpentDate: nullableString,
    createdAt: { type: 'string' },
    mail: {
      type: 'array',
      description: 'Notification mails of this message and their delivery state.',
      items: { type: 'object', properties: { to: { type: 'string' }, status: { type: 'string' } } },
    },
  },
} as const;

export const attachmentSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Download it at /api/v1/attachments/{id}.' },
    name: { type: 'string', description: 'Normalised for display; never a path.' },
    size: { type: 'integer' },
    contentType: {
      type: 'string',
      description: 'As the sender declared it (information only; downloads are application/octet-stream).',
    },
  },
} as const;

export const copySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    email: { type: ['string', 'null'], description: 'Null for a requester looking at a staff member.' },
    role: { type: 'string' },
  },
} as const;

/** One ticket, with the attachments of the mail that opened it (those of messages are in the thread). */
export const ticketDetailSchema = {
  type: 'object',
  properties: {
    ...ticketSchema.properties,
    attachments: {
      type: 'array',
      description:
        'Attachments given when the ticket was opened (by the API, the portal or the mail that opened it); never their bytes.',
      items: attachmentSummarySchema,
    },
    copies: {
      type: 'array',
      description: 'People the ticket copies (Cc): told of its public messages, may see it and reply by mail.',
      items: copySchema,
    },
  },
} as const;

/** A message of the thread: a message and its attachments. */
export const threadMessageSchema = {
  type: 'object',
  properties: {
    ...messageSchema.properties,
    attachments: {
      type: 'array',
      description: 'Attachments of the message (uploaded with it, or of the mail it came from); never their bytes.',
      items: attachmentSummarySchema,
    },
    trimmed: {
      type: ['string', 'null'],
      description:
        'A message that came by mail: the quoted history and signature trimmed from it ("show trimmed text"); staff on every such message, a requester on their own only; null otherwise.',
    },
  },
} as const;

export const notificationSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, to: { type: 'string' }, status: { type: 'string' } },
} as const;

export const templateSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    subject: { type: 'string' },
    html: { type: 'string' },
    text: nullableString,
    active: { type: 'boolean' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

export const parameterSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    type: { type: 'string' },
    description: { type: 'string' },
    options: { type: 'array', items: { type: 'string' } },
    value: { type: ['string', 'number', 'boolean', 'null'] },
    set: { type: 'boolean' },
  },
} as const;

export const smtpAccountSchema = {
  type: 'object',
  properties: {
    host: nullableString,
    port: { type: 'integer' },
    security: { type: 'string', enum: ['none', 'starttls', 'tls'] },
    auth: { type: 'boolean' },
    user: nullableString,
    passwordSet: { type: 'boolean' },
    from: nullableString,
    fromName: nullableString,
    allowInvalidCertificate: { type: 'boolean' },
  },
} as const;

export const outboxEntrySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    ticketNumber: nullableInteger,
    messageId: nullableInteger,
    to: { type: 'string' },
    toName: { type: 'string' },
    subject: { type: 'string' },
    status: { type: 'string' },
    messageIdHeader: { type: 'string' },
    attemptCount: { type: 'integer' },
    nextAttemptAt: nullableString,
    lastReply: nullableString,
    lastReplyCode: nullableString,
    lastReplyParams: { type: ['object', 'null'], additionalProperties: true },
    createdAt: { type: 'string' },
    sentAt: nullableString,
  },
} as const;

export const pageOf = (item: object) =>
  ({ type: 'object', properties: { items: { type: 'array', items: item }, nextCursor: nullableString } }) as const;

export const cursorQuery = {
  cursor: { type: 'string', maxLength: 64 },
  limit: { type: 'integer', minimum: 1, maximum: 100 },
} as const;

export const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, maximum: 2147483647 } },
  required: ['id'],
} as const;

export const numberParams = {
  type: 'object',
  properties: { number: { type: 'integer', minimum: 1, maximum: 2147483647 } },
  required: ['number'],
} as const;

/** Every error answer a route may give, for the OpenAPI document. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  413: errorSchema,
  422: errorSchema,
  429: errorSchema,
} as const;
