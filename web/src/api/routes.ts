/**
 * The API's paths and methods as types, from the generated document (schema.d.ts): a path the API does not have, a
 * method it does not take there, or an answer type (`get<Ticket>`) that is not that path's answer fails `tsc -p web`.
 * A `{param}` of type integer takes a number only. A body is checked only against the bodies of the paths that answer
 * with the given type, so a write without an answer type is not body-checked.
 */
import type { paths } from './schema.d.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The paths under /api/v1, without the prefix. */
type Api = { [K in keyof paths as K extends `/api/v1${infer P}` ? P : never]: paths[K] };

type Operation<P extends keyof Api, M extends Method> =
  Lowercase<M> extends keyof Api[P] ? Exclude<Api[P][Lowercase<M>], undefined> : never;

type PathParams<O> = O extends { parameters: { path: infer X } } ? X : object;

type Fill<S extends string, Params> = S extends `${infer A}{${infer N}}${infer B}`
  ? `${A}${N extends keyof Params ? (Params[N] extends number ? number : string) : string}${Fill<B, Params>}`
  : S;

type UrlOf<P extends keyof Api, M extends Method> = Fill<P & string, PathParams<Operation<P, M>>>;

/** Every URL (after /api/v1, with a query string or not) that takes this method. */
export type ApiPath<M extends Method> = {
  [P in keyof Api]: [Operation<P, M>] extends [never] ? never : UrlOf<P, M> | `${UrlOf<P, M>}?${string}`;
}[keyof Api];

/** A query string: empty, or `?` and the parameters. */
export type QueryString = '' | `?${string}`;

/** The JSON answer of an operation (its 200 or 201), for the shapes in types.ts. */
export type Answer<P extends keyof Api, M extends Method> =
  Operation<P, M> extends { responses: infer R }
    ? R extends { 200: { content: { 'application/json': infer A } } }
      ? A
      : R extends { 201: { content: { 'application/json': infer A } } }
        ? A
        : never
    : never;

type ItemOf<X> = X extends { items: readonly (infer I)[] } ? I : never;
/** Every property `T` names is one of `A`'s; for a list, of its items too. */
type KeysFit<A, T> = [Exclude<keyof T, keyof A>] extends [never]
  ? [ItemOf<T>] extends [never]
    ? true
    : [Exclude<keyof ItemOf<T>, keyof ItemOf<A>>] extends [never]
      ? true
      : false
  : false;
/**
 * Whether `T` (what a caller expects, types.ts) fits answer `A`: the same properties, each possibly narrowed (a status
 * as its union) or loosened (optional). No JSON answer (204): anything.
 */
type Fits<A, T> = [A] extends [never] ? true : [T] extends [A] ? true : KeysFit<A, T>;

/** The URLs taking this method whose answer is what the caller expects (`get<Ticket>(...)`). */
export type ApiPathAnswering<M extends Method, T> = {
  [P in keyof Api]: [Operation<P, M>] extends [never]
    ? never
    : Fits<Answer<P, M>, T> extends true
      ? UrlOf<P, M> | `${UrlOf<P, M>}?${string}`
      : never;
}[keyof Api];

type BodyOf<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : O extends { requestBody?: { content: { 'application/json': infer B } } }
    ? unknown extends B
      ? undefined
      : B | undefined
    : undefined;

/** The JSON bodies the URLs of `ApiPathAnswering<M, T>` take (one URL, most often: its body). */
export type ApiBodyAnswering<M extends Method, T> = {
  [P in keyof Api]: [Operation<P, M>] extends [never]
    ? never
    : Fits<Answer<P, M>, T> extends true
      ? BodyOf<Operation<P, M>>
      : never;
}[keyof Api];
