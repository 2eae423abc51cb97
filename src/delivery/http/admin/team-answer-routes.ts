import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { createCannedAnswer } from '../../../domain/canned-answers/create-canned-answer.ts';
import { deleteCannedAnswer } from '../../../domain/canned-answers/delete-canned-answer.ts';
import { listManagedAnswers } from '../../../domain/canned-answers/list-canned-answers.ts';
import { updateCannedAnswer } from '../../../domain/canned-answers/update-canned-answer.ts';
import type { Deps } from '../../../domain/deps.ts';
import { actorOf } from '../auth/authenticate-request.ts';
import { originOf } from '../auth/origin.ts';
import {
  answerBody,
  cannedAnswerSchema,
  presentAnswer,
  teamAnswerBody,
} from '../canned-answers/canned-answer-schemas.ts';
import { ItemsOf } from '../schema-kit.ts';
import { errorResponses, idParams, noContent } from '../schemas.ts';

/** Teams' canned answers, managed by administrators (registered by adminRoutes, under its admin-only hook). */
export function teamAnswerRoutes(deps: Deps) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['admin'];

    app.get(
      '/admin/canned-answers',
      {
        schema: {
          tags,
          summary: "Every team's canned answers",
          response: { 200: ItemsOf(cannedAnswerSchema), ...errorResponses },
        },
      },
      async (request) => ({ items: (await listManagedAnswers(deps, actorOf(request), 'team')).map(presentAnswer) }),
    );

    app.post(
      '/admin/canned-answers',
      {
        schema: {
          tags,
          summary: "Save a team's canned answer; unknown ${KEY}s are refused, naming the key and the language",
          body: teamAnswerBody,
          response: { 201: cannedAnswerSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(presentAnswer(await createCannedAnswer(deps, originOf(request), actorOf(request), request.body))),
    );

    app.put(
      '/admin/canned-answers/:id',
      {
        schema: {
          tags,
          summary: 'Replace its name and languages (the team stays)',
          params: idParams,
          body: answerBody,
          response: { 200: cannedAnswerSchema, ...errorResponses },
        },
      },
      async (request) =>
        presentAnswer(
          await updateCannedAnswer(deps, originOf(request), actorOf(request), request.params.id, request.body),
        ),
    );

    app.delete(
      '/admin/canned-answers/:id',
      { schema: { tags, params: idParams, response: { 204: noContent, ...errorResponses } } },
      async (request, reply) => {
        await deleteCannedAnswer(deps, originOf(request), actorOf(request), request.params.id);
        return reply.code(204).send();
      },
    );
  };
}
