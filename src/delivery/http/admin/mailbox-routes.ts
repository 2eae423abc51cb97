import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { DomainError } from '../../../domain/errors.ts';
import { IMAP_AUTH, MAILBOX_AUTH, type Mailbox } from '../../../domain/mailboxes/mailbox.ts';
import { OAUTH_PROVIDERS, OAUTH_STATES } from '../../../domain/mailboxes/oauth/mailbox-oauth.ts';
import { createMailbox, deleteMailbox, editMailbox } from '../../../domain/mailboxes/save-mailbox.ts';
import { verifyMailbox } from '../../../domain/mailboxes/verify-mailbox.ts';
import { sendTestMail } from '../../../domain/notifications/send-test-mail.ts';
import { actorOf, requireRole } from '../auth/authenticate-request.ts';
import { originOf } from '../auth/origin.ts';
import { Id, ItemsOf, List, Nullable, Shape, StringEnum } from '../schema-kit.ts';
import { errorResponses, idParams, noContent, SMTP_SECURITIES } from '../schemas.ts';
import { mailTo, testMailSchema, verifySchema, type MailWiring } from './mail-routes.ts';

const mailboxSchema = Shape({
  id: Type.Integer(),
  name: Type.String(),
  fromAddress: Type.String(),
  fromName: Nullable(Type.String()),
  smtpHost: Type.String(),
  smtpPort: Type.Integer(),
  smtpSecurity: StringEnum(SMTP_SECURITIES),
  smtpAuth: StringEnum(MAILBOX_AUTH),
  smtpUser: Nullable(Type.String()),
  passwordSet: Type.Boolean({ description: 'Whether a password is stored; the password itself is never returned.' }),
  allowInvalidCertificate: Type.Boolean(),
  imapHost: Nullable(Type.String(), { description: 'Its inbound folder over IMAP; null: none.' }),
  imapPort: Nullable(Type.Integer()),
  imapSecurity: Nullable(StringEnum(SMTP_SECURITIES)),
  imapUser: Nullable(Type.String()),
  imapFolder: Nullable(Type.String()),
  imapAuth: Nullable(StringEnum(IMAP_AUTH), { description: 'How it signs in to its IMAP folder; null: no folder.' }),
  imapPasswordSet: Type.Boolean({ description: 'Whether an IMAP password is stored; it is never returned.' }),
  oauth: Nullable(
    Shape({
      provider: StringEnum(OAUTH_PROVIDERS),
      login: Type.String(),
      state: StringEnum(OAUTH_STATES),
      lastError: Nullable(Type.String()),
    }),
    { description: 'Its OAuth2 client’s grant (GET …/oauth has the whole client); null: none set.' },
  ),
  groupIds: List(Type.Integer(), { description: 'The groups whose tickets’ mail goes out from this mailbox.' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const mailboxBody = Type.Object(
  {
    name: Type.String({ maxLength: 120 }),
    fromAddress: Type.String({ maxLength: 254 }),
    fromName: Type.Optional(Nullable(Type.String({ maxLength: 120 }))),
    smtpHost: Type.String({ maxLength: 253 }),
    smtpPort: Type.Integer({ minimum: 1, maximum: 65535 }),
    smtpSecurity: StringEnum(SMTP_SECURITIES),
    smtpAuth: StringEnum(MAILBOX_AUTH),
    smtpUser: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    password: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 255,
          description:
            'Write-only. Omitted or null: keep the stored one (refused when the host, port, security or certificate check change); with authentication none, removed.',
        }),
      ),
    ),
    allowInvalidCertificate: Type.Optional(Type.Boolean()),
    imapHost: Type.Optional(
      Nullable(Type.String({ maxLength: 253, description: 'Empty or null: no inbound folder.' })),
    ),
    imapPort: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 65535 }))),
    imapSecurity: Type.Optional(Nullable(StringEnum(SMTP_SECURITIES))),
    imapUser: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    imapPassword: Type.Optional(
      Nullable(Type.String({ maxLength: 255, description: 'Write-only, kept as the SMTP password is.' })),
    ),
    imapFolder: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    imapAuth: Type.Optional(
      Nullable(
        StringEnum(IMAP_AUTH, {
          description: 'password (default) or oauth2: read as the OAuth2 grant’s account, no IMAP user or password.',
        }),
      ),
    ),
    groupIds: Type.Optional(
      Type.Array(Id(), {
        maxItems: 1000,
        description: 'Exactly the groups that send from it (others that did go back to the default mailbox).',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Mailboxes: a sending identity and SMTP account per group (the groups without one send from the default mailbox,
 * the SMTP account of the parameters); verify and test send per mailbox. Administrators only.
 */
export function mailboxRoutes(deps: Deps, mail: MailWiring) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', requireRole('admin'));
    const tags = ['admin'];
    const mailDeps = { ...deps, transports: mail.transports };
    /** Mailboxes as answered: each with where its OAuth2 grant stands. */
    const shown = async (mailboxes: Mailbox[]) => {
      const grants = new Map((await deps.storage.mailboxOAuth.grantStates()).map((g) => [g.mailboxId, g]));
      return mailboxes.map((m) => {
        const g = grants.get(m.id);
        return {
          ...m,
          oauth: g ? { provider: g.provider, login: g.login, state: g.state, lastError: g.lastError } : null,
        };
      });
    };

    app.get(
      '/admin/mailboxes',
      { schema: { tags, response: { 200: ItemsOf(mailboxSchema), ...errorResponses } } },
      async () => ({
        items: await shown(await deps.storage.mailboxes.listMailboxes()),
      }),
    );

    app.post(
      '/admin/mailboxes',
      {
        schema: {
          tags,
          summary: 'Add a mailbox',
          body: mailboxBody,
          response: { 201: mailboxSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply.code(201).send((await shown([await createMailbox(deps, originOf(request), request.body)]))[0]!),
    );

    app.put(
      '/admin/mailboxes/:id',
      {
        schema: {
          tags,
          summary: 'Change a mailbox and the groups that send from it',
          params: idParams,
          body: mailboxBody,
          response: { 200: mailboxSchema, ...errorResponses },
        },
      },
      async (request) =>
        (await shown([await editMailbox(deps, originOf(request), request.params.id, request.body)]))[0]!,
    );

    app.delete(
      '/admin/mailboxes/:id',
      {
        schema: {
          tags,
          summary: 'Delete a mailbox no group sends from and no unsent mail goes out from',
          params: idParams,
          response: { 204: noContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteMailbox(deps, originOf(request), request.params.id);
        return reply.code(204).send();
      },
    );

    app.post(
      '/admin/mailboxes/:id/verify',
      {
        schema: {
          tags,
          summary: "Connect to the mailbox's SMTP server and sign in; failures answer alike, details go to the log",
          params: idParams,
          response: { 200: verifySchema, ...errorResponses },
        },
      },
      async (request) => {
        const { detail, ...answer } = await verifyMailbox(mailDeps, request.params.id);
        if (detail) request.log.warn({ smtpVerify: detail }, 'mailbox verification failed');
        return { ...answer, signedIn: answer.signedIn ?? false };
      },
    );

    app.post(
      '/admin/mailboxes/:id/test',
      {
        schema: {
          tags,
          summary: 'Send a test mail from the mailbox now',
          params: idParams,
          body: Type.Object({ to: mailTo }, { additionalProperties: false }),
          response: { 200: testMailSchema, ...errorResponses },
        },
      },
      async (request) => {
        if (!(await deps.storage.mailboxes.findMailbox(request.params.id)))
          throw new DomainError('MAILBOX_NOT_FOUND', `There is no mailbox ${request.params.id}.`);
        return sendTestMail(mailDeps, request.body.to, actorOf(request).locale, request.params.id);
      },
    );
  };
}
