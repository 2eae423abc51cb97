import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { DomainError } from '../../../domain/errors.ts';
import { csrfTokenOf } from '../../../domain/users/authentication.ts';
import { endSession } from '../../../domain/users/end-session.ts';
import { startSession } from '../../../domain/users/start-session.ts';
import { verifyCredentials } from '../../../domain/users/verify-credentials.ts';
import { updatePreferences } from '../../../domain/users/update-preferences.ts';
import { changeOwnPassword } from '../../../domain/users/change-own-password.ts';
import { changeOwnEmail } from '../../../domain/users/change-own-email.ts';
import { mailTroubleOf } from '../../../domain/notifications/mail-trouble.ts';
import { LOCALES } from '../../../domain/locale.ts';
import { MAX_PASSWORD_LENGTH, normalizeEmail } from '../../../domain/users/user.ts';
import { Nullable, Shape, StringEnum } from '../schema-kit.ts';
import { errorResponses, noContent, userSchema } from '../schemas.ts';
import { actorOf, SESSION_COOKIE, signedIn } from './authenticate-request.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { originOf } from './origin.ts';

const meSchema = Shape({ ...userSchema.properties, csrfToken: Nullable(Type.String()) });

const loginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
  },
  { additionalProperties: false },
);

const passwordChangeBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
    newPassword: Type.String({ maxLength: MAX_PASSWORD_LENGTH }),
    keepTokens: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

const emailChangeBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
    email: Type.String({ minLength: 1, maxLength: 254 }),
  },
  { additionalProperties: false },
);

const mailTroubleSchema = Shape({
  trouble: Nullable(Shape({ address: Type.String(), at: Type.String() }), {
    description: 'The latest mail to you failed or bounced at the address you still have; null otherwise.',
  }),
});

const preferencesBody = Type.Object(
  { locale: Type.Optional(StringEnum(LOCALES)), timeZone: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);

/** "12 seconds", "3 minutes". */
function waitText(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export function authRoutes(deps: Deps, limiter: LoginLimiter, secureCookies: boolean) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Start a session (sets an HttpOnly cookie; returns the user and the CSRF token for later writes)',
          body: loginBody,
          response: { 200: meSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        if (request.headers['sec-fetch-site'] === 'cross-site') {
          throw new DomainError('AUTH_CSRF_FAILED', 'Sign in from a Parley page.');
        }
        const email = normalizeEmail(request.body.email);
        // Counted before the password is checked (taken back when it is right), or refused with the wait.
        const wait = await limiter.attempt(request.ip, email);
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          throw new DomainError('AUTH_RATE_LIMITED', `Too many failed sign-ins. Try again in ${waitText(wait)}.`, {
            details: { retryAfterSeconds: wait },
          });
        }
        const actor = await verifyCredentials(deps, email, request.body.password);
        await limiter.succeed(request.ip, email);
        const session = await startSession(deps, actor);
        await deps.storage.sessions.deleteExpiredSessions(deps.clock.now().toISOString());
        reply.setCookie(SESSION_COOKIE, session.sessionToken, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          // Secure when Parley's public URL is https, or when a trusted proxy says the request came over https.
          secure: secureCookies || request.protocol.toLowerCase() === 'https',
          expires: new Date(session.expiresAt),
        });
        return { ...actor, csrfToken: session.csrfToken };
      },
    );

    app.post(
      '/auth/logout',
      { onRequest: signedIn, schema: { tags: ['auth'], response: { 204: noContent, ...errorResponses } } },
      async (request, reply) => {
        if (request.sessionToken) await endSession(deps, request.sessionToken);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send();
      },
    );

    app.get(
      '/me',
      { onRequest: signedIn, schema: { tags: ['auth'], response: { 200: meSchema, ...errorResponses } } },
      async (request) => {
        const actor = actorOf(request);
        return { ...actor, csrfToken: request.sessionToken ? csrfTokenOf(deps, request.sessionToken) : null };
      },
    );

    app.post(
      '/me/password',
      {
        onRequest: signedIn,
        schema: {
          tags: ['auth'],
          summary:
            'Change your password: this session stays signed in, your other sessions end, your API tokens are revoked unless keepTokens',
          body: passwordChangeBody,
          response: {
            200: Shape({ sessionsEnded: Type.Integer(), tokensRevoked: Type.Integer() }),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        // Guessing the current password from a stolen session is limited like signing in.
        const wait = await limiter.attempt(request.ip, actor.email);
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          throw new DomainError('AUTH_RATE_LIMITED', `Too many wrong passwords. Try again in ${waitText(wait)}.`, {
            details: { retryAfterSeconds: wait },
          });
        }
        const ended = await changeOwnPassword(deps, originOf(request), actor, request.body, request.sessionToken);
        await limiter.succeed(request.ip, actor.email);
        return ended;
      },
    );

    app.put(
      '/me/email',
      {
        onRequest: signedIn,
        schema: {
          tags: ['auth'],
          summary: 'Change your own email address, giving your current password (unique; audited)',
          body: emailChangeBody,
          response: { 200: meSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        // Guessing the current password from a stolen session is limited like signing in.
        const wait = await limiter.attempt(request.ip, actor.email);
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          throw new DomainError('AUTH_RATE_LIMITED', `Too many wrong passwords. Try again in ${waitText(wait)}.`, {
            details: { retryAfterSeconds: wait },
          });
        }
        const user = await changeOwnEmail(deps, originOf(request), actor, request.body);
        await limiter.succeed(request.ip, actor.email);
        return {
          ...user,
          groupIds: actor.groupIds,
          csrfToken: request.sessionToken ? csrfTokenOf(deps, request.sessionToken) : null,
        };
      },
    );

    app.get(
      '/me/mail-trouble',
      {
        onRequest: signedIn,
        schema: {
          tags: ['auth'],
          summary: 'Whether the latest mail to you could not be delivered at your current address',
          response: { 200: mailTroubleSchema, ...errorResponses },
        },
      },
      async (request) => ({ trouble: await mailTroubleOf(deps, actorOf(request)) }),
    );

    app.patch(
      '/me',
      {
        onRequest: signedIn,
        schema: {
          tags: ['auth'],
          summary: 'Set your own language and time zone (pages, dates and mails follow them)',
          body: preferencesBody,
          response: { 200: meSchema, ...errorResponses },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const user = await updatePreferences(deps, actor, request.body);
        return {
          ...user,
          groupIds: actor.groupIds,
          csrfToken: request.sessionToken ? csrfTokenOf(deps, request.sessionToken) : null,
        };
      },
    );
  };
}
