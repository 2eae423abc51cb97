import { useI18n } from '../i18n/i18n.tsx';
import type { TicketCopy } from '../types.ts';

/** The portal's read-only line: who else is told of the ticket (a requester sees no staff addresses, only names). */
export function CopiesLine({ copies }: { copies: readonly TicketCopy[] | undefined }) {
  const { t, list } = useI18n();
  if (!copies || copies.length === 0) return null;
  return <p className="copies-line">{t('copies.line', { names: list(copies.map((c) => c.name)) })}</p>;
}
