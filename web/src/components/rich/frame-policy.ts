/** The policy a mail preview's frame adds to the page's: images from Parley only, nothing else fetched. */
export const PREVIEW_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

/**
 * A mail's HTML for a sandboxed `srcdoc` frame, with PREVIEW_POLICY in its head: the page allows remote images (a
 * reader may ask for a mail's), a preview never loads one. The meta goes just inside `<head>` (or `<html>`), so a
 * document's doctype stays first.
 */
export function withFramePolicy(html: string, policy = PREVIEW_POLICY): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}">`;
  const head = /<head\b[^>]*>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + meta + html.slice(head.index + head[0].length);
  const root = /<html\b[^>]*>/i.exec(html);
  if (root)
    return `${html.slice(0, root.index + root[0].length)}<head>${meta}</head>${html.slice(root.index + root[0].length)}`;
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  if (doctype) return `${doctype[0]}<head>${meta}</head>${html.slice(doctype[0].length)}`;
  return `<head>${meta}</head>${html}`;
}
