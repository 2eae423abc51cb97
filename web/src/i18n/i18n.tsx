import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { Locale } from '../types.ts';
import { LOCALES } from '../types.ts';
import { enUS, type MessageKey, type Messages } from './en-US.ts';
import { esES } from './es-ES.ts';
import { ptBR } from './pt-BR.ts';

const CATALOGS: Record<Locale, Messages> = { 'en-US': enUS, 'pt-BR': ptBR, 'es-ES': esES };

export const LANGUAGE_NAMES: Record<Locale, string> = {
  'en-US': 'English (US)',
  'pt-BR': 'Português (Brasil)',
  'es-ES': 'Español (España)',
};

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

/** Picks the best supported locale for a tag (`pt`, `es-MX`, `en-GB` ...). */
export function resolveLocale(tag: string | null | undefined): Locale {
  if (!tag) return 'en-US';
  const exact = LOCALES.find((l) => l.toLowerCase() === tag.toLowerCase());
  if (exact) return exact;
  const language = tag.toLowerCase().split(/[-_]/)[0];
  return LOCALES.find((l) => l.toLowerCase().startsWith(`${language}-`)) ?? 'en-US';
}

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const text = CATALOGS[locale][key] ?? enUS[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export interface I18n {
  locale: Locale;
  timeZone: string | undefined;
  t: Translate;
  /** Shows the language at once; signed in, also saves it as the user's (the promise fails when that failed). */
  setLocale(locale: Locale): void | Promise<void>;
  /** Date and time, in the user's time zone. */
  dateTime(iso: string | null | undefined): string;
  date(iso: string | null | undefined): string;
  /** "3 minutes ago", "yesterday" ... */
  relative(iso: string | null | undefined): string;
  number(n: number): string;
  list(items: string[]): string;
}

const I18nContext = createContext<I18n | null>(null);

function safeTimeZone(timeZone: string | undefined): string | undefined {
  if (!timeZone) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}

export function I18nProvider(props: {
  locale: Locale;
  timeZone?: string | undefined;
  setLocale(locale: Locale): void | Promise<void>;
  children: ReactNode;
}) {
  const { locale, setLocale } = props;
  const timeZone = safeTimeZone(props.timeZone);
  const value = useMemo<I18n>(() => {
    const dateTimeFormat = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      ...(timeZone ? { timeZone } : {}),
    });
    const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', ...(timeZone ? { timeZone } : {}) });
    const relativeFormat = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    const numberFormat = new Intl.NumberFormat(locale);
    const listFormat = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });
    const valid = (iso: string | null | undefined) => (iso ? !Number.isNaN(new Date(iso).getTime()) : false);
    return {
      locale,
      timeZone,
      setLocale,
      t: (key, params) => translate(locale, key, params),
      dateTime: (iso) => (valid(iso) ? dateTimeFormat.format(new Date(iso!)) : ''),
      // A bare day (YYYY-MM-DD) is a calendar date, not an instant: format it at noon UTC in UTC.
      date: (iso) => {
        if (!iso) return '';
        if (/^\d{4}-\d{2}-\d{2}$/.test(iso))
          return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
            new Date(`${iso}T12:00:00Z`),
          );
        return valid(iso) ? dateFormat.format(new Date(iso)) : '';
      },
      relative: (iso) => {
        if (!valid(iso)) return '';
        const seconds = (new Date(iso!).getTime() - Date.now()) / 1000;
        const abs = Math.abs(seconds);
        if (abs < 45) return relativeFormat.format(0, 'second');
        if (abs < 45 * 60) return relativeFormat.format(Math.round(seconds / 60), 'minute');
        if (abs < 22 * 3600) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
        if (abs < 26 * 86400) return relativeFormat.format(Math.round(seconds / 86400), 'day');
        return dateFormat.format(new Date(iso!));
      },
      number: (n) => numberFormat.format(n),
      list: (items) => listFormat.format(items),
    };
  }, [locale, timeZone, setLocale]);
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

export type { MessageKey };
