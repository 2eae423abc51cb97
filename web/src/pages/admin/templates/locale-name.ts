const names = new Map<string, Intl.DisplayNames>();

/**
 * A language tag's name in the reader's language ("Brazilian Portuguese", "português (Brasil)"), capitalised as a
 * label; null when the browser has no name for it.
 */
export function localeName(uiLocale: string, tag: string): string | null {
  try {
    let display = names.get(uiLocale);
    if (!display) {
      display = new Intl.DisplayNames([uiLocale], { type: 'language', fallback: 'none' });
      names.set(uiLocale, display);
    }
    const name = display.of(tag);
    if (!name || name.toLowerCase() === tag.toLowerCase()) return null;
    return name.charAt(0).toLocaleUpperCase(uiLocale) + name.slice(1);
  } catch {
    return null;
  }
}

/** A language tag as a label: "Brazilian Portuguese — pt-BR", or the tag alone when the browser has no name for it. */
export function localeLabel(uiLocale: string, tag: string): string {
  const name = localeName(uiLocale, tag);
  return name ? `${name} — ${tag}` : tag;
}
