/** What one language's mail clients print around quoted history and boilerplate (`REPLY_LANGUAGES`). */
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
