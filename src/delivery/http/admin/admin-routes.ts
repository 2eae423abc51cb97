import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { DomainError } from '../../../domain/errors.ts';
import { LOCALES, resolveLocale } from '../../../domain/locale.ts';
import { OUTBOX_STATUSES, type OutboxStatus } from '../../../domain/notifications/outbox-entry.ts';
import {
  getParameter,
  listParameters,
  readParameters,
  saveSmtpAccount,
  setParameter,
  smtpAccountOf,
  type SmtpAccountInput,
} from '../../../domain/parameters/parameters.ts';
import { describeKeys } from '../../../domain/templates/key-registry.ts';
import type { EmailTemplateInput } from '../../../domain/templates/email-template.ts';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  previewTemplate,
  updateTemplate,
} from '../../../domain/templates/manage-templates.ts';
import {
  createGroup,
  createUser,
  deleteGroup,
  editGroup,
  editUser,
  type UserEdit,
} from '../../../domain/users/manage-users.ts';
import type { NewUserInput } from '../../../domain/users/user.ts';
import { actorOf, requireRole } from '../auth/authenticate-request.ts';
import { presentOutboxAttempt, presentOutboxEntry } from '../presenters.ts';
import {
  cursorQuery,
  errorResponses,
  groupSchema,
  idParams,
  outboxEntrySchema,
  pageOf,
  parameterSchema,
  smtpAccountSchema,
  templateSchema,
  userSchema,
} from '../schemas.ts';

const templateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'subject', 'html'],
  properties: {
    name: { type: 'string', maxLength: 120 },
    subject: { type: 'string', maxLength: 255 },
    html: { type: 'string', maxLength: 200000 },
    text: { type: ['string', 'null'], maxLength: 200000 },
    active: { type: 'boolean' },
  },
} as const;

const previewOptions = {
  ticketNumber: { type: ['integer', 'null'], minimum: 1, maximum: 2147483647 },
  locale: { type: ['string', 'null'], enum: [...LOCALES, null] },
} as const;

const renderedSchema = {
  type: 'object',
  properties: {
    subject: { type: 'string' },
    html: { type: 'string' },
    text: { type: 'string' },
    ticketNumber: { type: ['integer', 'null'] },
  },
} as const;

/** Everything under /admin answers 403 to requesters and technicians. */
export function adminRoutes(deps: Deps) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireRole('admin'));
    const tags = ['admin'];

    // ---- parameters
    app.get(
      '/admin/parameters',
      {
        schema: {
          tags,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: parameterSchema } } },
            ...errorResponses,
          },
        },
      },
      async (request) => ({
        items: await listParameters(deps, actorOf(request).locale),
      }),
    );

    app.get<{ Params: { id: number } }>(
      '/admin/parameters/:id',
      { schema: { tags, params: idParams, response: { 200: parameterSchema, ...errorResponses } } },
      async (request) => getParameter(deps, request.params.id, actorOf(request).locale),
    );

    app.put<{ Params: { id: number }; Body: { value: unknown } }>(
      '/admin/parameters/:id',
      {
        schema: {
          tags,
          summary: 'Set a parameter; the value is JSON of its type (417: the template id)',
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['value'],
            properties: { value: { type: ['string', 'number', 'boolean', 'null'], maxLength: 255 } },
          },
          response: { 200: parameterSchema, ...errorResponses },
        },
      },
      async (request) => setParameter(deps, actorOf(request), request.params.id, request.body.value),
    );

    // ---- SMTP account
    app.get(
      '/admin/smtp-account',
      { schema: { tags, response: { 200: smtpAccountSchema, ...errorResponses } } },
      async () => smtpAccountOf(await readParameters(deps.storage)),
    );

    app.put<{ Body: SmtpAccountInput }>(
      '/admin/smtp-account',
      {
        schema: {
          tags,
          summary: 'Save the SMTP account (parameters 10-14, 199, 269, 9001, 9002); the password is write-only',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['host', 'port', 'security', 'auth', 'from'],
            properties: {
              host: { type: 'string', maxLength: 253 },
              port: { type: 'integer', minimum: 1, maximum: 65535 },
              security: { type: 'string', enum: ['none', 'starttls', 'tls'] },
              auth: { type: 'boolean' },
              user: { type: ['string', 'null'], maxLength: 255 },
              password: { type: ['string', 'null'], maxLength: 255 },
              from: { type: 'string', maxLength: 254 },
              fromName: { type: ['string', 'null'], maxLength: 120 },
              allowInvalidCertificate: { type: 'boolean' },
            },
          },
          response: { 200: smtpAccountSchema, ...errorResponses },
        },
      },
      async (request) => saveSmtpAccount(deps, actorOf(request), request.body),
    );

    // ---- email templates
    app.get<{ Querystring: { locale?: string } }>(
      '/admin/template-keys',
      {
        schema: {
          tags,
          summary: 'The key registry: every ${KEY} a template may use, with its aliases and meaning',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { locale: { type: 'string', maxLength: 10 } },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      name: { type: 'string' },
                      aliases: { type: 'array', items: { type: 'string' } },
                      origin: { type: 'string' },
                      description: { type: 'string' },
                    },
                  },
                },
              },
            },
            ...errorResponses,
          },
        },
      },
      async (request) => ({ items: describeKeys(resolveLocale(request.query.locale ?? actorOf(request).locale)) }),
    );

    app.get(
      '/admin/email-templates',
      {
        schema: {
          tags,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: templateSchema } } },
            ...errorResponses,
          },
        },
      },
      async () => ({
        items: await deps.storage.listTemplates(),
      }),
    );

    app.post<{ Body: EmailTemplateInput }>(
      '/admin/email-templates',
      {
        schema: {
          tags,
          summary: 'Create a template; unknown keys are refused with key and position',
          body: templateBody,
          response: { 201: templateSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await createTemplate(deps, request.body)),
    );

    app.get<{ Params: { id: number } }>(
      '/admin/email-templates/:id',
      { schema: { tags, params: idParams, response: { 200: templateSchema, ...errorResponses } } },
      async (request) => getTemplate(deps, request.params.id),
    );

    app.put<{ Params: { id: number }; Body: EmailTemplateInput }>(
      '/admin/email-templates/:id',
      { schema: { tags, params: idParams, body: templateBody, response: { 200: templateSchema, ...errorResponses } } },
      async (request) => updateTemplate(deps, request.params.id, request.body),
    );

    app.delete<{ Params: { id: number } }>(
      '/admin/email-templates/:id',
      { schema: { tags, params: idParams, response: { 204: { type: 'null' }, ...errorResponses } } },
      async (request, reply) => {
        await deleteTemplate(deps, request.params.id);
        return reply.code(204).send();
      },
    );

    app.post<{ Params: { id: number }; Body: { ticketNumber?: number | null; locale?: string | null } }>(
      '/admin/email-templates/:id/preview',
      {
        schema: {
          tags,
          summary: 'Render a stored template against a real ticket (the latest one when none is given)',
          params: idParams,
          body: { type: ['object', 'null'], additionalProperties: false, properties: previewOptions },
          response: { 200: renderedSchema, ...errorResponses },
        },
      },
      async (request) => previewTemplate(deps, actorOf(request), { id: request.params.id }, request.body ?? {}),
    );

    app.post<{ Body: EmailTemplateInput & { ticketNumber?: number | null; locale?: string | null } }>(
      '/admin/email-templates/preview',
      {
        schema: {
          tags,
          summary: 'Render an unsaved draft, checked exactly as a save would check it',
          body: {
            ...templateBody,
            properties: { ...templateBody.properties, ...previewOptions },
            required: ['subject', 'html'],
          },
          response: { 200: renderedSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { ticketNumber, locale, ...draft } = request.body;
        return previewTemplate(
          deps,
          actorOf(request),
          { draft: { ...draft, name: draft.name ?? 'draft' } },
          { ticketNumber, locale },
        );
      },
    );

    // ---- outbox (read-only here; sending and retry come with the dispatcher)
    app.get<{ Querystring: { status?: OutboxStatus; cursor?: string; limit?: number } }>(
      '/admin/outbox',
      {
        schema: {
          tags,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...cursorQuery, status: { type: 'string', enum: [...OUTBOX_STATUSES] } },
          },
          response: { 200: pageOf(outboxEntrySchema), ...errorResponses },
        },
      },
      async (request) => {
        const page = await deps.storage.listOutbox(request.query.status, {
          cursor: request.query.cursor ?? null,
          limit: request.query.limit ?? 50,
        });
        return { items: page.items.map(presentOutboxEntry), nextCursor: page.nextCursor };
      },
    );

    app.get<{ Params: { id: number } }>(
      '/admin/outbox/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: {
            200: {
              type: 'object',
              properties: {
                ...outboxEntrySchema.properties,
                html: { type: 'string' },
                text: { type: 'string' },
                attempts: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      at: { type: 'string' },
                      result: { type: 'string' },
                      reply: { type: ['string', 'null'] },
                      code: { type: ['string', 'null'] },
                      params: { type: ['object', 'null'], additionalProperties: true },
                    },
                  },
                },
              },
            },
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const entry = await deps.storage.findOutboxEntry(request.params.id);
        if (!entry) throw new DomainError('OUTBOX_ENTRY_NOT_FOUND', `There is no outbox entry ${request.params.id}.`);
        return { ...presentOutboxEntry(entry), attempts: entry.attempts.map(presentOutboxAttempt) };
      },
    );

    // ---- users and groups
    app.get<{ Querystring: { cursor?: string; limit?: number } }>(
      '/admin/users',
      {
        schema: {
          tags,
          querystring: { type: 'object', additionalProperties: false, properties: cursorQuery },
          response: { 200: pageOf(userSchema), ...errorResponses },
        },
      },
      async (request) => {
        const page = await deps.storage.listUsers({
          cursor: request.query.cursor ?? null,
          limit: request.query.limit ?? 50,
        });
        const groups = await deps.storage.groupIdsOfUsers(page.items.map((u) => u.id));
        return { ...page, items: page.items.map((u) => ({ ...u, groupIds: groups.get(u.id) ?? [] })) };
      },
    );

    app.post<{ Body: NewUserInput }>(
      '/admin/users',
      {
        schema: {
          tags,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['role', 'email', 'name'],
            properties: {
              role: { type: 'string', enum: ['requester', 'technician', 'admin'] },
              email: { type: 'string', maxLength: 254 },
              name: { type: 'string', maxLength: 120 },
              password: { type: ['string', 'null'], maxLength: 200 },
              locale: { type: ['string', 'null'], enum: [...LOCALES, null] },
              timeZone: { type: ['string', 'null'], maxLength: 64 },
              groupIds: { type: 'array', maxItems: 100, items: { type: 'integer', minimum: 1, maximum: 2147483647 } },
            },
          },
          response: { 201: userSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await createUser(deps, request.body)),
    );

    app.patch<{ Params: { id: number }; Body: UserEdit }>(
      '/admin/users/:id',
      {
        schema: {
          tags,
          summary:
            'Edit a user: name, role, language, time zone, active, groups, a new password (ends their sessions; deactivation also revokes their tokens)',
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { type: 'string', maxLength: 120 },
              role: { type: 'string', enum: ['requester', 'technician', 'admin'] },
              locale: { type: 'string', enum: [...LOCALES] },
              timeZone: { type: 'string', maxLength: 64 },
              active: { type: 'boolean' },
              groupIds: { type: 'array', maxItems: 100, items: { type: 'integer', minimum: 1, maximum: 2147483647 } },
              password: { type: 'string', maxLength: 200 },
              keepTokens: {
                type: 'boolean',
                description: "With a new password: keep the user's API tokens (by default they are revoked)",
              },
            },
          },
          response: { 200: userSchema, ...errorResponses },
        },
      },
      async (request) => editUser(deps, actorOf(request), request.params.id, request.body, request.sessionToken),
    );

    app.get(
      '/admin/groups',
      {
        schema: {
          tags,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: groupSchema } } },
            ...errorResponses,
          },
        },
      },
      async () => ({
        items: await deps.storage.listGroups(),
      }),
    );

    app.post<{ Body: { name: string; memberIds?: number[] } }>(
      '/admin/groups',
      {
        schema: {
          tags,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: { type: 'string', maxLength: 120 },
              memberIds: { type: 'array', maxItems: 1000, items: { type: 'integer', minimum: 1, maximum: 2147483647 } },
            },
          },
          response: { 201: groupSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await createGroup(deps, request.body)),
    );

    app.patch<{ Params: { id: number }; Body: { name?: string; memberIds?: number[] } }>(
      '/admin/groups/:id',
      {
        schema: {
          tags,
          summary: 'Rename a group and/or set its members',
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { type: 'string', maxLength: 120 },
              memberIds: { type: 'array', maxItems: 1000, items: { type: 'integer', minimum: 1, maximum: 2147483647 } },
            },
          },
          response: { 200: groupSchema, ...errorResponses },
        },
      },
      async (request) => editGroup(deps, request.params.id, request.body),
    );

    app.delete<{ Params: { id: number } }>(
      '/admin/groups/:id',
      {
        schema: {
          tags,
          summary: 'Delete a group no ticket belongs to',
          params: idParams,
          response: { 204: { type: 'null' }, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteGroup(deps, request.params.id);
        return reply.code(204).send();
      },
    );
  };
}
