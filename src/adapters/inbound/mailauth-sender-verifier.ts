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

/** RFC 8601 comments removed (nested parentheses included). */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  for (const c of value) {
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
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
  const [id, ...results] = withoutComments(field.value).split(';');
  const authserv = (id ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!trusted.has(authserv)) return undefined;
  for (const result of results) {
    const m = /^\s*dmarc\s*=\s*([a-z]+)\b(.*)$/i.exec(result.trim());
    if (!m) continue;
    const headerFrom = /\bheader\.from\s*=\s*"?([^\s";]+)/i.exec(m[2]!)?.[1]?.toLowerCase() ?? null;
    const value = m[1]!.toLowerCase();
    return {
      result: value,
      headerFrom,
      detail: `${authserv}: dmarc=${value}${headerFrom ? ` header.from=${headerFrom}` : ''}`,
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
 * address and HELO the receiver saw, and DMARC with alignment on the From domain; or believes a trusted server's
 * `Authentication-Results` (which then decide, pass or fail). DNS failures count as not verified.
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
