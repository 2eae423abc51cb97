import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { getParameter } from '../../../domain/parameters/get-parameter.ts';
import { listParameters } from '../../../domain/parameters/list-parameters.ts';
import { readParameters, smtpAccountOf } from '../../../domain/parameters/parameters.ts';
import { saveSmtpAccount } from '../../../domain/parameters/save-smtp-account.ts';
import { setParameter } from '../../../domain/parameters/set-parameter.ts';
import { actorOf } from '../auth/authenticate-request.ts';
import { originOf } from '../auth/origin.ts';
import { ItemsOf, Nullable, StringEnum } from '../schema-kit.ts';
import { errorResponses, idParams, parameterSchema, SMTP_SECURITIES, smtpAccountSchema } from '../schemas.ts';

const smtpAccountBody = Type.Object(
  {
    host: Type.String({ maxLength: 253 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    security: StringEnum(SMTP_SECURITIES),
    auth: Type.Boolean(),
    user: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    password: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    from: Type.String({ maxLength: 254 }),
    fromName: Type.Optional(Nullable(Type.String({ maxLength: 120 }))),
    allowInvalidCertificate: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Parameters (the CITSmart system parameters) and the SMTP account. Registered by adminRoutes, under its admin-only hook. */
export function parameterRoutes(deps: Deps) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['admin'];

    // ---- parameters
    app.get(
      '/admin/parameters',
      {
        schema: {
          tags,
          response: {
            200: ItemsOf(parameterSchema),
            ...errorResponses,
          },
        },
      },
      async (request) => ({
        items: await listParameters(deps, actorOf(request).locale),
      }),
    );

    app.get(
      '/admin/parameters/:id',
      { schema: { tags, params: idParams, response: { 200: parameterSchema, ...errorResponses } } },
      async (request) => getParameter(deps, request.params.id, actorOf(request).locale),
    );

    app.put(
      '/admin/parameters/:id',
      {
        schema: {
          tags,
          summary: 'Set a parameter; the value is JSON of its type (417: the template id)',
          params: idParams,
          body: Type.Object(
            {
              value: Type.Unsafe<string | number | boolean | null>({
                type: ['string', 'number', 'boolean', 'null'],
                maxLength: 255,
              }),
            },
            { additionalProperties: false },
          ),
          response: { 200: parameterSchema, ...errorResponses },
        },
      },
      async (request) => setParameter(deps, originOf(request), actorOf(request), request.params.id, request.body.value),
    );

    // ---- SMTP account
    app.get(
      '/admin/smtp-account',
      { schema: { tags, response: { 200: smtpAccountSchema, ...errorResponses } } },
      async () => smtpAccountOf(await readParameters(deps.storage)),
    );

    app.put(
      '/admin/smtp-account',
      {
        schema: {
          tags,
          summary: 'Save the SMTP account (parameters 10-14, 199, 269, 9001, 9002); the password is write-only',
          body: smtpAccountBody,
          response: { 200: smtpAccountSchema, ...errorResponses },
        },
      },
      async (request) => saveSmtpAccount(deps, originOf(request), actorOf(request), request.body),
    );
  };
}
