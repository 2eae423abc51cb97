/** The languages Parley speaks. Every user-facing text of the domain is given in all three. */
export const LOCALES = ['en-US', 'pt-BR', 'es-ES'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en-US';
export type Localized = Record<Locale, string>;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Picks the best supported locale for a requested tag (`pt`, `es-MX`, `en-GB` ...). */
export function resolveLocale(requested: string | null | undefined): Locale {
  if (!requested) return DEFAULT_LOCALE;
  if (isLocale(requested)) return requested;
  const language = requested.toLowerCase().split(/[-_]/)[0];
  return LOCALES.find((l) => l.toLowerCase().startsWith(`${language}-`)) ?? DEFAULT_LOCALE;
}

export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Date formatters are costly to build and immutable: one per locale, time zone and style, kept (bounded). */
export function dateFormatter(
  locale: string,
  options: Pick<Intl.DateTimeFormatOptions, 'dateStyle' | 'timeStyle' | 'year' | 'month' | 'day'> & {
    timeZone: string;
  },
): Intl.DateTimeFormat {
  const key = `${locale}|${options.timeZone}|${options.dateStyle ?? ''}|${options.timeStyle ?? ''}|${options.year ?? ''}|${options.month ?? ''}|${options.day ?? ''}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, options);
    if (formatters.size >= 1000) formatters.delete(formatters.keys().next().value!);
    formatters.set(key, formatter);
  }
  return formatter;
}
