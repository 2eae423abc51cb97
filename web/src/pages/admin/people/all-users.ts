import { get, query } from '../../../api.ts';
import { type Page as ApiPage, type User } from '../../../types.ts';

/** Every user, following the cursor (an admin page; hundreds at most in a service desk). */
export async function allUsers(): Promise<User[]> {
  const users: User[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const page: ApiPage<User> = await get<ApiPage<User>>(`/admin/users${query({ limit: 100, cursor })}`);
    users.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return users;
}
