/**
 * Who and what the app names: the groups (`GET /groups`, anyone signed in) and the staff (`GET /staff`, technicians
 * and admins). Both are short lists, loaded where a page needs them.
 */
import { get } from './api.ts';
import { useResource, type Resource } from './hooks.ts';
import type { Named, StaffMember } from './types.ts';

export function useGroupList(): Resource<Named[]> {
  return useResource(() => get<{ items: Named[] }>('/groups').then((r) => r.items), []);
}

export function useStaff(enabled: boolean): Resource<StaffMember[]> {
  return useResource(
    () => (enabled ? get<{ items: StaffMember[] }>('/staff').then((r) => r.items) : Promise.resolve([])),
    [enabled],
  );
}
