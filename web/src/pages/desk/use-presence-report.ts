import { useCallback, useEffect, useRef } from 'react';
import { api } from '../../api.ts';

/** How often an open page says it is still there (a report lapses after 45 s). */
const REFRESH_MS = 20_000;
/** At most one "typing" report this often while the technician writes. */
const TYPING_EVERY_MS = 5_000;

/** This page (browser tab), as presence reports name it: one person may have a ticket open in several. */
const TAB = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;

type State = 'viewing' | 'typing' | 'left';

function report(ticketNumber: number, state: State, keepalive = false) {
  // Presence is a courtesy: a report that fails is followed by the next one.
  api('POST', `/tickets/${ticketNumber}/presence`, { state, tab: TAB }, { keepalive }).catch(() => {});
}

/**
 * Tells colleagues that this page has the ticket open (on opening, every 20 s, and when shown again), that the
 * technician is writing (`typing()`, called on each change of a draft: reported at most every 5 s) or stopped
 * (`stoppedTyping()`, the draft sent or emptied), and that the page left (closed, hidden for good, or another ticket).
 */
export function usePresenceReport(ticketNumber: number): { typing(): void; stoppedTyping(): void } {
  const lastTyping = useRef(0);
  useEffect(() => {
    lastTyping.current = 0;
    const current = (): State => (Date.now() - lastTyping.current < TYPING_EVERY_MS * 2 ? 'typing' : 'viewing');
    report(ticketNumber, 'viewing');
    const refresh = setInterval(() => report(ticketNumber, current()), REFRESH_MS);
    const hide = () => report(ticketNumber, 'left', true);
    const show = (event: PageTransitionEvent) => {
      if (event.persisted) report(ticketNumber, current());
    };
    window.addEventListener('pagehide', hide);
    window.addEventListener('pageshow', show);
    return () => {
      clearInterval(refresh);
      window.removeEventListener('pagehide', hide);
      window.removeEventListener('pageshow', show);
      report(ticketNumber, 'left', true);
    };
  }, [ticketNumber]);

  const typing = useCallback(() => {
    const now = Date.now();
    if (now - lastTyping.current < TYPING_EVERY_MS) return;
    lastTyping.current = now;
    report(ticketNumber, 'typing');
  }, [ticketNumber]);

  const stoppedTyping = useCallback(() => {
    if (lastTyping.current === 0) return;
    lastTyping.current = 0;
    report(ticketNumber, 'viewing');
  }, [ticketNumber]);

  return { typing, stoppedTyping };
}
