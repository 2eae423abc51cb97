import type { FastifyRequest } from 'fastify';
import type { Origin } from '../../../domain/audit/audit-entry.ts';
import { actorOf } from './authenticate-request.ts';

/** Who makes a change through the API and from where, for the audit log: the signed-in person and the client address. */
export function originOf(request: FastifyRequest): Origin {
  const { id, name, email } = actorOf(request);
  return { actor: { id, name, email }, address: request.ip };
}
