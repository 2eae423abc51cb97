import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AUDIT_ACTIONS, AUDIT_TARGETS } from '../../../domain/audit/audit-entry.ts';
import { listAudit } from '../../../domain/audit/list-audit.ts';
import type { Deps } from '../../../domain/deps.ts';
import { Id, List, Nullable, Shape, StringEnum } from '../schema-kit.ts';
import { cursorQuery, errorResponses, pageOf } from '../schemas.ts';

const auditValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null(), Type.Array(Type.Integer())]);

const auditChangeSchema = Shape({
  field: Type.String(),
  before: Type.Optional(auditValue),
  after: Type.Optional(auditValue),
  withheld: Type.Optional(
    StringEnum(['secret', 'long', 'erased'] as const, {
      description:
        'The value is not kept: a secret (named as changed only), a long text, or a value about a person erased since',
    }),
  ),
});

export const auditEntrySchema = Shape({
  id: Type.Integer(),
  at: Type.String(),
  actorId: Nullable(Type.Integer()),
  actorName: Nullable(Type.String()),
  actorEmail: Nullable(Type.String()),
  address: Type.String({ description: 'The client address, or "cli" for the command line' }),
  action: StringEnum(AUDIT_ACTIONS),
  targetType: StringEnum(AUDIT_TARGETS),
  targetId: Nullable(Type.String()),
  targetLabel: Nullable(Type.String()),
  changes: List(auditChangeSchema),
});

/** The audit log of administrative changes, read-only. Registered by adminRoutes, under its admin-only hook. */
export function auditRoutes(deps: Pick<Deps, 'storage'>) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/admin/audit',
      {
        schema: {
          tags: ['admin'],
          summary: 'The audit log of administrative changes, newest first; secrets are named, never shown',
          querystring: Type.Object(
            {
              ...cursorQuery,
              actorId: Type.Optional(Id()),
              actorEmail: Type.Optional(Type.String({ maxLength: 254 })),
              action: Type.Optional(StringEnum(AUDIT_ACTIONS)),
              targetType: Type.Optional(StringEnum(AUDIT_TARGETS)),
              targetId: Type.Optional(Type.String({ maxLength: 64 })),
              from: Type.Optional(Type.String({ maxLength: 40, description: 'From this time (inclusive), ISO 8601' })),
              to: Type.Optional(Type.String({ maxLength: 40, description: 'Until this time (exclusive), ISO 8601' })),
            },
            { additionalProperties: false },
          ),
          response: { 200: pageOf(auditEntrySchema), ...errorResponses },
        },
      },
      async (request) => {
        const { cursor, limit, ...filter } = request.query;
        return listAudit(deps, filter, { cursor, limit });
      },
    );
  };
}
