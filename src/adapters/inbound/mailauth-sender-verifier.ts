import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { SenderCheck, SenderVerdict, SenderVerifier, TrustedDmarc } from '../../ports/sender-verifier.ts';
import { loadOnce } from '../load-once.ts';

// mailauth is loaded at the first mail to verify, not by every process that may receive one.
const mailauth = loadOnce(() => import('mailauth'));

/** How mailauth asks DNS: a name and a record type, answering records (TXT as arrays of strings). */
export type DnsResolve = (name: string, rrtype: string) => Promise<unknown>;

export interface MailauthVerifierOptions {
  /** authserv-ids (RFC 8601) whose `Authentication-Results` are believed: the organisation's own MTA, say. */
  trustedAuthservIds: readonly string[];
  /** DNS for DKIM keys, SPF and DMARC records (tests answer from their own zone). */
  resolve?: DnsResolve;
  /** The name Parley's checks are recorded under. */
  mta?: string;
}

const NOT_VERIFIED = (detail: string): SenderVerdict => ({ verified: false, by: null, detail });

/** The header section of a raw mail, unfolded, in order (at most 256 KB of it is read). */
function headerFields(raw: Uint8Array): { name: string; value: string }[] {
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, 256 * 1024)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const fields: { name: string; value: string }[] = [];
  for (const line of (end >= 0 ? head.slice(0, end) : head).split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1]!.value += ` ${line.trim()}`;
    else {
      const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
      if (m) fields.push({ name: m[1]!.toLowerCase(), value: m[2]! });
    }
  }
  return fields;
}

/**
 * An `Authentication-Results` value split at its semicolons, as RFC 8601 reads it: comments (nested, with quoted
 * pairs) removed, quoted strings kept whole with their quotes, so a semicolon or parenthesis inside a quoted value
 * (a sender's `"x;dmarc=pass"@evil.example` copied into `smtp.mailfrom`) starts no part and hides none.
 */
export function resultParts(value: string): string[] {
  const parts: string[] = [];
  let part = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && (quoted || depth > 0)) {
      if (quoted) part += c + (value[i + 1] ?? '');
      i++;
    } else if (quoted) {
      part += c;
      if (c === '"') quoted = false;
    } else if (depth > 0) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
    } else if (c === '(') depth++;
    else if (c === '"') {
      quoted = true;
      part += c;
    } else if (c === ';') {
      parts.push(part);
      part = '';
    } else part += c;
  }
  parts.push(part);
  return parts;
}

/** A property's value: tokens and quoted strings run together (`"a b"@example.test`), up to a space or `;`. */
const VALUE = String.raw`((?:"(?:[^"\\]|\\.)*"|[^\s";])+)`;
/** A value that is one quoted string, unquoted; any other as it is. */
const unquote = (v: string) => (/^"(?:[^"\\]|\\.)*"$/.test(v) ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

/**
 * One result's method, result and properties (`dmarc=pass header.from=example.test`), read left to right; null
 * when it does not parse as one, so no property is taken from inside another's value.
 */
function parseResult(text: string): { method: string; result: string; props: Map<string, string> } | null {
  const head = new RegExp(String.raw`^\s*([a-z0-9-]+)(?:\s*/\s*\d+)?\s*=\s*([a-z]+)`, 'iy').exec(text);
  if (!head) return null;
  const props = new Map<string, string>();
  const prop = new RegExp(String.raw`\s*((?:[a-z0-9-]+\.)?[a-z0-9-]+)\s*=\s*${VALUE}`, 'iy');
  let end = head[0].length;
  prop.lastIndex = end;
  for (let m = prop.exec(text); m; m = prop.exec(text)) {
    props.set(m[1]!.toLowerCase(), unquote(m[2]!));
    end = prop.lastIndex;
  }
  if (text.slice(end).trim() !== '') return null;
  return { method: head[1]!.toLowerCase(), result: head[2]!.toLowerCase(), props };
}

/**
 * The DMARC result the trusted server wrote for this mail, read from one header only: the topmost
 * `Authentication-Results`, when its authserv-id is trusted. Anything below it may have been written by the sender,
 * even under the trusted id (the server must remove incoming headers carrying its own id, RFC 8601 section 5, and
 * write its own on top). Returns undefined when that header is not trusted or names no DMARC result: Parley then
 * checks the mail itself.
 */
export function topTrustedDmarc(raw: Uint8Array, trusted: ReadonlySet<string>): TrustedDmarc | undefined {
  const field = headerFields(raw).find((f) => f.name === 'authentication-results');
  if (!field) return undefined;
  const [id, ...results] = resultParts(field.value);
  const authserv = unquote((id ?? '').trim().split(/\s+/)[0] ?? '').toLowerCase();
  if (!trusted.has(authserv)) return undefined;
  for (const text of results) {
    const parsed = parseResult(text);
    if (parsed?.method !== 'dmarc') continue;
    const headerFrom = parsed.props.get('header.from')?.toLowerCase() ?? null;
    return {
      result: parsed.result,
      headerFrom,
      detail: `${authserv}: dmarc=${parsed.result}${headerFrom ? ` header.from=${headerFrom}` : ''}`,
    };
  }
  return undefined;
}

/** Whether the trusted server's DMARC result (`topTrustedDmarc`) passed for the From domain; undefined without one. */
export function trustedDmarc(
  raw: Uint8Array,
  trusted: ReadonlySet<string>,
  fromDomain: string,
): { pass: boolean; detail: string } | undefined {
  const found = topTrustedDmarc(raw, trusted);
  return found && { pass: found.result === 'pass' && found.headerFrom === fromDomain, detail: found.detail };
}

/**
 * Verifies a sender with mailauth: DKIM signatures on the raw mail, SPF on the envelope sender, the connecting
 * address and HELO the receiver saw, and DMARC with alignment on the From domain; or believes the DMARC result of a
 * trusted server's topmost `Authentication-Results` (pass or fail; without one, Parley checks the mail itself). DNS
 * failures count as not verified.
 */
export class MailauthSenderVerifier implements SenderVerifier {
  private readonly trusted: ReadonlySet<string>;
  private readonly resolve: DnsResolve;

  constructor(private readonly options: MailauthVerifierOptions) {
    this.trusted = new Set(options.trustedAuthservIds.map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0));
    if (options.resolve) this.resolve = options.resolve;
    else {
      const resolver = new Resolver({ timeout: 3000, tries: 2 });
      this.resolve = (name, rrtype) => resolver.resolve(name, rrtype);
    }
  }

  trustedDmarc(raw: Uint8Array): TrustedDmarc | undefined {
    return topTrustedDmarc(raw, this.trusted);
  }

  async verify(check: SenderCheck): Promise<SenderVerdict> {
    const fromDomain = check.fromAddress.slice(check.fromAddress.lastIndexOf('@') + 1).toLowerCase();
    const believed = trustedDmarc(check.raw, this.trusted, fromDomain);
    if (believed)
      return believed.pass
        ? { verified: true, by: 'trusted-authserv', detail: believed.detail }
        : NOT_VERIFIED(believed.detail);
    try {
      const { authenticate } = await mailauth();
      const result = await authenticate(Buffer.from(check.raw.buffer, check.raw.byteOffset, check.raw.byteLength), {
        // SPF only on a connecting address the receiver saw (mail fetched over IMAP has none: DKIM decides).
        ...(check.remoteAddress && isIP(check.remoteAddress) ? { ip: check.remoteAddress } : {}),
        ...(check.helo ? { helo: check.helo } : {}),
        ...(check.envelopeFrom ? { sender: check.envelopeFrom } : {}),
        mta: this.options.mta ?? hostname(),
        resolver: this.resolve as never,
        disableArc: true,
        disableBimi: true,
      });
      const dmarc = result.dmarc;
      const froms = (result.dkim as { headerFrom?: string[] }).headerFrom ?? [];
      const fromMatches = froms.length === 1 && froms[0]!.toLowerCase() === check.fromAddress.toLowerCase();
      const status = dmarc ? (dmarc.status?.result ?? 'none') : 'none';
      const dkim = (
        (result.dkim as { results?: { status?: { result?: string; comment?: string }; signingDomain?: string }[] })
          .results ?? []
      )
        .map(
          (r) =>
            `dkim=${r.status?.result ?? 'none'}${r.signingDomain ? ` header.d=${r.signingDomain}` : ''}${r.status?.comment ? ` (${r.status.comment})` : ''}`,
        )
        .join(', ');
      const detail = `dmarc=${status} header.from=${fromDomain}${dkim ? `; ${dkim}` : ''}`;
      return status === 'pass' && fromMatches ? { verified: true, by: 'dmarc', detail } : NOT_VERIFIED(detail);
    } catch (error) {
      return NOT_VERIFIED(
        `the check failed (${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'})`,
      );
    }
  }
}
