import type { CopiesMode } from '../../domain/notifications/mailings.ts';
import type { Locale } from '../../domain/locale.ts';
import type { ApiToken } from '../../domain/users/api-token.ts';
import type { Role, User } from '../../domain/users/user.ts';
import type { Page, PageRequest } from './common.ts';
import type { Session } from './sessions.ts';

export interface Group {
  id: number;
  name: string;
  memberIds: number[];
  /** The group's signature (template text with keys), or null; migration 019. */
  signature: string | null;
  /** How its tickets' public messages reach their copies: one mail with Cc, or one each; migration 022. */
  copiesMode: CopiesMode;
  /** The mailbox its tickets' mail goes out from; null: the default mailbox; migration 024. */
  mailboxId: number | null;
}

/** The signatures a mail's `${SIGNATURE}` may use: its author's (staff only) and its ticket's group's. */
export interface Signatures {
  user: string | null;
  group: string | null;
}

export interface NewUser {
  role: Role;
  email: string;
  name: string;
  locale: Locale;
  timeZone: string;
  passwordHash: string | null;
}

/** The fields of a user an administrator (or the user, for locale and time zone) may change. */
export interface UserChanges {
  /** Normalised, checked and unique (a taken one is a unique violation). */
  email?: string;
  name?: string;
  role?: Role;
  locale?: Locale;
  timeZone?: string;
  active?: boolean;
  passwordHash?: string;
}

export type ActorKey = { userId: number } | { email: string } | { tokenHash: string } | { sessionHash: string };

/** Users and the support groups they belong to. */
export interface PeopleRepository {
  createUser(user: NewUser, at: string): Promise<User>;
  findUserById(id: number): Promise<User | undefined>;
  /**
   * Inside a transaction: throws `AuthorGone` unless the user is active and not erased, and keeps them so until it
   * commits (their row locked for share where rows are locked; where write transactions are serial, none commits in
   * between). An erasure or deactivation under way is waited for and seen.
   */
  holdActiveUser(id: number): Promise<void>;
  /**
   * A user with their group ids in one read, found by id, email (normalised), API-token digest (with the token) or
   * session digest (with the session).
   */
  findActor(
    key: ActorKey,
  ): Promise<{ user: User; groupIds: number[]; session: Session | null; token?: ApiToken | null } | undefined>;
  findUserByEmail(email: string): Promise<(User & { passwordHash: string | null }) | undefined>;
  listUsers(page: PageRequest): Promise<Page<User>>;
  countUsers(): Promise<number>;
  updateUser(id: number, changes: UserChanges): Promise<User | undefined>;
  createGroup(name: string): Promise<Group>;
  findGroup(id: number): Promise<Group | undefined>;
  findGroupByName(name: string): Promise<Group | undefined>;
  listGroups(): Promise<Group[]>;
  addGroupMember(groupId: number, userId: number): Promise<void>;
  removeGroupMember(groupId: number, userId: number): Promise<void>;
  /** Makes `groupIds` the user's groups (memberships added and removed). */
  setUserGroups(userId: number, groupIds: readonly number[]): Promise<void>;
  renameGroup(id: number, name: string): Promise<Group | undefined>;
  /** Removes a group and its memberships; false when there is no such group. Tickets must have left it first. */
  deleteGroup(id: number): Promise<boolean>;
  /** Active technicians and admins, by name: who a ticket can be assigned to. */
  listStaff(): Promise<(User & { groupIds: number[] })[]>;
  groupIdsOfUser(userId: number): Promise<number[]>;
  /** Group ids of several users at once, by user id. */
  groupIdsOfUsers(userIds: readonly number[]): Promise<Map<number, number[]>>;
  /**
   * Erasure: the user gets `pseudonym` for name and address, no password, inactive, no groups, `erasedAt`; only a
   * requester not erased before. False (nothing changed) otherwise.
   */
  eraseRequester(id: number, pseudonym: { name: string; email: string }, at: string): Promise<boolean>;
  /** Active technicians and admins of a group: who is told while nobody is responsible. */
  staffOfGroup(groupId: number): Promise<User[]>;
  /** A user's own signature: null when they have none, undefined when there is no such user. */
  userSignature(userId: number): Promise<string | null | undefined>;
  /** Sets (or with null removes) a user's signature; false when there is no such user. */
  setUserSignature(userId: number, signature: string | null): Promise<boolean>;
  /** Sets (or with null removes) a group's signature; the group as saved, undefined when there is no such group. */
  setGroupSignature(groupId: number, signature: string | null): Promise<Group | undefined>;
  /** Sets how a group sends copies; false when there is no such group. */
  setGroupCopiesMode(groupId: number, mode: CopiesMode): Promise<boolean>;
  /** The signatures of a user and a group in one read (null for a missing id, user or group). */
  signaturesFor(userId: number | null, groupId: number | null): Promise<Signatures>;
}
