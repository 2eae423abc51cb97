import { useEffect, useRef, useState } from 'react';
import { get, query } from '../../api.ts';
import { useInboundEvents, useTicketEvents } from '../../events.ts';
import { useRouter } from '../../router.tsx';
import { type InboundStatus, type InboundSummary, type Page as ApiPage } from '../../types.ts';

/** Mail a person can still decide on (the API attaches or discards these only). */
export const PENDING: readonly InboundStatus[] = ['held', 'loop'];
const changeListeners = new Set<() => void>();
/** Tells the navigation's count that a mail was decided here (a discarded unmatched mail raises no ticket event). */
export function inboundChanged() {
  for (const l of [...changeListeners]) l();
}
const HELD_PAGE = 100;
/** The badge refetches on live events (ticket and inbound) and page changes; this slow timer is a fallback. */
const HELD_REFRESH_MS = 60_000;
/**
 * How many held mails the user may review: one call (`?status=held&limit=100`), `more` when there are further pages.
 * Refreshed when the page changes, on live ticket and inbound events (at most once a second), when a mail is decided here, and
 * every minute.
 */
export function useHeldCount(enabled: boolean): { count: number; more: boolean } | null {
  const { path } = useRouter();
  const [state, setState] = useState<{ count: number; more: boolean } | null>(null);
  const sequence = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const load = useRef(async () => {});
  load.current = async () => {
    if (!enabled) return;
    const n = ++sequence.current;
    try {
      const page = await get<ApiPage<InboundSummary>>(`/inbound-mail${query({ status: 'held', limit: HELD_PAGE })}`);
      if (n === sequence.current) setState({ count: page.items.length, more: page.nextCursor !== null });
    } catch {
      // The count is a hint: keep the last one shown.
    }
  };
  const soon = () => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void load.current();
    }, 1_000);
  };
  useEffect(() => {
    void load.current();
  }, [path, enabled]);
  useEffect(() => {
    if (!enabled) return;
    const every = setInterval(() => void load.current(), HELD_REFRESH_MS);
    const listener = () => void load.current();
    changeListeners.add(listener);
    return () => {
      clearInterval(every);
      changeListeners.delete(listener);
      clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [enabled]);
  useTicketEvents(() => {
    if (enabled) soon();
  });
  useInboundEvents(() => {
    if (enabled) soon();
  });
  return enabled ? state : null;
}

/* ---------- words */
