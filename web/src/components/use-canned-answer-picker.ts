import { useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { get, post } from '../api.ts';
import type { CannedAnswer, RenderedAnswer } from '../types.ts';
import type { DraftSurface } from './rich/use-rich-draft.ts';

/** A key pressed in the message (a DOM event, from the editor) or in the search box (React's). */
type Key = KeyboardEvent | ReactKeyboardEvent;
const composing = (event: Key) => ('nativeEvent' in event ? event.nativeEvent.isComposing : event.isComposing);

/** Lower case, accents folded, as the server searches names. */
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** A `/` at the start of a line or after a space, and the name typed after it, just before the caret. */
const SLASH = /(?:^|\s)\/([^\s/]{0,40})$/;

type Opened = { mode: 'button' } | { mode: 'slash'; start: number };

/**
 * The canned answers of the desk composer: opened by its button or by typing `/`, filtered by name, the chosen one
 * rendered by the server for the ticket (the requester's language unless another is picked) and inserted where the
 * caret is (in place of the `/name` typed). `surface` is the message being written (read when needed).
 */
export function useCannedAnswerPicker(ticketNumber: number, surface: () => DraftSurface | null) {
  const [answers, setAnswers] = useState<CannedAnswer[] | null>(null);
  const [opened, setOpened] = useState<Opened | null>(null);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [locale, setLocale] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [inserted, setInserted] = useState<RenderedAnswer | null>(null);
  const loading = useRef(false);
  /** Where the `/` closed by Esc stands: it does not open again until it is gone. */
  const dismissed = useRef<number | null>(null);

  const words = fold(query).split(/\s+/).filter(Boolean);
  const matches = (answers ?? []).filter((a) => words.every((w) => fold(a.name).includes(w)));
  const locales = [...new Set((answers ?? []).flatMap((a) => a.variants.map((v) => v.locale)))].sort();

  function load() {
    if (answers !== null || loading.current) return;
    loading.current = true;
    get<{ items: CannedAnswer[] }>(`/tickets/${ticketNumber}/canned-answers`)
      .then((r) => setAnswers(r.items))
      .catch(setError)
      .finally(() => (loading.current = false));
  }

  function open(how: Opened, q: string) {
    if (!opened || opened.mode !== how.mode || q !== query) setActive(0);
    setOpened(how);
    setQuery(q);
    setError(null);
    load();
  }

  function close(refocus: boolean) {
    if (opened?.mode === 'slash') dismissed.current = opened.start;
    setOpened(null);
    if (refocus) surface()?.focus();
  }

  /** After each change of the message: a `/name` before the caret opens (or narrows) the list; anything else closes it. */
  function onTextChange() {
    const draft = surface();
    if (!draft) return;
    const { text: before, caret } = draft.textBeforeCaret();
    const m = SLASH.exec(before);
    const start = m ? caret - m[1]!.length - 1 : null;
    if (start !== dismissed.current) dismissed.current = null;
    if (m && start !== null && dismissed.current === null) open({ mode: 'slash', start }, m[1]!);
    else if (opened?.mode === 'slash') setOpened(null);
  }

  /** Keys of the list: ↑ ↓ move, Enter inserts, Esc closes. True when the key was the list's. */
  function onListKey(event: Key): boolean {
    if (!opened || composing(event)) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      // With nothing listed the arrows move the caret, as they always do.
      if (matches.length === 0) return false;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + matches.length) % matches.length);
    } else if (event.key === 'Enter') {
      const answer = matches[active];
      if (!answer && opened.mode === 'slash') {
        // Nothing to insert: the list closes and the key does what it always does (a new line in the message).
        close(false);
        return false;
      }
      if (answer) void insert(answer);
    } else if (event.key === 'Escape') {
      close(true);
    } else return false;
    event.preventDefault();
    event.stopPropagation();
    return true;
  }

  async function insert(answer: CannedAnswer) {
    setError(null);
    try {
      const rendered = await post<RenderedAnswer>(`/tickets/${ticketNumber}/canned-answers/${answer.id}/render`, {
        locale: locale || null,
      });
      // The message as it is now (typing goes on while the answer is rendered), not as it was when it was asked for:
      // the `/name` typed is replaced when it still stands just before the caret.
      const draft = surface();
      const token = `/${query}`;
      const typed = opened?.mode === 'slash' && draft?.textBeforeCaret().text.endsWith(token);
      draft?.replaceBeforeCaret(typed ? token.length : 0, rendered.text);
      setInserted(rendered);
      setOpened(null);
    } catch (e) {
      setError(e);
    }
  }

  return {
    opened,
    query,
    setQuery: (q: string) => open({ mode: 'button' }, q),
    matches,
    loaded: answers !== null,
    active,
    setActive,
    locale,
    setLocale,
    locales,
    error,
    inserted,
    openFromButton: () => open({ mode: 'button' }, ''),
    close,
    onTextChange,
    onListKey,
    insert,
  };
}

export type CannedAnswerPickerState = ReturnType<typeof useCannedAnswerPicker>;
