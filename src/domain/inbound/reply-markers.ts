/**
 * Line classifiers for quote and signature detection in email replies. Each works on one line already normalised
 * with `normaliseLine` and at most MAX_MARKER_LINE long (longer lines are message text, never markers), so every test
 * here costs a bounded amount per line. No expression has nested quantifiers; none scans back from a `$` anchor over
 * an unbounded run.
 */

export const MAX_MARKER_LINE = 1000;

/** Trims, turns no-break spaces into spaces and drops zero-width characters (iOS puts U+FEFF in quotes). */
const SPECIAL_SPACE = /[\u200b-\u200d\u2060\ufeff\u00a0\u2007\u202f]/;
export function normaliseLine(line: string): string {
  if (!SPECIAL_SPACE.test(line)) return line.trim();
  return line
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/[\u00a0\u2007\u202f]/g, ' ')
    .trim();
}

const lower = (s: string): string => s.toLowerCase();

// ---- signatures

/** RFC 3676 signature delimiter `-- ` (many clients drop the trailing space). */
export const isSignatureDelimiter = (n: string): boolean => n === '--';

const TAGLINE_START =
  /^(?:sent|enviado|enviada|enviat|envoyé|envoye|inviato|inviata|verzonden|verstuurd|gesendet|von meinem|get|obtener|obtenga|obtén|descarga|descargar|obter|obtenha|baixe|baixar|obtenir|obtenez|télécharger|telecharger|téléchargez|scarica|holen sie sich|outlook für|outlook voor|download|skickat|skickades|sendt|lähetetty|wysłane|odesláno|отправлено)(?=\s|$)/;
const TAGLINE_DEVICE =
  /iphone|ipad|ipod|android|galaxy|samsung|smartphone|mobile|m[oó]vil|celular|telem[oó]vel|handy|telefon|outlook|yahoo mail|aol|mail for windows|mail para windows|correo para windows|e-mail para windows|blackberry|huawei|xiaomi|pixel|(?:^|\s)ios(?:\s|$)|proton ?mail|tablet/;

/** A mobile or webmail tagline: "Sent from my iPhone", "Get Outlook for Android<https://aka.ms/…>", "Von meinem iPhone gesendet". */
export function isMobileTagline(n: string): boolean {
  if (n.length < 8 || n.length > 160) return false;
  let s = lower(n);
  // A trailing link: "<https://aka.ms/o0ukef>" (Outlook text parts) or " (https://…)" (our HTML rendering).
  const cut = Math.max(s.lastIndexOf('<http'), s.lastIndexOf('(http'));
  if (cut > 0) s = s.slice(0, cut).trim();
  if (s.length > 80 || /[?,;]/.test(s)) return false; // a tagline is a short phrase, not a sentence of the message
  s = s.replace(/[.!]+$/, '');
  if (s.split(' ').length > 8) return false;
  return TAGLINE_START.test(s) && TAGLINE_DEVICE.test(s);
}

// ---- forwarded and original-message separators

const SEPARATOR_PHRASES = new Set([
  'original message',
  'forwarded message',
  'forwarded message follows',
  'mensagem original',
  'mensagem encaminhada',
  'mensaje original',
  'mensaje reenviado',
  'ursprüngliche nachricht',
  'ursprungliche nachricht',
  'weitergeleitete nachricht',
  "message d'origine",
  'message d’origine',
  'message original',
  'message transféré',
  'message transfere',
  'message réexpédié',
  'messaggio originale',
  'messaggio inoltrato',
  'oorspronkelijk bericht',
  'origineel bericht',
  'doorgestuurd bericht',
  'doorgestuurde bericht',
  'ursprungligt meddelande',
  'vidarebefordrat meddelande',
  'oprindelig meddelelse',
  'videresendt meddelelse',
  'opprinnelig melding',
  'videresendt melding',
  'alkuperäinen viesti',
  'välitetty viesti',
  'oprindelig besked',
  'videresendt besked',
  'wiadomość oryginalna',
  'oryginalna wiadomość',
  'przekazana wiadomość',
  'wiadomość przekazana',
  'původní zpráva',
  'přeposlaná zpráva',
  'исходное сообщение',
  'пересылаемое сообщение',
  'пересланное сообщение',
  'orijinal mesaj',
  'özgün ileti',
  'iletilen mesaj',
  'eredeti üzenet',
  'továbbított üzenet',
  'mesaj original',
  'mesaj redirecționat',
  '원본 메시지',
  '전달된 메시지',
  '元のメッセージ',
  '転送されたメッセージ',
  '原始邮件',
  '转发的邮件',
  '原始郵件',
  '轉寄的郵件',
]);
const APPLE_FORWARD = new Set([
  'begin forwarded message',
  'início da mensagem encaminhada',
  'inicio da mensagem encaminhada',
  'inicio del mensaje reenviado',
  'comienzo del mensaje reenviado',
  'anfang der weitergeleiteten nachricht',
  'début du message réexpédié',
  'début du message transféré',
  'inizio messaggio inoltrato',
  'begin doorgestuurd bericht',
  'början av vidarebefordrat meddelande',
  'start på videresendt besked',
  'videresendt melding',
  'początek przekazanej wiadomości',
]);

const isRule = (c: string): boolean =>
  c === '-' || c === '–' || c === '—' || c === '_' || c === '=' || c === ' ' || c === '*';

/** "-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded message:", and translations. */
export function isSeparatorLine(n: string): boolean {
  if (n.length < 8 || n.length > 120) return false;
  if (!isRule(n[0]!) && !n.endsWith(':')) return false;
  let a = 0;
  let b = n.length;
  while (a < b && isRule(n[a]!)) a++;
  while (b > a && isRule(n[b - 1]!)) b--;
  const ruled = a >= 2 && n.length - b >= 2;
  let core = lower(n.slice(a, b)).replace(/\s+/g, ' ');
  const colon = core.endsWith(':');
  if (colon) core = core.slice(0, -1).trim();
  if (ruled && SEPARATOR_PHRASES.has(core)) return true;
  // "-----Reply Message-----", "-----Antwort Nachricht-----": a short phrase naming a message between runs of five
  // or more dashes, the shape of Outlook's and webmail separators in languages the list above does not hold.
  if (
    a >= 5 &&
    n.length - b >= 5 &&
    n[0] === '-' &&
    n[n.length - 1] === '-' &&
    core.length <= 40 &&
    MESSAGE_WORD.test(core)
  )
    return true;
  return colon && APPLE_FORWARD.has(core);
}

const MESSAGE_WORD =
  /(?:^|\s)(?:message|nachricht|mensagem|mensaje|messaggio|bericht|meddelelse|meddelande|melding|besked|wiadomość|viesti|zpráva|сообщение|mesaj|üzenet|ileti)(?:\s|$)/u;

/** OWA's and Outlook mobile's "________________________________" line before the header block. */
export function isUnderscoreRule(n: string): boolean {
  if (n.length < 10 || n.length > 200) return false;
  for (let k = 0; k < n.length; k++) if (n[k] !== '_') return false;
  return true;
}

// ---- Outlook-style header blocks

const FROM_KEYS = new Set([
  'from',
  'de',
  'von',
  'da',
  'van',
  'från',
  'fra',
  'od',
  'от',
  'kimden',
  'lähettäjä',
  'feladó',
  'afzender',
  'expéditeur',
  'remetente',
  'remitente',
  'mittente',
  'absender',
  '发件人',
  '寄件者',
  '差出人',
  '보낸 사람',
]);
const OTHER_KEYS = new Set([
  'sent',
  'date',
  'to',
  'cc',
  'bcc',
  'subject',
  'reply-to',
  'sent at',
  'enviado',
  'enviada',
  'enviado em',
  'enviada em',
  'data',
  'para',
  'assunto',
  'cc',
  'cco',
  'enviado el',
  'fecha',
  'asunto',
  'responder a',
  'gesendet',
  'datum',
  'an',
  'betreff',
  'kopie',
  'envoyé',
  'envoye',
  'envoyé le',
  'à',
  'a',
  'objet',
  'date',
  'inviato',
  'oggetto',
  'inviato il',
  'verzonden',
  'aan',
  'onderwerp',
  'verzonden op',
  'skickat',
  'till',
  'ämne',
  'sendt',
  'til',
  'emne',
  'dato',
  'lähetetty',
  'vastaanottaja',
  'aihe',
  'wysłane',
  'wysłano',
  'do',
  'temat',
  'odesláno',
  'komu',
  'předmět',
  'отправлено',
  'кому',
  'тема',
  'дата',
  'gönderildi',
  'kime',
  'konu',
  'tarih',
  'elküldve',
  'címzett',
  'tárgy',
  '发送时间',
  '收件人',
  '主题',
  '日期',
  '寄件日期',
  '收件者',
  '主旨',
  '送信日時',
  '宛先',
  '件名',
  '日付',
  '보낸 날짜',
  '받는 사람',
  '제목',
]);

/** The header name of a "Key: value" line (`*From:*` and `De :` accepted), lower case, or null. */
export function headerKey(n: string): string | null {
  let idx = n.indexOf(':');
  const wide = n.indexOf('：');
  if (wide >= 0 && (idx < 0 || wide < idx)) idx = wide;
  if (idx < 1 || idx > 30) return null;
  const key = lower(n.slice(0, idx).replace(/\*/g, '').trim()).replace(/\s+/g, ' ');
  return key || null;
}

export const isFromKey = (key: string | null): boolean => key !== null && FROM_KEYS.has(key);
export const isOtherHeaderKey = (key: string | null): boolean => key !== null && OTHER_KEYS.has(key);

const INLINE_KEYS =
  /\s\*?(sent|to|subject|date|cc|enviado|enviada|para|assunto|asunto|fecha|data|gesendet|an|betreff|datum|envoyé|à|objet|inviato|a|oggetto|verzonden|aan|onderwerp)\*?\s?:\s/giu;
const INLINE_FROM = /\s\*?(?:from|de|von|da|van)\*?\s?:\s/iu;
const DATE_KEYS = new Set([
  'date',
  'sent',
  'datum',
  'fecha',
  'data',
  'gesendet',
  'enviado',
  'envoyé',
  'inviato',
  'verzonden',
]);

/**
 * A header block squeezed on one line: Outlook's "From: X Sent: Monday … To: Y Subject: Z", or a webmail's
 * "Date: Tue, 2 Oct 2012 … From: X To: Y Subject: Z".
 */
export function isInlineHeaderBlock(n: string): boolean {
  const key = headerKey(n);
  const from = isFromKey(key);
  if (!from && !(key !== null && DATE_KEYS.has(key) && INLINE_FROM.test(n))) return false;
  const seen = new Set<string>();
  for (const m of n.matchAll(INLINE_KEYS)) seen.add(lower(m[1]!));
  return seen.size >= 2;
}

// ---- attribution lines

/** Verbs that end an attribution: "… wrote:", "… escreveu:", "… a écrit :", "… het volgende geschreven:". */
const VERB_AT_END =
  /(?:^|[\s,>)])(?:wrote|writes|has written|escreveu|escribió|escribio|a écrit|a ecrit|ha scritto|scrisse|geschreven|schreef|schrieb|skrev|kirjoitti|napisał\(a\)|napisał|napisała|napsal\(a\)|napsal|napsala|написал\(а\)|написал|написала|написав|yazdı|írta|scrise|έγραψε|寫道|写道|작성)\s*[:：]$/iu;
/** Verbs that stand in the middle in verb-second languages: "Am 03.06.2024 um 10:02 schrieb Ana <a@x>:". */
const VERB_IN_MIDDLE = /(?:^|\s)(?:schrieb|schreef|skrev|skriver|kirjoitti|napsal|escreveu|escribió|wrote)(?:\s|$)/iu;
/** How attributions begin: "On …", "Em …", "El …", "Am …", "Le …", "Il giorno …", "Op …", "Den …", "W dniu …". */
const OPENER = /^(?:on|em|el|am|le|il|op|den|dne|w dniu|в|på|no|à|às)\s/i;

export const startsLikeAttribution = (n: string): boolean => OPENER.test(n);

/**
 * Whether `joined` (one attribution, possibly re-joined from wrapped lines) reads as one. `quotedNext`: the next
 * non-empty line is `>`-quoted, which lets a date-less "Ana wrote:" or a verb-less "2024年6月3日(月) 10:02 Ana <a@x>:"
 * count.
 */
export function isAttribution(joined: string, quotedNext: boolean): boolean {
  if (joined.length > 600) return false;
  const last = joined[joined.length - 1];
  if (last !== ':' && last !== '：') return false;
  const digit = /\d/.test(joined);
  const at = joined.includes('@');
  if (!digit && !at && !quotedNext) return false;
  const tail = joined.length > 80 ? joined.slice(-80) : joined;
  if (VERB_AT_END.test(tail)) return digit || at || quotedNext;
  if (VERB_IN_MIDDLE.test(joined)) return digit && (at || OPENER.test(joined) || quotedNext);
  // No verb ("2024年6月3日(月) 10:02 Ana <a@x>:", "ср, 30 апр. 2025 г. в 15:19, Ana <a@x>:", "30.09.2017, 18:30, "Ana" <a@x>:"):
  // a date or time and an address right before the colon; a quote after it, or a time in it.
  if (!digit || !at || !/[<(]?[^\s<>()]+@[^\s<>()]+[>)]?\s*[:：]$/u.test(tail)) return false;
  return quotedNext || (joined.length <= 200 && /\d{1,2}[:.]\d{2}/.test(joined));
}

const VERB_NO_COLON =
  /(?:^|[\s,>)])(?:wrote|escreveu|escribió|a écrit|ha scritto|schrieb|schreef|skrev|kirjoitti|napisał\(a\))$/iu;

/** An attribution whose client left out the colon: "On Wed, 14 Nov 2018 08:14:43 -0200 Ana <a@x.com> wrote". */
export function isAttributionWithoutColon(n: string): boolean {
  if (n.length > 300) return false;
  // Set between rules ("------On 12/29/1987 17:32 PM, Ana wrote-----", Zoho's "---- On … wrote ----"): the rules
  // mark the line as the client's, so no address is needed.
  let a = 0;
  let b = n.length;
  while (a < b && n[a] === '-') a++;
  while (b > a && n[b - 1] === '-') b--;
  const ruled = a >= 2 && n.length - b >= 2;
  const core = ruled ? n.slice(a, b).trim() : n;
  if (!OPENER.test(core) || !(ruled || core.includes('@')) || !/\d/.test(core)) return false;
  return VERB_NO_COLON.test(core.length > 80 ? core.slice(-80) : core);
}

const INLINE_VERB =
  /(?:wrote|escreveu|escribió|a écrit|ha scritto|schreef|schrieb|geschreven|skrev|napisał\(a\))\s*:\s+\S/iu;

/**
 * An attribution with the quoted text run on after it on the same line, as Yahoo Mail for Android writes its
 * text part: "On Tue, Jun 4, 2024 at 9:15, Ana<ana@x.com> wrote:   Hello Tom,".
 */
export function isInlineAttribution(n: string): boolean {
  return OPENER.test(n) && /\d/.test(n) && n.includes('@') && INLINE_VERB.test(n);
}
