import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { requireRole } from '../auth/authenticate-request.ts';
import { auditRoutes } from './audit-routes.ts';
import { groupRoutes } from './group-routes.ts';
import { outboxRoutes } from './outbox-routes.ts';
import { parameterRoutes } from './parameter-routes.ts';
import { teamAnswerRoutes } from './team-answer-routes.ts';
import { templateRoutes } from './template-routes.ts';
import { userRoutes } from './user-routes.ts';
import { webhookRoutes } from './webhook-routes.ts';

/** Everything under /admin answers 403 to requesters and technicians: one hook, then a file per resource. */
export function adminRoutes(deps: Deps) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireRole('admin'));
    for (const routes of [
      parameterRoutes,
      templateRoutes,
      outboxRoutes,
      userRoutes,
      groupRoutes,
      auditRoutes,
      teamAnswerRoutes,
      webhookRoutes,
    ])
      await app.register(routes(deps));
  };
}
