import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again; the data shown stays until the new answer arrives (no flicker on live refetches). */
  reload(): Promise<void>;
}

/** Loads something from the API when `deps` change; only the newest answer is kept. */
export function useResource<T>(load: () => Promise<T>, deps: DependencyList): Resource<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const sequence = useRef(0);
  // `deps` stand for what `load` reads (the caller lists them, as for useEffect).
  const reload = useCallback(async () => {
    const n = ++sequence.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await load();
      if (n === sequence.current) setState({ data, error: undefined, loading: false });
    } catch (error) {
      if (n === sequence.current) setState((s) => ({ data: s.data, error, loading: false }));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's `deps` stand for what `load` reads
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { ...state, reload };
}

/** A value that follows `value` after it stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}
