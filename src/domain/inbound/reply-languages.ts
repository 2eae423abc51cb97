import { ASIA_AND_MIDDLE_EAST } from './reply-languages-asia.ts';
import { ENGLISH } from './reply-languages-english.ts';
import { EUROPE } from './reply-languages-europe.ts';

/**
 * What mail clients print around quoted history and boilerplate, per language, as data: reply-markers.ts builds its
 * sets and expressions from this table, so a language is added to one of its parts (reply-languages-english.ts,
 * -europe.ts, -asia.ts), listed in `REPLY_LANGUAGES` below, and nowhere else. All strings are lower case
 * (the classifiers compare lower-cased lines). Sources: test/fixtures/replies/intl/SOURCES.md.
 */
export interface ReplyLanguage {
  /** Verbs that end an attribution line, before its colon: "wrote" in "On …, Ana <a@x> wrote:". */
  wroteAtEnd?: readonly string[];
  /** Verbs that stand inside an attribution (verb-second languages, or a date after the name): "Am … schrieb Ana:". */
  wroteInside?: readonly string[];
  /** Words an attribution begins with: "on", "em", "am", "w dniu". */
  openers?: readonly string[];
  /** The sender's key of an Outlook-style header block ("From:", "De :", "Von:", "差出人:"). */
  fromKeys?: readonly string[];
  /** The other keys of a header block (sent, date, to, cc, subject, …). */
  headerKeys?: readonly string[];
  /** Header keys that carry the date (a one-line header block starts with one of them or with a From key). */
  dateKeys?: readonly string[];
  /** Separator phrases between rules: "-----Original Message-----", "---------- Forwarded message ---------". */
  separators?: readonly string[];
  /** Apple Mail's forward introduction, followed by a colon: "Begin forwarded message:". */
  forwardIntros?: readonly string[];
  /** Nouns naming a message in "-----X Message-----" separators the list above does not hold. */
  messageWords?: readonly string[];
  /** Phrases of mobile and webmail taglines, with a device or app name: "sent from my", "get outlook for". */
  taglines?: readonly string[];
  /** Devices and apps a tagline names (matched anywhere in it, so "iphon" also finds "iPhonu", "iPhone'a"). */
  devices?: readonly string[];
  /** Phrases that end a tagline instead ("iPhone-ról küldve", "iPhoneから送信"). */
  taglineEnds?: readonly string[];
  /** Phrases of external-sender banners: "originated from outside", "[external]". */
  banners?: readonly string[];
  /** Warning words that a banner paragraph holds besides its phrase ("caution", "do not click", "attachments"). */
  bannerWarnings?: readonly string[];
  /** Words of confidentiality disclaimers ("confidential", "intended recipient"); two of them make one. */
  disclaimers?: readonly string[];
}

/** Every language, in the order the classifiers have always read them. */
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
