import { isStaff, type Actor, type User } from '../users/user.ts';

/** A person the ticket copies, as a caller may see them: staff addresses are not requesters' to collect. */
export interface CopySummary {
  id: number;
  name: string;
  email: string | null;
  role: User['role'];
}

export function presentCopies(actor: Actor, copies: readonly User[]): CopySummary[] {
  return copies.map((u) => ({
    id: u.id,
    name: u.name,
    email: isStaff(actor) || !isStaff(u) ? u.email : null,
    role: u.role,
  }));
}
