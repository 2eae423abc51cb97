import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import type { LoginLimiter } from '../../src/delivery/http/auth/login-limiter.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { TEST_PASSWORD } from './fixtures.ts';

export interface Client {
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  put(url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

/** The app on `deps`; its sign-in limiter counts in `deps.storage` unless another is given. */
export async function testApp(deps: Deps, limiter?: LoginLimiter) {
  return buildApp(deps, limiter ? { loginLimiter: limiter } : {});
}

function client(app: FastifyInstance, headers: Record<string, string>): Client {
  const request = (options: InjectOptions) =>
    app.inject({ ...options, headers: { ...headers, ...(options.headers as Record<string, string>) } });
  return {
    request,
    get: (url) => request({ method: 'GET', url }),
    post: (url, payload) =>
      request({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) }),
    put: (url, payload) => request({ method: 'PUT', url, payload: payload as object }),
    patch: (url, payload) => request({ method: 'PATCH', url, payload: payload as object }),
    delete: (url) => request({ method: 'DELETE', url }),
  };
}

/** Signs in through the real login route; the client then sends the session cookie and the CSRF token. */
export async function signIn(app: FastifyInstance, email: string, password = TEST_PASSWORD): Promise<Client> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (response.statusCode !== 200)
    throw new Error(`sign-in of ${email} failed: ${response.statusCode} ${response.body}`);
  const cookie = String(response.headers['set-cookie']).split(';')[0]!;
  return client(app, { cookie, 'x-csrf-token': response.json().csrfToken });
}

export function anonymous(app: FastifyInstance): Client {
  return client(app, {});
}

export function withToken(app: FastifyInstance, token: string): Client {
  return client(app, { authorization: `Bearer ${token}` });
}
