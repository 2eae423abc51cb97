/**
 * A package imported at its first use and kept: a process that never needs it never loads it, and later uses do not
 * import it again (a dynamic `import()` resolves its specifier every time, through the loader's hooks when there are
 * some: about a tenth of a millisecond per mail under tsx). A failed import is tried again at the next use.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}
