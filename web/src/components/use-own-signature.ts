import { get } from '../api.ts';
import { useResource } from '../hooks.ts';
import type { OwnSignature } from '../types.ts';

/** One's own signature and the key names a signature may use (staff: GET /me/signature). */
export function useOwnSignature() {
  return useResource(() => get<OwnSignature>('/me/signature'), []);
}
