import { useCallback, useEffect, useRef } from 'react';
import type { Message } from '../types.ts';

/**
 * Freshdesk's "traffic cop": the messages of others that arrived in the thread since the writer started this draft
 * (`writing`: the draft is not empty). The ids known when the draft was started are the baseline; an emptied or sent
 * draft starts again.
 */
export function useTrafficCop(messages: readonly Message[] | undefined, writing: boolean, meId: number) {
  const baseline = useRef<Set<number> | null>(null);
  useEffect(() => {
    if (!writing) baseline.current = null;
    else if (!baseline.current && messages) baseline.current = new Set(messages.map((m) => m.id));
  }, [writing, messages]);
  return useCallback((): Message[] => {
    const known = baseline.current;
    if (!known || !messages) return [];
    return messages.filter((m) => !known.has(m.id) && m.author.id !== meId);
  }, [messages, meId]);
}

/** "Review first": once the dialog has closed, the message is brought into view and focused (it is `message-<id>`). */
export function bringIntoView(message: Message | undefined): void {
  if (!message) return;
  requestAnimationFrame(() => {
    const item = document.getElementById(`message-${message.id}`);
    item?.focus({ preventScroll: true });
    item?.scrollIntoView({ block: 'center' });
  });
}
