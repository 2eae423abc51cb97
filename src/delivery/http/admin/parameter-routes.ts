import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { getParameter } from '../../../domain/parameters/get-parameter.ts';
import { listParameters } from '../../../domain/parameters/list-parameters.ts';
import { readParameters, smtpAccountOf } from '../../../domain/parameters/parameters.ts';
import { saveSmtpAccount, type SmtpAccountInput } from '../../../domain/parameters/save-smtp-account.ts';
import { setParameter } from '../../../domain/parameters/set-parameter.ts';
import { actorOf } from '../auth/authenticate-request.ts';
import { errorResponses, idParams, parameterSchema, smtpAccountSchema } from '../schemas.ts';

/** Parameters (the CITSmart system parameters) and the SMTP account. Registered by adminRoutes, under its admin-only hook. */
export function parameterRoutes(deps: Deps) {
  return async (app: FastifyInstance) => {
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
  };
}
