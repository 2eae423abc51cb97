/**
 * Helpers over TypeBox for the route schemas. They emit exactly the JSON Schema the routes always had (Ajv validates
 * it as before): `Shape` lists what an answer may carry without requiring any of it, `Nullable` is `type: [t, 'null']`
 * (not `anyOf`), `StringEnum` is `type: 'string'` with an `enum`.
 */
import { Type, type Static, type TObject, type TProperties, type TSchema, type TUnsafe } from 'typebox';

/** An answer's object: its properties listed (nothing unlisted leaves), none of them required. */
export const Shape = <P extends TProperties>(properties: P, options?: { description?: string }) =>
  Type.Partial(Type.Object(properties, options));

/** `{ type: [type, 'null'] }`, an `enum` taking `null` too. */
export function Nullable<T extends TSchema>(schema: T, options: object = {}): TUnsafe<Static<T> | null> {
  const { type, enum: values, ...rest } = schema as unknown as { type: string; enum?: unknown[] };
  return Type.Unsafe<Static<T> | null>({
    ...rest,
    type: [type, 'null'],
    ...(values ? { enum: [...values, null] } : {}),
    ...options,
  });
}

/** `{ type: 'string', enum: [...] }`. */
export const StringEnum = <const V extends readonly string[]>(values: V, options: object = {}) =>
  Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });

/** An object of any properties (`additionalProperties: true`, no `properties`). */
export const AnyObject = (options: object = {}) =>
  Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, ...options });

/** A database id: an integer from 1 to 2^31-1. */
export const Id = (options: object = {}) => Type.Integer({ minimum: 1, maximum: 2147483647, ...options });

/** An array in an answer that the code may hold as `readonly` (same JSON Schema as `Type.Array`). */
export const List = <T extends TSchema>(item: T, options: { description?: string } = {}) =>
  Type.Unsafe<readonly Static<T>[]>(Type.Array(item, options));

/** A list answer: `{ items: [...] }`. */
export const ItemsOf = <T extends TSchema>(item: T) => Shape({ items: List(item) });

export type { Static, TObject };
