import type { ApiBodyAnswering, ApiPath, ApiPathAnswering, Method, QueryString } from './api/routes.ts';

/**
 * The one way the app talks to Parley: same-origin fetch with the session cookie, the CSRF token on writes, and
 * every failure turned into an ApiError carrying the API's `{code, message, details}`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | undefined = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
const unauthorizedListeners = new Set<() => void>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request answers 401 after sign-in: the session ended (expired, signed out elsewhere). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** `path`: after /api/v1, one the API has for this method (see api/routes.ts). */
/** `keepalive`: the request outlives the page (a report sent as the page closes). */
export async function api<T, M extends Method = Method>(
  method: M,
  path: ApiPath<M>,
  body?: unknown,
  options: { keepalive?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.keepalive ? { keepalive: true } : {}),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiError(0, 'NETWORK', error instanceof Error ? error.message : String(error));
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const e = (data ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> };
    const error = new ApiError(
      response.status,
      e.code ?? `HTTP_${response.status}`,
      e.message ?? response.statusText,
      e.details,
    );
    if (response.status === 401 && path !== '/auth/login' && path !== '/me') for (const l of unauthorizedListeners) l();
    throw error;
  }
  return data as T;
}

export const get = <T>(path: ApiPathAnswering<'GET', T>) => api<T, 'GET'>('GET', path);
export const post = <T>(path: ApiPathAnswering<'POST', T>, body?: ApiBodyAnswering<'POST', T>) =>
  api<T, 'POST'>('POST', path, body);
export const put = <T>(path: ApiPathAnswering<'PUT', T>, body: ApiBodyAnswering<'PUT', T>) =>
  api<T, 'PUT'>('PUT', path, body);
export const patch = <T>(path: ApiPathAnswering<'PATCH', T>, body: ApiBodyAnswering<'PATCH', T>) =>
  api<T, 'PATCH'>('PATCH', path, body);
export const del = <T>(path: ApiPathAnswering<'DELETE', T>) => api<T, 'DELETE'>('DELETE', path);

/** Builds a query string from the set values only. */
export function query(params: Record<string, string | number | boolean | null | undefined>): QueryString {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
