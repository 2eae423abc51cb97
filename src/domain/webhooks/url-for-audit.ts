/**
 * A webhook URL as the audit log keeps it: its scheme, host and port, and `/…` for the rest. Chat and automation
 * services (Slack, Discord, Teams, Zapier) put the endpoint's credential in the path or the query, so the audit names
 * where the endpoint points and never keeps what would let a reader post to it. A URL that cannot be read is kept as
 * its scheme alone, or `…`.
 */
export function urlForAudit(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(url)?.[1];
    return scheme ? `${scheme}//…` : '…';
  }
  const rest = parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '';
  return `${parsed.protocol}//${parsed.host}/${rest ? '…' : ''}`;
}

/** Whether two URLs differ only where the audit log withholds them (the path, the query, the credentials). */
export function differsOnlyInWithheld(before: string, after: string): boolean {
  return before !== after && urlForAudit(before) === urlForAudit(after);
}
