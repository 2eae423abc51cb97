import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Storage } from '../../../ports/storage.ts';
import type { Clock } from '../../../ports/clock.ts';
import type { Deps } from '../../../domain/deps.ts';
import { registerProcessGauges } from './process-gauges.ts';
import { registerBacklogGauges, type BacklogSource } from './backlog-gauges.ts';

/** How often the event loop's delay is sampled for `parley_nodejs_eventloop_lag_*`. */
export const EVENT_LOOP_SAMPLE_MS = 100;

export interface HttpMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
  messagesPosted: Counter<'source'>;
}

export function createMetrics(options: {
  processMetrics: boolean;
  storage?: { outbox: Pick<Storage['outbox'], 'outboxCounts'> } & BacklogSource;
  /** The clock the backlog's ages are measured against. */
  clock?: Clock;
  /** The running processes' heartbeats, and the clock their age is measured on. */
  processes?: { storage: Pick<Storage, 'processes'>; clock: Clock };
}): HttpMetrics {
  const registry = new Registry();
  // The event loop's delay sampled every 100 ms, not prom-client's 10: a timer every 10 ms woke each idle instance a
  // hundred times a second (about 1 % of a core, and a wake-up competing with requests under load). A stall of 100 ms
  // or more is always seen; a shorter one only when a sample falls due during it (a 30 ms stall about one time in three).
  if (options.processMetrics)
    collectDefaultMetrics({
      register: registry,
      prefix: 'parley_',
      eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
    });
  const storage = options.storage;
  if (storage) {
    new Gauge({
      name: 'parley_outbox_entries',
      help: 'Outbox entries by status (read from the database at each scrape)',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        for (const [status, n] of Object.entries(await storage.outbox.outboxCounts())) this.set({ status }, n);
      },
    });
    registerBacklogGauges(registry, storage, options.clock ?? { now: () => new Date() });
  }
  if (options.processes) registerProcessGauges(registry, options.processes);
  return {
    registry,
    requests: new Counter({
      name: 'parley_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    messagesPosted: new Counter({
      name: 'parley_messages_posted_total',
      help: 'Messages stored',
      labelNames: ['source'],
      registers: [registry],
    }),
  };
}

/** Counts every request; registered on the root instance so it sees all routes. */
export function recordRequest(metrics: HttpMetrics) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  };
}

/** Equal, compared in constant time whatever the lengths (both sides hashed first). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

/**
 * Liveness, readiness and Prometheus metrics, outside /api/v1. Liveness and readiness are open; /metrics is open
 * unless a token is configured (PARLEY_METRICS_TOKEN), then it needs `Authorization: Bearer <token>`.
 */
export function opsRoutes(
  deps: Pick<Deps, 'storage'>,
  metrics: HttpMetrics,
  access: { token: string | null } = { token: null },
) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', { schema: { tags: ['ops'] } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { tags: ['ops'] } }, async (_request, reply) => {
      try {
        await deps.storage.ping();
        return { status: 'ready' };
      } catch (error) {
        _request.log.warn({ err: error }, 'readiness check: database unreachable');
        return reply.code(503).send({ code: 'DATABASE_UNREACHABLE', message: 'The database cannot be reached.' });
      }
    });

    app.get('/metrics', { schema: { tags: ['ops'] } }, async (request, reply) => {
      // Without a token the metrics are for whoever reaches this port directly (Prometheus beside it); a request that
      // came through a proxy (X-Forwarded-For: Prometheus never sends it) may come from anywhere the proxy serves.
      if (access.token === null && request.headers['x-forwarded-for'] !== undefined) {
        return reply.code(403).send({
          code: 'FORBIDDEN',
          message:
            'The metrics are not served through a proxy without a token: let Prometheus ask each instance directly, ' +
            'or set PARLEY_METRICS_TOKEN.',
        });
      }
      if (access.token !== null) {
        const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
        if (!match || !sameSecret(match[1]!, access.token)) {
          reply.header('www-authenticate', 'Bearer realm="metrics"');
          return reply.code(401).send({
            code: 'AUTH_REQUIRED',
            message: 'The metrics need the token of PARLEY_METRICS_TOKEN: Authorization: Bearer <token>.',
          });
        }
      }
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  };
}
