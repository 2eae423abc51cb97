import { useI18n, type MessageKey, type Translate } from '../../i18n/i18n.tsx';
import { formatSize } from '../../components/attachment-limits.ts';
import { Link } from '../../router.tsx';
import { INBOUND_REASONS, type InboundReason, type InboundStatus, type InboundSummary } from '../../types.ts';

export type InboundArea = 'desk' | 'admin';
/** The filter's choices, in the order a reviewer needs them; `all` is no filter. */
export const FILTERS = ['held', 'posted', 'discarded', 'loop', 'bounce', 'duplicate', 'received', 'all'] as const;
export type Filter = (typeof FILTERS)[number];
export const base = (area: InboundArea) => (area === 'admin' ? '/admin/inbound' : '/desk/inbound');

/* ---------- the count in the navigation */
export function inboundReasonText(
  t: Translate,
  mail: Pick<InboundSummary, 'reason' | 'reasonText'> & { from?: InboundSummary['from']; size?: number },
  locale?: string,
): string {
  if (mail.reason === 'copy-unverified') return t('inbound.reason.copy-unverified', { name: senderName(mail.from) });
  if (mail.reason === 'too-large') {
    // The limit the mail was measured against is the one the server's sentence names (it may have changed since).
    const max = /limit of (\d+) bytes/.exec(mail.reasonText ?? '')?.[1];
    return t('inbound.reason.too-large', {
      size: mail.size === undefined ? '?' : formatSize(mail.size, locale),
      max: max === undefined ? '?' : formatSize(Number(max), locale),
    });
  }
  if (mail.reason && (INBOUND_REASONS as readonly string[]).includes(mail.reason))
    return t(`inbound.reason.${mail.reason as InboundReason}` as MessageKey);
  return mail.reasonText ?? '';
}
/** How a sender is named in a sentence: their name, else their address. */
export function senderName(from: InboundSummary['from'] | undefined): string {
  return from?.name || from?.address || '?';
}
export function InboundBadge({ status }: { status: InboundStatus }) {
  const { t } = useI18n();
  return <span className={`badge inbound-${status}`}>{t(`inbound.status.${status}`)}</span>;
}
export function Sender({ from }: { from: InboundSummary['from'] }) {
  const { t } = useI18n();
  if (!from.address && !from.name) return <span className="cell-muted">{t('inbound.unknownSender')}</span>;
  return (
    <>
      <span className="cell-strong">{from.name || from.address}</span>
      {from.name && from.address ? (
        <>
          <br />
          <span className="cell-code cell-muted">{from.address}</span>
        </>
      ) : null}
    </>
  );
}
export function TicketHint({ mail }: { mail: InboundSummary }) {
  const { t } = useI18n();
  if (mail.ticketNumber === null) return <span className="cell-muted">{t('inbound.noTicket')}</span>;
  const label =
    mail.status === 'posted'
      ? t('inbound.postedTo', { number: mail.ticketNumber })
      : t('inbound.seemsTicket', { number: mail.ticketNumber });
  return <Link to={`/desk/tickets/${mail.ticketNumber}`}>{label}</Link>;
}

/* ---------- the list */
