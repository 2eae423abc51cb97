import { createContext, useContext } from 'react';
import type { Me } from './types.ts';

export interface Session {
  me: Me;
  signOut(): Promise<void>;
  /** The signed-in person as the server answered after a change of their own (their email address). */
  updateMe(updated: Me): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in session');
  return value;
}

export const isStaff = (me: Pick<Me, 'role'>) => me.role === 'technician' || me.role === 'admin';

/** Where each role starts. */
export function homeOf(me: Pick<Me, 'role'>): string {
  return me.role === 'requester' ? '/portal' : '/desk';
}
