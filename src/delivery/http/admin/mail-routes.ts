import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { retryOutboxEntry } from '../../../domain/notifications/retry-outbox-entry.ts';
import type { Deps } from '../../../domain/deps.ts';
import { DomainError } from '../../../domain/errors.ts';
import { sendTemplateTest } from '../../../domain/notifications/send-template-test.ts';
import { sendTestMail } from '../../../domain/notifications/send-test-mail.ts';
import { verifySmtpAccount } from '../../../domain/notifications/verify-smtp-account.ts';
import type { CapturedMails } from '../../../ports/captured-mail.ts';
import type { MailTransports } from '../../../ports/mail-transport.ts';
import { actorOf, requireRole } from '../auth/authenticate-request.ts';
import { originOf } from '../auth/origin.ts';
import { presentOutboxEntry } from '../presenters.ts';
import { AnyObject, Id, ItemsOf, Nullable, Shape, StringEnum } from '../schema-kit.ts';
import { errorResponses, idParams, outboxEntrySchema, variantLocale } from '../schemas.ts';
import { LOCALES } from '../../../domain/locale.ts';

export interface MailWiring {
  transports: MailTransports;
  /** The built-in mail catcher, when it runs in this process. */
  catcher: CapturedMails | null;
}

const nullableString = Nullable(Type.String());

const capturedSummary = Shape({
  id: Type.Integer(),
  receivedAt: Type.String(),
  envelope: Shape({ from: nullableString, to: Type.Array(Type.String()) }),
  messageId: nullableString,
  from: nullableString,
  to: nullableString,
  subject: Type.String(),
  size: Type.Integer(),
});

const capturedDetail = Shape({
  ...capturedSummary.properties,
  replyTo: nullableString,
  text: Type.String(),
  html: nullableString,
  headers: Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string' } }),
  raw: Type.String(),
});

export const testMailSchema = Shape({
  ok: Type.Boolean(),
  code: StringEnum(['SENT', 'SMTP_NOT_CONFIGURED', 'DELIVERY_FAILED']),
  message: Type.String(),
  messageId: nullableString,
  result: Nullable(Shape({ code: Type.String(), params: AnyObject() })),
});

export const verifySchema = Shape({
  ok: Type.Boolean(),
  code: Type.String(),
  message: Type.String(),
  signedIn: Type.Boolean(),
});

export const mailTo = Type.String({ maxLength: 254 });

/** Delivery tools for administrators: retry a mail, check the SMTP account, read the built-in mail catcher. */
export function mailRoutes(deps: Deps, mail: MailWiring) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', requireRole('admin'));
    const tags = ['admin'];
    const mailDeps = { ...deps, transports: mail.transports };

    app.post(
      '/admin/outbox/:id/retry',
      {
        schema: {
          tags,
          summary: 'Send a deferred or failed mail again now (same Message-ID)',
          params: idParams,
          response: { 200: outboxEntrySchema, ...errorResponses },
        },
      },
      async (request) => presentOutboxEntry(await retryOutboxEntry(deps, originOf(request), request.params.id)),
    );

    app.post(
      '/admin/smtp-account/verify',
      {
        schema: {
          tags,
          summary:
            'Connect to the stored SMTP account and sign in (when authentication is on); every failure answers alike, the details go to the server log',
          response: { 200: verifySchema, ...errorResponses },
        },
      },
      async (request) => {
        const { detail, ...answer } = await verifySmtpAccount(mailDeps);
        if (detail) request.log.warn({ smtpVerify: detail }, 'SMTP account verification failed');
        return { ...answer, signedIn: answer.signedIn ?? false };
      },
    );

    app.post(
      '/admin/smtp-account/test',
      {
        schema: {
          tags,
          summary: 'Send a test mail through the stored SMTP account now',
          body: Type.Object({ to: mailTo }, { additionalProperties: false }),
          response: { 200: testMailSchema, ...errorResponses },
        },
      },
      async (request) => sendTestMail(mailDeps, request.body.to, actorOf(request).locale),
    );

    app.post(
      '/admin/email-templates/:id/test',
      {
        schema: {
          tags,
          summary:
            'Render a stored template (against a ticket, or the latest one) and send it through the SMTP account now',
          params: idParams,
          body: Type.Object(
            {
              to: mailTo,
              ticketNumber: Type.Optional(Nullable(Id())),
              locale: Type.Optional(Nullable(StringEnum(LOCALES))),
              variant: Type.Optional(Nullable(variantLocale)),
            },
            { additionalProperties: false },
          ),
          response: { 200: testMailSchema, ...errorResponses },
        },
      },
      async (request) => sendTemplateTest(mailDeps, actorOf(request), request.params.id, request.body),
    );

    const catcher = () => {
      if (!mail.catcher)
        throw new DomainError(
          'MAIL_CATCHER_OFF',
          'The built-in mail catcher is not running in this process (PARLEY_MAIL_CATCHER).',
        );
      return mail.catcher;
    };
    app.get(
      '/admin/mail-catcher',
      {
        schema: {
          tags,
          summary: 'Mails kept by the built-in mail catcher, newest first',
          response: {
            200: ItemsOf(capturedSummary),
            ...errorResponses,
          },
        },
      },
      async () => ({
        items: catcher().list(),
      }),
    );
    app.get(
      '/admin/mail-catcher/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: {
            200: capturedDetail,
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const captured = catcher().get(request.params.id);
        if (!captured) throw new DomainError('NOT_FOUND', `The mail catcher holds no mail ${request.params.id}.`);
        return captured;
      },
    );
  };
}
