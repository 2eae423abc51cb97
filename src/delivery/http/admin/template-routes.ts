import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { LOCALES, resolveLocale } from '../../../domain/locale.ts';
import { describeKeys } from '../../../domain/templates/key-registry.ts';
import type { EmailTemplateInput } from '../../../domain/templates/email-template.ts';
import { createTemplate } from '../../../domain/templates/create-template.ts';
import { deleteTemplate } from '../../../domain/templates/delete-template.ts';
import { getTemplate } from '../../../domain/templates/get-template.ts';
import { previewTemplate } from '../../../domain/templates/preview-template.ts';
import { updateTemplate } from '../../../domain/templates/update-template.ts';
import { actorOf } from '../auth/authenticate-request.ts';
import { errorResponses, idParams, templateSchema } from '../schemas.ts';

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

/** Email templates: the key registry, CRUD, previews and test sends of a template. Registered by adminRoutes, under its admin-only hook. */
export function templateRoutes(deps: Deps) {
  return async (app: FastifyInstance) => {
    const tags = ['admin'];

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
        items: await deps.storage.settings.listTemplates(),
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
  };
}
