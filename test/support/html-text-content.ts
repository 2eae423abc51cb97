/**
 * The text a browser would show for a rendered mail's HTML part, for tests that compare it with the text part:
 * `<script>`, `<style>`, `<head>` and comments go, every tag goes (quoted attribute values may hold "<" and ">"),
 * entities are decoded. Enough for the markup Parley's templates and the tests' generated templates contain.
 */
export function htmlTextContent(html: string): string {
  return html
    .replace(/<(script|style|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\/?[a-zA-Z](?:[^>"']|"[^"]*"|'[^']*')*>/g, '')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
      if (body[0] === '#')
        return String.fromCodePoint(
          body[1]!.toLowerCase() === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10),
        );
      return (
        ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' } as Record<string, string>)[
          body.toLowerCase()
        ] ?? whole
      );
    });
}
