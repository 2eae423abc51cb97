import { ASIA_AND_MIDDLE_EAST } from './reply-languages-asia.ts';
import { ENGLISH } from './reply-languages-english.ts';
import { EUROPE } from './reply-languages-europe.ts';
import type { ReplyLanguage } from './reply-language.ts';

/**
 * What mail clients print around quoted history and boilerplate, per language, as data: reply-markers.ts builds its
 * sets and expressions from this table, so a language is added to one of its parts (reply-languages-english.ts,
 * -europe.ts, -asia.ts), listed in `REPLY_LANGUAGES` below, and nowhere else. All strings are lower case
 * (the classifiers compare lower-cased lines). Sources: test/fixtures/replies/intl/SOURCES.md. Every language, in the
 * order the classifiers have always read them.
 */
export const REPLY_LANGUAGES: Readonly<Record<string, ReplyLanguage>> = {
  en: ENGLISH.en,
  ar: ASIA_AND_MIDDLE_EAST.ar,
  zh: ASIA_AND_MIDDLE_EAST.zh,
  cs: EUROPE.cs,
  da: EUROPE.da,
  nl: EUROPE.nl,
  fi: EUROPE.fi,
  fr: EUROPE.fr,
  de: EUROPE.de,
  el: EUROPE.el,
  he: ASIA_AND_MIDDLE_EAST.he,
  hu: EUROPE.hu,
  it: EUROPE.it,
  ja: ASIA_AND_MIDDLE_EAST.ja,
  ko: ASIA_AND_MIDDLE_EAST.ko,
  no: EUROPE.no,
  pl: EUROPE.pl,
  pt: EUROPE.pt,
  ro: EUROPE.ro,
  ru: EUROPE.ru,
  es: EUROPE.es,
  sv: EUROPE.sv,
  tr: EUROPE.tr,
  uk: EUROPE.uk,
  ca: EUROPE.ca,
  vi: ASIA_AND_MIDDLE_EAST.vi,
};

/** Every value of one field, over all languages, without duplicates. */
export function allOf(field: keyof ReplyLanguage): string[] {
  const out = new Set<string>();
  for (const lang of Object.values(REPLY_LANGUAGES)) for (const v of lang[field] ?? []) out.add(v);
  return [...out];
}
