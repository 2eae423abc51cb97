import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { createCannedAnswer } from '../../../domain/canned-answers/create-canned-answer.ts';
import { deleteCannedAnswer } from '../../../domain/canned-answers/delete-canned-answer.ts';
import { listManagedAnswers, listUsableAnswers } from '../../../domain/canned-answers/list-canned-answers.ts';
import { renderCannedAnswer } from '../../../domain/canned-answers/render-canned-answer.ts';
import { updateCannedAnswer } from '../../../domain/canned-answers/update-canned-answer.ts';
import type { Deps } from '../../../domain/deps.ts';
import { actorOf, requireRole } from '../auth/authenticate-request.ts';
import { originOf } from '../auth/origin.ts';
import { Id, ItemsOf, Nullable } from '../schema-kit.ts';
import { errorResponses, idParams, noContent, numberParams } from '../schemas.ts';
import { answerBody, cannedAnswerSchema, presentAnswer, renderedAnswerSchema } from './canned-answer-schemas.ts';

/**
 * Canned answers for staff: a technician's own (`/me/canned-answers`), and those a technician may use on a ticket,
 * listed and rendered for it (`/tickets/{number}/canned-answers`). Requesters get 403 on every one.
 */
export function cannedAnswerRoutes(deps: Deps) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const staff = requireRole('technician', 'admin');
    const tags = ['canned answers'];

    app.get(
      '/me/canned-answers',
      {
        onRequest: staff,
        schema: {
          tags,
          summary: 'Your personal canned answers',
          response: { 200: ItemsOf(cannedAnswerSchema), ...errorResponses },
        },
      },
      async (request) => ({ items: (await listManagedAnswers(deps, actorOf(request), 'personal')).map(presentAnswer) }),
    );

    app.post(
      '/me/canned-answers',
      {
        onRequest: staff,
        schema: {
          tags,
          summary: 'Save a personal canned answer; unknown ${KEY}s are refused, naming the key and the language',
          body: answerBody,
          response: { 201: cannedAnswerSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(presentAnswer(await createCannedAnswer(deps, originOf(request), actorOf(request), request.body))),
    );

    app.put(
      '/me/canned-answers/:id',
      {
        onRequest: staff,
        schema: { tags, params: idParams, body: answerBody, response: { 200: cannedAnswerSchema, ...errorResponses } },
      },
      async (request) =>
        presentAnswer(
          await updateCannedAnswer(deps, originOf(request), actorOf(request), request.params.id, request.body),
        ),
    );

    app.delete(
      '/me/canned-answers/:id',
      { onRequest: staff, schema: { tags, params: idParams, response: { 204: noContent, ...errorResponses } } },
      async (request, reply) => {
        await deleteCannedAnswer(deps, originOf(request), actorOf(request), request.params.id);
        return reply.code(204).send();
      },
    );

    app.get(
      '/tickets/:number/canned-answers',
      {
        onRequest: staff,
        schema: {
          tags,
          summary: "The canned answers you may use on this ticket (yours and your teams'), by name",
          params: numberParams,
          querystring: Type.Object(
            { search: Type.Optional(Type.String({ maxLength: 120 })) },
            { additionalProperties: false },
          ),
          response: { 200: ItemsOf(cannedAnswerSchema), ...errorResponses },
        },
      },
      async (request) => ({
        items: (await listUsableAnswers(deps, actorOf(request), request.params.number, request.query.search)).map(
          presentAnswer,
        ),
      }),
    );

    app.post(
      '/tickets/:number/canned-answers/:answerId/render',
      {
        onRequest: staff,
        schema: {
          tags,
          summary: "An answer rendered for this ticket, in the requester's language unless another is asked for",
          params: Type.Object({ number: Id(), answerId: Id() }),
          body: Nullable(
            Type.Object(
              { locale: Type.Optional(Nullable(Type.String({ maxLength: 35 }))) },
              { additionalProperties: false },
            ),
          ),
          response: { 200: renderedAnswerSchema, ...errorResponses },
        },
      },
      async (request) =>
        renderCannedAnswer(deps, actorOf(request), request.params.number, request.params.answerId, request.body ?? {}),
    );
  };
}
