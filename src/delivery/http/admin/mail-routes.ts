import type { FastifyInstance } from 'fastify';
import { retryOutboxEntry } from '../../../domain/notifications/retry-outbox-entry.ts';
import type { Deps } from '../../../domain/deps.ts';
import { DomainError } from '../../../domain/errors.ts';
import { sendTemplateTest } from '../../../domain/notifications/send-template-test.ts';
import { sendTestMail } from '../../../domain/notifications/send-test-mail.ts';
import { verifySmtpAccount } from '../../../domain/notifications/verify-smtp-account.ts';
import type { CapturedMails } from '../../../ports/captured-mail.ts';
import type { MailTransports } from '../../../ports/mail-transport.ts';
import { actorOf, requireRole } from '../auth/authenticate-request.ts';
import { presentOutboxEntry } from '../presenters.ts';
import { errorResponses, idParams, outboxEntrySchema } from '../schemas.ts';

export interface MailWiring {
  transports: MailTransports;
  /** The built-in mail catcher, when it runs in this process. */
  catcher: CapturedMails | null;
}

const capturedSummary = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    receivedAt: { type: 'string' },
    envelope: {
      type: 'object',
      properties: { from: { type: ['string', 'null'] }, to: { type: 'array', items: { type: 'string' } } },
    },
    messageId: { type: ['string', 'null'] },
    from: { type: ['string', 'null'] },
    to: { type: ['string', 'null'] },
    subject: { type: 'string' },
    size: { type: 'integer' },
  },
} as const;

const testMailSchema = {
  type: 'object',
  properties: {
    ok: { type: 'boolean' },
    code: { type: 'string', enum: ['SENT', 'SMTP_NOT_CONFIGURED', 'DELIVERY_FAILED'] },
    message: { type: 'string' },
    messageId: { type: ['string', 'null'] },
    result: {
      type: ['object', 'null'],
      properties: { code: { type: 'string' }, params: { type: 'object', additionalProperties: true } },
    },
  },
} as const;

/** Delivery tools for administrators: retry a mail, check the SMTP account, read the built-in mail catcher. */
export function mailRoutes(deps: Deps, mail: MailWiring) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireRole('admin'));
    const tags = ['admin'];
    const mailDeps = { ...deps, transports: mail.transports };

    app.post<{ Params: { id: number } }>(
      '/admin/outbox/:id/retry',
      {
        schema: {
          tags,
          summary: 'Send a deferred or failed mail again now (same Message-ID)',
          params: idParams,
          response: { 200: outboxEntrySchema, ...errorResponses },
        },
      },
      async (request) => presentOutboxEntry(await retryOutboxEntry(deps, request.params.id)),
    );

    const verifySchema = {
      type: 'object',
      properties: {
        ok: { type: 'boolean' },
        code: { type: 'string' },
        message: { type: 'string' },
        signedIn: { type: 'boolean' },
      },
    } as const;
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

    app.post<{ Body: { to: string } }>(
      '/admin/smtp-account/test',
      {
        schema: {
          tags,
          summary: 'Send a test mail through the stored SMTP account now',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['to'],
            properties: { to: { type: 'string', maxLength: 254 } },
          },
          response: { 200: testMailSchema, ...errorResponses },
        },
      },
      async (request) => sendTestMail(mailDeps, request.body.to, actorOf(request).locale),
    );

    app.post<{ Params: { id: number }; Body: { to: string; ticketNumber?: number | null; locale?: string | null } }>(
      '/admin/email-templates/:id/test',
      {
        schema: {
          tags,
          summary:
            'Render a stored template (against a ticket, or the latest one) and send it through the SMTP account now',
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['to'],
            properties: {
              to: { type: 'string', maxLength: 254 },
              ticketNumber: { type: ['integer', 'null'], minimum: 1, maximum: 2147483647 },
              locale: { type: ['string', 'null'], enum: ['en-US', 'pt-BR', 'es-ES', null] },
            },
          },
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
            200: { type: 'object', properties: { items: { type: 'array', items: capturedSummary } } },
            ...errorResponses,
          },
        },
      },
      async () => ({
        items: catcher().list(),
      }),
    );
    app.get<{ Params: { id: number } }>(
      '/admin/mail-catcher/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: {
            200: {
              type: 'object',
              properties: {
                ...capturedSummary.properties,
                replyTo: { type: ['string', 'null'] },
                text: { type: 'string' },
                html: { type: ['string', 'null'] },
                headers: { type: 'object', additionalProperties: { type: 'string' } },
                raw: { type: 'string' },
              },
            },
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
