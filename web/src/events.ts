import { useEffect, useRef, useState } from 'react';

/**
 * Live updates over Server-Sent Events (`GET /api/v1/events`, same origin, the session cookie):
 * `event: ready` on connect, `event: ticket` with `{"number": N}` when a ticket's thread or one of its mails changed,
 * `event: inbound` (staff) when the mail waiting for review changed, `event: resync` when the server may have missed
 * signals, `event: presence` (staff) with `{"number": N, "people": [...]}`: who else has ticket N open now (the
 * last one per ticket is kept; the server sends the current ones on each connection). Listeners get the ticket
 * number, or null after a reconnection or a resync (refetch everything).
 */
type Listener = (ticketNumber: number | null) => void;

const listeners = new Set<Listener>();
const inboundListeners = new Set<() => void>();

/** Someone else who has a ticket open, as `event: presence` names them. */
export interface PresentPerson {
  id: number;
  name: string;
  typing: boolean;
}
const presence = new Map<number, PresentPerson[]>();
const presenceListeners = new Set<(ticketNumber: number) => void>();
let source: EventSource | null = null;
let retry: ReturnType<typeof setTimeout> | undefined;
let backoffMs = 5_000;
let connectedBefore = false;
let wanted = false;

function emit(n: number | null) {
  for (const listener of [...listeners]) listener(n);
}

function open() {
  if (typeof EventSource === 'undefined') return;
  const s = new EventSource('/api/v1/events');
  source = s;
  s.addEventListener('ready', () => {
    backoffMs = 5_000;
    // What follows on this connection says who is where now.
    const known = [...presence.keys()];
    presence.clear();
    for (const n of known) for (const listener of [...presenceListeners]) listener(n);
    if (connectedBefore) emit(null);
    connectedBefore = true;
  });
  s.addEventListener('resync', () => {
    emit(null);
    for (const listener of [...inboundListeners]) listener();
  });
  s.addEventListener('inbound', () => {
    for (const listener of [...inboundListeners]) listener();
  });
  s.addEventListener('ticket', (event) => {
    try {
      const data = JSON.parse((event as MessageEvent<string>).data) as { number?: unknown };
      if (typeof data.number === 'number') emit(data.number);
    } catch {
      // A malformed event carries nothing to act on; the next one will.
    }
  });
  s.addEventListener('presence', (event) => {
    try {
      const data = JSON.parse((event as MessageEvent<string>).data) as { number?: unknown; people?: unknown };
      if (typeof data.number !== 'number' || !Array.isArray(data.people)) return;
      presence.set(data.number, data.people as PresentPerson[]);
      for (const listener of [...presenceListeners]) listener(data.number);
    } catch {
      // Nothing to act on; the next report will say.
    }
  });
  s.onerror = () => {
    // The browser reconnects by itself after a dropped stream (CONNECTING). It gives up (CLOSED) on an HTTP error,
    // e.g. while the server restarts: try again later, with a growing pause.
    if (s.readyState === EventSource.CLOSED && wanted) {
      source = null;
      retry = setTimeout(open, backoffMs);
      backoffMs = Math.min(backoffMs * 2, 120_000);
    }
  };
}

export function startEvents(): void {
  wanted = true;
  if (!source && retry === undefined) open();
}

export function stopEvents(): void {
  wanted = false;
  clearTimeout(retry);
  retry = undefined;
  source?.close();
  source = null;
  connectedBefore = false;
  presence.clear();
}

/** Calls `handler` with each changed ticket number (null: refetch all). */
export function useTicketEvents(handler: Listener): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const listener: Listener = (n) => ref.current(n);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
}

/** Calls `handler` when the mail waiting for review changed (staff only; also after a resync). */
export function useInboundEvents(handler: () => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const listener = () => ref.current();
    inboundListeners.add(listener);
    return () => {
      inboundListeners.delete(listener);
    };
  }, []);
}

const nobody: PresentPerson[] = [];

/** Who else has the ticket open now (staff; empty for requesters and while unknown). */
export function usePresence(ticketNumber: number): PresentPerson[] {
  const [people, setPeople] = useState(() => presence.get(ticketNumber) ?? nobody);
  useEffect(() => {
    setPeople(presence.get(ticketNumber) ?? nobody);
    const listener = (n: number) => {
      if (n === ticketNumber) setPeople(presence.get(ticketNumber) ?? nobody);
    };
    presenceListeners.add(listener);
    return () => {
      presenceListeners.delete(listener);
    };
  }, [ticketNumber]);
  return people;
}
