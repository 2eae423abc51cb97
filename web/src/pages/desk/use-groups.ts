import { useMemo } from 'react';
import { useGroupList } from '../../directory.ts';
import type { Me, Named, Ticket } from '../../types.ts';

/**
 * Groups by name (`GET /groups`): every group to assign a ticket to; to filter the queue, all of them for an admin and
 * a technician's own (the queue shows a technician only their groups' tickets). Until the list arrives (or if it
 * cannot), groups are named from the tickets on screen; a group known by number only is left out, never shown as "#id".
 */
export function useGroups(me: Me, seen: Ticket[]): { all: Named[]; filter: Named[] } {
  const list = useGroupList();
  const fromTickets = useMemo(() => {
    const m = new Map<number, string>();
    for (const tk of seen) if (tk.group) m.set(tk.group.id, tk.group.name);
    return m;
  }, [seen]);
  const all: Named[] =
    list.data ?? [...fromTickets].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
  if (me.role === 'admin') return { all, filter: all };
  const mine = new Set(me.groupIds ?? []);
  return { all, filter: all.filter((g) => mine.has(g.id)) };
}
