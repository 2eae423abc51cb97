import type { ApiToken } from '../../../domain/users/api-token.ts';
import type { ActorKey } from '../../../ports/storage/people.ts';
import { toApiToken, toUser } from './rows.ts';
import { prepared } from './sql-context.ts';
import type { SqlContext } from './sql-dialect.ts';

/**
 * A user with their group ids in one read (a join of their memberships), found by id, email, API-token digest (with
 * the token) or session digest (with the session). Every authenticated request runs it: each shape is prepared once.
 */
export async function findActor(ctx: SqlContext, key: ActorKey) {
  const q = () =>
    ctx.db
      .selectFrom('app_user')
      .leftJoin('group_member', 'group_member.user_id', 'app_user.id')
      .selectAll('app_user')
      .select('group_member.group_id');
  let rows;
  let token: ApiToken | null = null;
  if ('userId' in key) {
    rows = (await prepared(ctx, 'actor-by-id', () => q().where('app_user.id', '=', 0), [key.userId])).map((r) => ({
      ...r,
      csrf_hash: null,
      expires_at: null,
    }));
  } else if ('email' in key) {
    rows = (await prepared(ctx, 'actor-by-email', () => q().where('app_user.email', '=', ''), [key.email])).map(
      (r) => ({ ...r, csrf_hash: null, expires_at: null }),
    );
  } else if ('tokenHash' in key) {
    const byToken = () =>
      q()
        .innerJoin('api_token', 'api_token.user_id', 'app_user.id')
        .select([
          'api_token.id as token_id',
          'api_token.name as token_name',
          'api_token.scope as token_scope',
          'api_token.created_at as token_created_at',
          'api_token.expires_at as token_expires_at',
          'api_token.last_used_at as token_last_used_at',
        ])
        .where('api_token.token_hash', '=', '');
    const tokenRows = await prepared(ctx, 'actor-by-token', byToken, [key.tokenHash]);
    const t = tokenRows[0];
    token = t
      ? toApiToken({
          id: t.token_id,
          user_id: t.id,
          name: t.token_name,
          scope: t.token_scope,
          created_at: t.token_created_at,
          expires_at: t.token_expires_at,
          last_used_at: t.token_last_used_at,
        })
      : null;
    rows = tokenRows.map((r) => ({ ...r, csrf_hash: null, expires_at: null }));
  } else {
    const bySession = () =>
      q()
        .innerJoin('user_session', 'user_session.user_id', 'app_user.id')
        .select(['user_session.csrf_hash', 'user_session.expires_at'])
        .where('user_session.id_hash', '=', '');
    rows = await prepared(ctx, 'actor-by-session', bySession, [key.sessionHash]);
  }
  const first = rows[0];
  if (!first) return undefined;
  return {
    user: { ...toUser(first), signature: first.signature ?? null },
    groupIds: rows
      .map((r) => r.group_id)
      .filter((g): g is number => g !== null)
      .sort((a, b) => a - b),
    session:
      first.csrf_hash !== null && first.expires_at !== null
        ? { userId: first.id, csrfHash: first.csrf_hash, expiresAt: first.expires_at }
        : null,
    ...('tokenHash' in key ? { token } : {}),
  };
}
