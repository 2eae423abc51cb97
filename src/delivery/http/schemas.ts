/**
 * Schemas shared by routes, in TypeBox: they validate input, shape output (nothing unlisted leaves), feed OpenAPI (and
 * through it the web app's types, `npm run api:types`), and give the routes their TypeScript types (`Static`).
 */
import { Type, type Static, type TSchema } from 'typebox';
import { MESSAGE_SOURCES } from '../../domain/messages/message.ts';
import { COPIES_MODES } from '../../domain/notifications/mailings.ts';
import { TICKET_EVENT_KINDS } from '../../domain/tickets/ticket-event.ts';
import { TICKET_STATUSES } from '../../domain/tickets/ticket-status.ts';
import { ROLES } from '../../domain/users/user.ts';
import { AnyObject, Id, List, Nullable, Shape, StringEnum } from './schema-kit.ts';

const nullableString = Nullable(Type.String());
const nullableInteger = Nullable(Type.Integer());

export const errorSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(AnyObject()),
});

export const userSchema = Shape({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  role: StringEnum(ROLES),
  locale: Type.String(),
  timeZone: Type.String(),
  active: Type.Boolean(),
  groupIds: List(Type.Integer()),
  createdAt: Type.String(),
  erasedAt: Nullable(Type.String(), { description: "When the requester's personal data was erased; null otherwise." }),
});

export const groupSchema = Shape({
  id: Type.Integer(),
  name: Type.String(),
  memberIds: List(Type.Integer()),
  signature: Nullable(Type.String(), { description: "The group's signature, which ${SIGNATURE} renders; null: none." }),
  copiesMode: StringEnum(COPIES_MODES, {
    description: "How its tickets' public messages reach their copies: `cc` (one mail, copies in Cc) or `separate`.",
  }),
  mailboxId: Nullable(Type.Integer(), {
    description: 'The mailbox its tickets’ mail goes out from (set on the mailbox); null: the default mailbox.',
  }),
});

const namedRef = Shape({ id: Type.Integer(), name: Type.String() });

export const ticketSchema = Shape({
  number: Type.Integer({ description: 'The public key of the ticket (IDSERVICEREQUEST).' }),
  title: Type.String(),
  description: Type.String(),
  status: StringEnum(TICKET_STATUSES),
  requester: namedRef,
  contactName: nullableString,
  registeredBy: namedRef,
  group: Nullable(namedRef),
  responsible: Nullable(namedRef),
  demandType: nullableString,
  activity: nullableString,
  relatedService: nullableString,
  portfolio: nullableString,
  category: nullableString,
  createdAt: Type.String(),
  updatedAt: Type.String(),
  lastActivityAt: Type.String(),
});

/** A notification mail of a message in the thread: staff get its id, when it was queued and what it replaces. */
export const notificationMailSchema = Shape({
  id: Type.Integer({ description: 'Staff only: the outbox entry.' }),
  to: Type.String({ description: 'Staff: the address; a requester: the name.' }),
  cc: List(Type.String(), {
    description: 'The people the mail copies (its Cc): staff get their addresses; a requester, their names.',
  }),
  status: Type.String(),
  createdAt: Type.String({ description: 'Staff only: when it was queued.' }),
  resentFromId: Nullable(Type.Integer(), {
    description: 'Staff only: the failed mail this one replaces, sent again to a corrected address; null otherwise.',
  }),
});

export const messageSchema = Shape({
  id: Type.Integer(),
  text: Type.String({ description: 'The plain text (derived from the HTML when the message has HTML).' }),
  html: Nullable(Type.String(), {
    description:
      'Sanitized HTML of a rich message (posted as html, or a mail that came in HTML), null for a plain-text message. Inline images are referenced as `cid:{contentId}` (an attachment of the message with that contentId, shown at /api/v1/attachments/{id}/inline); remote images of mail have their address in `data-remote-src` and no `src`.',
  }),
  internal: Type.Boolean(),
  sendEmail: Type.Boolean(),
  source: StringEnum(MESSAGE_SOURCES),
  author: Shape({ id: Type.Integer(), name: Type.String(), role: Type.String() }),
  timeSpentMinutes: nullableInteger,
  timeSpentDate: nullableString,
  createdAt: Type.String(),
  removed: Type.Boolean({
    description: "Its text and files were removed at its author's request (erasure); the thread keeps that it existed.",
  }),
  mail: List(notificationMailSchema, {
    description: 'Notification mails of this message and their delivery state.',
  }),
});

export const attachmentSummarySchema = Shape({
  id: Type.String({ description: 'Download it at /api/v1/attachments/{id}.' }),
  name: Type.String({ description: 'Normalised for display; never a path.' }),
  size: Type.Integer(),
  contentType: Type.String({
    description: 'As the sender declared it (information only; downloads are application/octet-stream).',
  }),
  contentId: Nullable(Type.String(), {
    description:
      "An inline image's Content-ID (without <>), referenced by the message's html as `cid:{contentId}`; null for an ordinary file.",
  }),
});

export const copySchema = Shape({
  id: Type.Integer(),
  name: Type.String(),
  email: Nullable(Type.String(), { description: 'Null for a requester looking at a staff member.' }),
  role: Type.String(),
});

/** One ticket, with the attachments of the mail that opened it (those of messages are in the thread). */
export const ticketDetailSchema = Shape({
  ...ticketSchema.properties,
  attachments: List(attachmentSummarySchema, {
    description:
      'Attachments given when the ticket was opened (by the API, the portal or the mail that opened it); never their bytes.',
  }),
  copies: List(copySchema, {
    description: 'People the ticket copies (Cc): told of its public messages, may see it and reply by mail.',
  }),
});

/** A message of the thread: a message and its attachments. */
export const threadMessageSchema = Shape({
  ...messageSchema.properties,
  attachments: List(attachmentSummarySchema, {
    description: 'Attachments of the message (uploaded with it, or of the mail it came from); never their bytes.',
  }),
  trimmed: Nullable(Type.String(), {
    description:
      'A message that came by mail: the quoted history and signature trimmed from it ("show trimmed text"); staff on every such message, a requester on their own only; null otherwise.',
  }),
});

/** A recorded change of a ticket's status, team, responsible or copies, shown between the messages. */
export const threadEventSchema = Shape({
  id: Type.Integer(),
  at: Type.String(),
  kind: StringEnum(TICKET_EVENT_KINDS),
  actor: Nullable(Shape({ id: Type.Integer(), name: Type.String() }), {
    description: 'Who made the change; null: the system (an upgrade moving the ticket to the default team).',
  }),
  from: Nullable(Type.String(), {
    description:
      'kind "status": a status code; otherwise the name of the team or person as it is now (empty for a team deleted since); null: none.',
  }),
  to: Nullable(Type.String()),
});

export const notificationSchema = Shape({
  id: Type.Integer(),
  to: Type.String(),
  cc: List(Type.String(), { description: 'The people the mail copies: addresses for staff, names for a requester.' }),
  status: Type.String(),
});

/** A template variant's locale: a BCP 47 tag (checked by the domain, `isLocaleTag`). */
export const variantLocale = Type.String({ minLength: 1, maxLength: 35 });

export const templateVariantSchema = Shape({
  locale: Type.String(),
  subject: Type.String(),
  html: Type.String(),
  text: nullableString,
});

export const templateSchema = Shape({
  id: Type.Integer(),
  name: Type.String(),
  subject: Type.String(),
  html: Type.String(),
  text: nullableString,
  locale: Type.String({ description: 'The locale of the default variant (subject, html, text).' }),
  variants: List(templateVariantSchema, { description: 'The variants besides the default, ordered by locale.' }),
  active: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const parameterSchema = Shape({
  id: Type.Integer(),
  type: Type.String(),
  description: Type.String(),
  options: List(Type.String()),
  value: Type.Unsafe<string | number | boolean | null>({ type: ['string', 'number', 'boolean', 'null'] }),
  set: Type.Boolean(),
});

export const SMTP_SECURITIES = ['none', 'starttls', 'tls'] as const;

export const smtpAccountSchema = Shape({
  host: nullableString,
  port: Type.Integer(),
  security: StringEnum(SMTP_SECURITIES),
  auth: Type.Boolean(),
  user: nullableString,
  passwordSet: Type.Boolean(),
  from: nullableString,
  fromName: nullableString,
  allowInvalidCertificate: Type.Boolean(),
});

export const outboxEntrySchema = Shape({
  id: Type.Integer(),
  ticketNumber: nullableInteger,
  messageId: nullableInteger,
  to: Type.String(),
  toName: Type.String(),
  cc: List(Type.String(), { description: 'The addresses the mail copies (its Cc).' }),
  subject: Type.String(),
  status: Type.String(),
  messageIdHeader: Type.String(),
  attemptCount: Type.Integer(),
  nextAttemptAt: nullableString,
  lastReply: nullableString,
  lastReplyCode: nullableString,
  lastReplyParams: Nullable(AnyObject()),
  createdAt: Type.String(),
  sentAt: nullableString,
});

export const pageOf = <T extends TSchema>(item: T) => Shape({ items: List(item), nextCursor: nullableString });

export const cursorQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
};

export const idParams = Type.Object({ id: Id() });

export const numberParams = Type.Object({ number: Id() });

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

/** `204 No Content` (`{ type: 'null' }`; the handler sends nothing). */
export const noContent = Type.Unsafe<undefined>({ type: 'null' });

export type ErrorBody = Static<typeof errorSchema>;
