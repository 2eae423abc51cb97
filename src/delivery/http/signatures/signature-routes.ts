import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { getOwnSignature } from '../../../domain/signatures/get-own-signature.ts';
import { setOwnSignature } from '../../../domain/signatures/set-own-signature.ts';
import { signatureKeyNames } from '../../../domain/signatures/signature.ts';
import { actorOf, signedIn } from '../auth/authenticate-request.ts';
import { errorResponses } from '../schemas.ts';
import { ownSignatureSchema, signatureBody, signatureSchema } from './signature-schemas.ts';

/**
 * A technician's or administrator's own signature (`/me/signature`), which `${SIGNATURE}` renders in the mails of
 * their messages. A requester is answered FORBIDDEN by the use case (requesters have none).
 */
export function signatureRoutes(deps: Deps) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['auth'];

    app.get(
      '/me/signature',
      {
        onRequest: signedIn,
        schema: {
          tags,
          summary: 'Your signature, with the key names it may use',
          response: { 200: ownSignatureSchema, ...errorResponses },
        },
      },
      async (request) => ({ ...(await getOwnSignature(deps, actorOf(request))), ...signatureKeyNames() }),
    );

    app.put(
      '/me/signature',
      {
        onRequest: signedIn,
        schema: {
          tags,
          summary:
            'Set your signature (null or blank removes it); its ${KEY}s are checked as a template’s, ${SIGNATURE} excepted',
          body: signatureBody,
          response: { 200: signatureSchema, ...errorResponses },
        },
      },
      async (request) => setOwnSignature(deps, actorOf(request), request.body),
    );
  };
}
