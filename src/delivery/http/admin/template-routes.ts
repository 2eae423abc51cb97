import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { LOCALES, resolveLocale } from '../../../domain/locale.ts';
import { describeKeys } from '../../../domain/templates/key-registry.ts';
import { createTemplate } from '../../../domain/templates/create-template.ts';
import { deleteTemplate } from '../../../domain/templates/delete-template.ts';
import { getTemplate } from '../../../domain/templates/get-template.ts';
import { previewTemplate } from '../../../domain/templates/preview-template.ts';
import { updateTemplate } from '../../../domain/templates/update-template.ts';
import { actorOf } from '../auth/authenticate-request.ts';
import { originOf } from '../auth/origin.ts';
import { Id, ItemsOf, List, Nullable, Shape, StringEnum } from '../schema-kit.ts';
import { errorResponses, idParams, noContent, templateSchema, variantLocale } from '../schemas.ts';

const variantFields = {
  subject: Type.String({ maxLength: 255 }),
  html: Type.String({ maxLength: 200000 }),
  text: Type.Optional(Nullable(Type.String({ maxLength: 200000 }))),
};

const templateFields = {
  name: Type.String({ maxLength: 120 }),
  ...variantFields,
  locale: Type.Optional(variantLocale),
  variants: Type.Optional(
    Type.Array(Type.Object({ locale: variantLocale, ...variantFields }, { additionalProperties: false }), {
      maxItems: 20,
    }),
  ),
  active: Type.Optional(Type.Boolean()),
};

const templateBody = Type.Object(templateFields, { additionalProperties: false });

const previewOptions = {
  ticketNumber: Type.Optional(Nullable(Id())),
  /** The reader the sample is rendered for (dates, status names); not `locale`, the draft's default variant. */
  recipientLocale: Type.Optional(Nullable(StringEnum(LOCALES))),
  variant: Type.Optional(Nullable(variantLocale)),
};

const renderedSchema = Shape({
  subject: Type.String(),
  html: Type.String(),
  text: Type.String(),
  ticketNumber: Nullable(Type.Integer()),
  variant: Type.String({ description: 'The locale of the variant rendered.' }),
});

const keySchema = Shape({
  name: Type.String(),
  aliases: List(Type.String()),
  origin: Type.String(),
  description: Type.String(),
});

/** Email templates: the key registry, CRUD, previews and test sends of a template. Registered by adminRoutes, under its admin-only hook. */
export function templateRoutes(deps: Deps) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['admin'];

    // ---- email templates
    app.get(
      '/admin/template-keys',
      {
        schema: {
          tags,
          summary: 'The key registry: every ${KEY} a template may use, with its aliases and meaning',
          querystring: Type.Object(
            { locale: Type.Optional(Type.String({ maxLength: 10 })) },
            { additionalProperties: false },
          ),
          response: {
            200: ItemsOf(keySchema),
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
            200: ItemsOf(templateSchema),
            ...errorResponses,
          },
        },
      },
      async () => ({
        items: await deps.storage.settings.listTemplates(),
      }),
    );

    app.post(
      '/admin/email-templates',
      {
        schema: {
          tags,
          summary: 'Create a template; unknown keys are refused with key and position',
          body: templateBody,
          response: { 201: templateSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await createTemplate(deps, originOf(request), request.body)),
    );

    app.get(
      '/admin/email-templates/:id',
      { schema: { tags, params: idParams, response: { 200: templateSchema, ...errorResponses } } },
      async (request) => getTemplate(deps, request.params.id),
    );

    app.put(
      '/admin/email-templates/:id',
      { schema: { tags, params: idParams, body: templateBody, response: { 200: templateSchema, ...errorResponses } } },
      async (request) => updateTemplate(deps, originOf(request), request.params.id, request.body),
    );

    app.delete(
      '/admin/email-templates/:id',
      { schema: { tags, params: idParams, response: { 204: noContent, ...errorResponses } } },
      async (request, reply) => {
        await deleteTemplate(deps, originOf(request), request.params.id);
        return reply.code(204).send();
      },
    );

    app.post(
      '/admin/email-templates/:id/preview',
      {
        schema: {
          tags,
          summary: 'Render a stored template against a real ticket (the latest one when none is given)',
          params: idParams,
          body: Nullable(Type.Object(previewOptions, { additionalProperties: false })),
          response: { 200: renderedSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { recipientLocale, ...options } = request.body ?? {};
        return previewTemplate(
          deps,
          actorOf(request),
          { id: request.params.id },
          { ...options, locale: recipientLocale },
        );
      },
    );

    app.post(
      '/admin/email-templates/preview',
      {
        schema: {
          tags,
          summary: 'Render an unsaved draft, checked exactly as a save would check it',
          body: Type.Object(
            { ...templateFields, name: Type.Optional(templateFields.name), ...previewOptions },
            { additionalProperties: false },
          ),
          response: { 200: renderedSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { ticketNumber, recipientLocale, variant, ...draft } = request.body;
        return previewTemplate(
          deps,
          actorOf(request),
          { draft: { ...draft, name: draft.name ?? 'draft' } },
          { ticketNumber, locale: recipientLocale, variant },
        );
      },
    );
  };
}
