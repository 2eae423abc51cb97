import { useEffect, useState } from 'react';
import { get, query } from '../../../api.ts';
import { useResource } from '../../../hooks.ts';
import { useRouter } from '../../../router.tsx';
import { AUDIT_ACTIONS, AUDIT_TARGETS, type AuditEntry, type Page } from '../../../types.ts';

/** The filters of the page, as the address keeps them (dates as the day, YYYY-MM-DD, in the reader's time). */
export interface AuditFilters {
  action: string;
  targetType: string;
  targetId: string;
  actorEmail: string;
  from: string;
  to: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The start of a day in the reader's time zone, as the API's instant; `next`: the start of the day after. */
function dayStart(day: string, next = false): string | undefined {
  if (!DAY.test(day)) return undefined;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + (next ? 1 : 0)).toISOString();
}

export function filtersOf(search: URLSearchParams): AuditFilters {
  const pick = (name: string, allowed?: readonly string[]) => {
    const v = search.get(name) ?? '';
    return allowed && !allowed.includes(v) ? '' : v;
  };
  return {
    action: pick('action', AUDIT_ACTIONS),
    targetType: pick('targetType', AUDIT_TARGETS),
    targetId: pick('targetId'),
    actorEmail: pick('actorEmail'),
    from: DAY.test(pick('from')) ? pick('from') : '',
    to: DAY.test(pick('to')) ? pick('to') : '',
  };
}

/** The audit log under the address's filters, newest first, with the pages loaded by "Load more". */
export function useAuditLog() {
  const { search, navigate } = useRouter();
  const filters = filtersOf(search);
  const key = JSON.stringify(filters);
  const apiQuery = (cursor?: string | null) =>
    query({
      action: filters.action,
      targetType: filters.targetType,
      targetId: filters.targetId.trim(),
      actorEmail: filters.actorEmail.trim(),
      from: dayStart(filters.from),
      to: dayStart(filters.to, true),
      cursor,
    });
  const list = useResource(() => get<Page<AuditEntry>>(`/admin/audit${apiQuery()}`), [key]);
  const [extra, setExtra] = useState<{ items: AuditEntry[]; cursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  useEffect(() => setExtra(null), [key]);
  const next = extra ? extra.cursor : list.data?.nextCursor;

  async function more() {
    if (!next) return;
    setMoreError(null);
    try {
      const page = await get<Page<AuditEntry>>(`/admin/audit${apiQuery(next)}`);
      setExtra((e) => ({ items: [...(e?.items ?? []), ...page.items], cursor: page.nextCursor }));
    } catch (e) {
      setMoreError(e);
    }
  }

  return {
    filters,
    apply: (f: AuditFilters) => navigate(`/admin/audit${query({ ...f })}`, { replace: true }),
    items: list.data ? [...list.data.items, ...(extra?.items ?? [])] : undefined,
    loading: list.loading,
    error: list.error ?? moreError,
    hasMore: Boolean(next),
    more,
    reload: () => {
      setExtra(null);
      void list.reload();
    },
  };
}
