import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { PresenceMap } from '../../../domain/presence/presence-map.ts';
import { mayReviewInboundMail } from '../../../domain/inbound/review-access.ts';
import { supportMailboxTeam } from '../../../domain/inbound/support-mailbox-team.ts';
import { canSeeTicket } from '../../../domain/tickets/ticket-access.ts';
import type { Ticket } from '../../../domain/tickets/ticket.ts';
import { isStaff, type Actor } from '../../../domain/users/user.ts';
import type { ActorKey } from '../../../ports/storage.ts';
import { DomainError } from '../../../domain/errors.ts';
import { actorOf, signedIn } from '../auth/authenticate-request.ts';
import { OnDemandSubscription } from './on-demand-subscription.ts';

/** How long ticket activity is gathered before it is pushed: many changes to one ticket become one event. */
const GATHER_MS = 100;
/** How often, by default, a comment line keeps proxies and browsers from closing an idle stream. */
export const EVENTS_HEARTBEAT_MS = 25_000;
/** How often lapsed presence reports and ended typing spells are looked for. */
const PRESENCE_SWEEP_MS = 1_000;
/** How long, by default, ticket activity is still heard after the last stream ended (a page reloading keeps it). */
export const EVENTS_LINGER_MS = 30_000;

interface Listener {
  actor: Actor;
  /** How the stream was signed in, to see again before each push whether it still may listen. */
  key: ActorKey;
  reply: FastifyReply;
}

/**
 * `GET /api/v1/events`: Server-Sent Events for the signed-in user's open pages. `event: ready` on connection, then
 * `event: ticket` with `{"number": N}` whenever a message is posted on a ticket the user may see, one of its mails
 * changes state, or the ticket itself changes; `event: presence` with `{"number": N, "people": [{id, name, typing}]}`
 * to the staff who may see ticket N whenever who has it open changed (the listener left out: a page is not told of
 * itself; never to requesters; from `POST /tickets/{n}/presence` reports of any instance, kept in memory until they
 * lapse); `event: inbound` when the mail waiting for review changed, to the
 * staff who may review that mail (`mayReviewInboundMail`: the ticket's, or the support mailbox's team, and admins); `event: resync` when signals may have been lost (PostgreSQL's listening connection was re-opened), so
 * pages refetch what they show. Activity comes from the storage (`onTicketActivity`: NOTIFY from any
 * process on PostgreSQL; this process and its dispatcher thread or child on SQLite), is gathered for 100 ms, and each ticket
 * is read once per push, whatever the number of listeners; who sees what is decided by `canSeeTicket`, the same rule
 * as the API's. The payload names the ticket only: pages fetch what changed through the API, with its checks. A
 * comment line every `heartbeatMs` (25 s) and `Cache-Control: no-transform` with `X-Accel-Buffering: no` let it pass
 * through buffering proxies. Ticket activity is heard only while a stream is open here, and `lingerMs` (30 s) after
 * the last one ended: an instance nobody watches is not woken by every message posted on the others.
 */
export function eventRoutes(
  deps: Pick<Deps, 'storage' | 'clock' | 'tokens'>,
  options: { heartbeatMs: number; lingerMs: number } = { heartbeatMs: EVENTS_HEARTBEAT_MS, lingerMs: EVENTS_LINGER_MS },
) {
  return async (app: FastifyInstance) => {
    const listeners = new Set<Listener>();
    /** Ticket id → whether only staff may hear of it (an internal note); any public change makes it public. */
    const pending = new Map<number, boolean>();
    let timer: NodeJS.Timeout | undefined;
    /** Who has which ticket open (every instance's reports); the tickets whose people changed, for the next push. */
    const presence = new PresenceMap();
    const presenceChanged = new Set<number>();
    const now = () => deps.clock.now().getTime();

    /** Frames for every listener (`resync`), sent with the next push. */
    let resync = false;
    /** The tickets named by mail whose review state changed (null: mail of no ticket), for the next push's `inbound`. */
    const inbound = new Set<number | null>();

    const push = async () => {
      timer = undefined;
      const batch = [...pending];
      pending.clear();
      const toAll = resync;
      const reviewed = [...inbound];
      const seen = [...presenceChanged];
      resync = false;
      inbound.clear();
      presenceChanged.clear();
      if (listeners.size === 0) return;
      await refreshListeners();
      // Who hears `inbound` is who may review one of those mails (the same rule as the review API's).
      const reviewers = reviewed.length === 0 ? undefined : await inboundAudience(reviewed);
      for (const listener of listeners) {
        if (toAll) listener.reply.raw.write('event: resync\ndata: {}\n\n');
        if (reviewers?.(listener.actor)) listener.reply.raw.write('event: inbound\ndata: {}\n\n');
      }
      const found = await Promise.all(
        batch.map(async ([id, staffOnly]) => ({
          ticket: await deps.storage.tickets
            .findTicketByNumber(id)
            .catch(
              (error: unknown) =>
                void app.log.error({ err: error, ticket: id }, 'live update: the ticket could not be read'),
            ),
          staffOnly,
        })),
      );
      for (const { ticket, staffOnly } of found) {
        if (!ticket) continue;
        const frame = `event: ticket\ndata: ${JSON.stringify({ number: ticket.number })}\n\n`;
        for (const listener of listeners) {
          if (staffOnly && !isStaff(listener.actor)) continue; // an internal note: requesters do not even hear of it
          if (canSeeTicket(listener.actor, ticket)) listener.reply.raw.write(frame);
        }
      }
      await pushPresence(seen);
    };

    /** Who has these tickets open, to the staff who may see them (or to `only`), each without themself. */
    const pushPresence = async (numbers: readonly number[], only?: Listener) => {
      const at = now();
      for (const number of numbers) {
        const ticket = await deps.storage.tickets
          .findTicketByNumber(number)
          .catch(
            (error: unknown) =>
              void app.log.error({ err: error, ticket: number }, 'presence: the ticket could not be read'),
          );
        if (!ticket) continue;
        for (const listener of only ? [only] : listeners) {
          if (!isStaff(listener.actor) || !canSeeTicket(listener.actor, ticket)) continue;
          const people = presence.people(ticket.number, at, listener.actor.id);
          if (only && people.length === 0) continue;
          listener.reply.raw.write(`event: presence\ndata: ${JSON.stringify({ number: ticket.number, people })}\n\n`);
        }
      }
    };

    /**
     * Who listens is checked again before each push, as a request would be: a deactivated user, an ended or expired
     * session, a revoked or expired API token loses the stream; changed groups apply.
     */
    const refreshListeners = async () => {
      const now = deps.clock.now().toISOString();
      await Promise.all(
        [...listeners].map(async (listener) => {
          const found = await deps.storage.people.findActor(listener.key);
          const expired =
            (found?.session && found.session.expiresAt <= now) ||
            (found?.token?.expiresAt && found.token.expiresAt <= now);
          if (!found || !found.user.active || expired) {
            listeners.delete(listener);
            listener.reply.raw.end();
            return;
          }
          listener.actor = { ...found.user, groupIds: found.groupIds };
        }),
      );
    };

    /** Whether an actor may review any of the mails naming these tickets (null: no ticket). */
    const inboundAudience = async (ticketIds: readonly (number | null)[]): Promise<(actor: Actor) => boolean> => {
      const team = ticketIds.includes(null) ? await supportMailboxTeam(deps) : null;
      const tickets: (Ticket | null)[] = await Promise.all(
        ticketIds.map(async (id) =>
          id === null ? null : ((await deps.storage.tickets.findTicketByNumber(id)) ?? null),
        ),
      );
      return (actor) => isStaff(actor) && tickets.some((ticket) => mayReviewInboundMail(actor, ticket, team));
    };

    const schedule = () => {
      timer ??= setTimeout(
        () => void push().catch((error) => app.log.error({ err: error }, 'live update failed')),
        GATHER_MS,
      );
    };
    // Heard only while this instance has a stream open: otherwise every message posted on any instance would wake it.
    const activity = new OnDemandSubscription(
      () =>
        deps.storage.onTicketActivity(
          (ids, staffOnly) => {
            if (listeners.size === 0) return;
            for (const id of ids) pending.set(id, (pending.get(id) ?? true) && staffOnly);
            schedule();
          },
          {
            inbound: (ticketId) => {
              if (listeners.size === 0) return;
              inbound.add(ticketId);
              schedule();
            },
            missed: () => {
              if (listeners.size === 0) return;
              resync = true;
              schedule();
            },
          },
        ),
      options.lingerMs,
      (error) => app.log.error({ err: error }, 'live updates: ticket activity could not be left'),
    );

    const unsubscribePresence = await deps.storage.onPresence((signal) => {
      if (presence.apply(signal, now()) && listeners.size > 0) {
        presenceChanged.add(signal.ticketNumber);
        schedule();
      }
    });
    let swept = now();
    const sweep = setInterval(() => {
      const at = now();
      const changed = presence.empty ? [] : presence.sweep(swept, at);
      swept = at;
      if (changed.length === 0 || listeners.size === 0) return;
      for (const number of changed) presenceChanged.add(number);
      schedule();
    }, PRESENCE_SWEEP_MS);
    sweep.unref();

    const heartbeat = setInterval(() => {
      for (const listener of listeners) listener.reply.raw.write(': keep-alive\n\n');
    }, options.heartbeatMs);
    heartbeat.unref();

    /** Set once the server stops: a stream asked for meanwhile is refused (its page reconnects, to another instance). */
    let closing = false;
    // Open streams would keep `app.close()` waiting: they end first.
    app.addHook('preClose', async () => {
      closing = true;
      clearInterval(heartbeat);
      clearInterval(sweep);
      clearTimeout(timer);
      for (const listener of listeners) listener.reply.raw.end();
      listeners.clear();
    });
    app.addHook('onClose', async () => {
      await activity.close();
      await unsubscribePresence();
    });

    app.get(
      '/events',
      {
        onRequest: signedIn,
        schema: { tags: ['live'], summary: 'Server-Sent Events: ticket activity the signed-in user may see' },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const key: ActorKey = request.sessionToken
          ? { sessionHash: deps.tokens.digest(request.sessionToken) }
          : request.apiTokenHash
            ? { tokenHash: request.apiTokenHash }
            : { userId: actor.id };
        const listener: Listener = { actor, key, reply };
        const refuseWhileClosing = () => {
          if (!closing) return;
          // Closed after the answer: a kept-alive connection (a proxy's) would keep the stopping server waiting.
          reply.header('connection', 'close');
          throw new DomainError('SERVER_CLOSING', 'This server is stopping; the page reconnects in a moment.');
        };
        refuseWhileClosing();
        await activity.hold(); // before the stream starts: a failure is an error reply, and `ready` comes after it
        if (closing) activity.release();
        refuseWhileClosing();
        reply.hijack();
        if (request.raw.socket.destroyed) return activity.release(); // the page left meanwhile
        reply.raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          // Nothing between Parley and the browser may keep, buffer or rewrite the stream.
          'cache-control': 'no-store, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
          'x-content-type-options': 'nosniff',
        });
        reply.raw.write('retry: 3000\nevent: ready\ndata: {}\n\n');
        listeners.add(listener);
        request.raw.once('close', () => {
          listeners.delete(listener);
          activity.release();
        });
        // A page connecting (or reconnecting) learns who has which ticket open now; changes follow as they come.
        if (isStaff(actor) && !presence.empty) {
          await pushPresence(presence.ticketNumbers(), listener).catch((error: unknown) =>
            app.log.error({ err: error }, 'presence: the current state could not be sent'),
          );
        }
      },
    );
  };
}
