/**
 * Sanitizes HTML with an allow-list. `message`: HTML written in Parley (kept: p, br, b, strong, i, em, u, s, ul, ol,
 * li, blockquote, pre, code, h1-h3, a with an http, https or mailto href, img with a `cid:` src). `mail`: HTML of an
 * incoming mail, the same plus tables and remote http(s) images, whose address is moved to `data-remote-src` (no
 * `src`: nothing loads until a person asks). Links get rel="noopener noreferrer nofollow" and target="_blank".
 */
export interface HtmlSanitizer {
  sanitize(html: string, from: 'message' | 'mail'): string;
}
