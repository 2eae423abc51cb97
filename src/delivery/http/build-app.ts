import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Ajv from 'ajv';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.ts';
import type { Deps } from '../../domain/deps.ts';
import { adminRoutes } from './admin/admin-routes.ts';
import { mailRoutes, type MailWiring } from './admin/mail-routes.ts';
import { mailboxRoutes } from './admin/mailbox-routes.ts';
import { mailboxOAuthRoutes } from './admin/mailbox-oauth-routes.ts';
import { DeliveryFailure, type MailTransports } from '../../ports/mail-transport.ts';
import { authenticateRequest } from './auth/authenticate-request.ts';
import { authRoutes } from './auth/auth-routes.ts';
import { tokenRoutes } from './auth/token-routes.ts';
import { cannedAnswerRoutes } from './canned-answers/canned-answer-routes.ts';
import { signatureRoutes } from './signatures/signature-routes.ts';
import { LoginLimiter } from './auth/login-limiter.ts';
import { errorHandler } from './error-handler.ts';
import { createMetrics, opsRoutes, recordRequest } from './ops/ops-routes.ts';
import { ticketRoutes } from './tickets/ticket-routes.ts';
import { EVENTS_HEARTBEAT_MS, EVENTS_LINGER_MS, eventRoutes } from './events/event-routes.ts';
import { forwardedForCheck, proxyTrust, requestLogFields } from './proxy-trust.ts';
import { inboundRoutes } from './inbound/inbound-routes.ts';
import { attachmentRoutes } from './attachments/attachment-routes.ts';
import { webRoutes } from '../web/web-routes.ts';

export interface AppOptions {
  /** A pino logger to share (the process's); no logging when absent. */
  logger?: FastifyBaseLogger;
  /** The sign-in limiter; by default one counting in `deps.storage` with the default limits, on `deps.clock`. */
  loginLimiter?: LoginLimiter;
  processMetrics?: boolean;
  /** Largest accepted request body. */
  bodyLimit?: number;
  /** SMTP transports and the mail catcher; without them the delivery tools answer as unconfigured. */
  mail?: MailWiring;
  /**
   * Slow clients are cut off (defaults: headers 30 s, whole request 120 s, idle connection 60 s; `checkEveryMs`: how
   * often Node looks for late requests, 30 s by default, smaller in tests). A live-update stream is a complete request,
   * so neither request limit applies to it, and its heartbeat (`eventsHeartbeatMs`) keeps it from being idle.
   */
  httpTimeouts?: { headersMs: number; requestMs: number; idleMs: number; checkEveryMs?: number };
  /** GET /metrics answers only with `Authorization: Bearer <metricsToken>` when set. */
  metricsToken?: string | null;
  /**
   * Reverse proxies (addresses and CIDR ranges, validated: `PARLEY_TRUSTED_PROXIES`) whose `X-Forwarded-For` gives
   * `request.ip` and whose `X-Forwarded-Proto: https` makes cookies Secure; none by default.
   */
  trustedProxies?: readonly string[];
  /** How often a live-update stream gets a comment line, so that proxies keep it open (25 s). */
  eventsHeartbeatMs?: number;
  /** How long ticket activity is still heard after the last live-update stream here ended (30 s). */
  eventsLingerMs?: number;
}

export const DEFAULT_HTTP_TIMEOUTS = { headersMs: 30_000, requestMs: 120_000, idleMs: 60_000 } as const;

/** Used when an app is built without mail wiring (tests of other parts): every send fails temporarily, and says why. */
class UnavailableTransports implements MailTransports {
  forSettings() {
    const failure = () => new DeliveryFailure('No transport', false, 'This process has no SMTP transport.');
    return {
      send: async () => Promise.reject(failure()),
      verify: async () => ({
        ok: false,
        code: 'SMTP_UNREACHABLE' as const,
        message: 'This process has no SMTP transport.',
      }),
      close: () => {},
    };
  }
  closeAll() {}
}

const AjvClass = Ajv as unknown as typeof Ajv.default;

/**
 * Bodies are validated strictly (no type coercion, unknown fields removed so they can never be mass-assigned);
 * path and query strings are coerced, since they only ever arrive as text.
 */
function validators() {
  const common = { removeAdditional: true, useDefaults: true, allErrors: false, strict: false } as const;
  const strict = new AjvClass({ ...common, coerceTypes: false });
  const coercing = new AjvClass({ ...common, coerceTypes: true });
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema) as (data: unknown) => boolean;
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v, depth + 1));
}

/** No text Parley stores may hold NUL (PostgreSQL refuses it, and no person types it). */
async function refuseNul(request: FastifyRequest) {
  if (containsNul(request.body) || containsNul(request.query)) {
    throw new DomainError('VALIDATION_FAILED', 'Text cannot contain the NUL character (\\u0000).');
  }
}

export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<FastifyInstance> {
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.httpTimeouts };
  const trustProxy = proxyTrust(options.trustedProxies ?? []);
  const app = Fastify({
    // The request log names the client (behind a trusted proxy, the address it forwarded) and the proxy hop.
    ...(options.logger
      ? { loggerInstance: options.logger.child({}, { serializers: { req: requestLogFields } }) }
      : { logger: false }),
    connectionTimeout: timeouts.idleMs,
    requestTimeout: timeouts.requestMs,
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      ...(timeouts.checkEveryMs ? { connectionsCheckingInterval: timeouts.checkEveryMs } : {}),
    },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy,
    // Not a rewrite: the first look at each request, where X-Forwarded-For is tidied before anything reads it.
    rewriteUrl: forwardedForCheck(trustProxy),
    return503OnClosing: true,
    ajv: undefined,
  });
  app.setValidatorCompiler(validators());
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ code: 'ROUTE_NOT_FOUND', message: `There is no ${request.method} ${request.url.split('?')[0]}.` }),
  );
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionToken', null);
  app.decorateRequest('apiTokenHash', null);

  const metrics = createMetrics({
    processMetrics: options.processMetrics ?? false,
    storage: deps.storage,
    processes: { storage: deps.storage, clock: deps.clock },
    clock: deps.clock,
  });
  app.addHook('onResponse', recordRequest(metrics));
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (!request.url.startsWith('/api/docs')) {
      reply.header('x-frame-options', 'DENY');
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Parley API',
        version: '1',
        description:
          'Service-desk messaging: tickets, messages, email templates (parameter 417), SMTP account, outbox.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'parley_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const secureCookies = deps.site.publicUrl.startsWith('https://');
  await app.register(
    async (api) => {
      api.addHook('onRequest', authenticateRequest(deps));
      api.addHook('preValidation', refuseNul);
      // Counted in the database, on the app's clock.
      const limiter = options.loginLimiter ?? new LoginLimiter(deps.storage, {}, () => deps.clock.now().getTime());
      await api.register(authRoutes(deps, limiter, secureCookies));
      await api.register(tokenRoutes(deps));
      await api.register(ticketRoutes(deps, metrics));
      await api.register(
        eventRoutes(deps, {
          heartbeatMs: options.eventsHeartbeatMs ?? EVENTS_HEARTBEAT_MS,
          lingerMs: options.eventsLingerMs ?? EVENTS_LINGER_MS,
        }),
      );
      await api.register(adminRoutes(deps));
      await api.register(inboundRoutes(deps));
      await api.register(attachmentRoutes(deps));
      await api.register(cannedAnswerRoutes(deps));
      await api.register(signatureRoutes(deps));
      const mail = options.mail ?? { transports: new UnavailableTransports(), catcher: null };
      await api.register(mailRoutes(deps, mail));
      await api.register(mailboxRoutes(deps, mail));
      await api.register(mailboxOAuthRoutes(deps));
    },
    { prefix: '/api/v1' },
  );
  await app.register(opsRoutes(deps, metrics, { token: options.metricsToken ?? null }));
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // The browser app (web/dist) and its page paths, after every API route; unknown /api paths still answer JSON 404.
  await app.register(webRoutes());
  return app;
}
