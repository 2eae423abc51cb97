import { DomainError } from '../errors.ts';
import type { Repositories } from '../../ports/storage.ts';
import { isStaff } from '../users/user.ts';
import type { ClassificationField } from './ticket.ts';

export function cleanTitle(title: string): string {
  const t = title.trim();
  if (t.length === 0 || t.length > 200 || /[\u0000-\u001f\u007f]/.test(t)) {
    throw new DomainError('TICKET_INVALID', 'A title must be 1 to 200 characters on one line.', {
      details: { field: 'title' },
    });
  }
  return t;
}

export function cleanClassification(field: ClassificationField, value: string | null | undefined): string | null {
  if (value == null) return null;
  const v = value.trim();
  if (v.length > 120 || /[\u0000-\u001f\u007f]/.test(v)) {
    throw new DomainError('TICKET_INVALID', `${field} must be at most 120 characters on one line.`, {
      details: { field },
    });
  }
  return v === '' ? null : v;
}

/** A responsible person must be staff; a group must exist. */
export async function checkAssignment(
  repos: Repositories,
  groupId: number | null | undefined,
  responsibleId: number | null | undefined,
) {
  if (groupId != null && !(await repos.people.findGroup(groupId))) {
    throw new DomainError('TICKET_INVALID', `There is no group ${groupId}.`, { details: { field: 'groupId' } });
  }
  if (responsibleId != null) {
    const user = await repos.people.findUserById(responsibleId);
    if (!user || !isStaff(user) || !user.active) {
      throw new DomainError('TICKET_INVALID', `User ${responsibleId} is not an active technician.`, {
        details: { field: 'responsibleId' },
      });
    }
  }
}
