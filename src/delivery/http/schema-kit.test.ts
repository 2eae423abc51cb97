import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from 'typebox';
import { AnyObject, Id, ItemsOf, List, Nullable, Shape, StringEnum } from './schema-kit.ts';

// The route schemas must stay the JSON Schema they were before TypeBox: Ajv validates them as written.
test('the helpers emit plain JSON Schema, as the routes always had it', () => {
  const plain = (schema: unknown) => JSON.parse(JSON.stringify(schema));
  assert.deepEqual(plain(Nullable(Type.String({ maxLength: 3 }))), { type: ['string', 'null'], maxLength: 3 });
  assert.deepEqual(plain(Nullable(StringEnum(['a', 'b']))), { type: ['string', 'null'], enum: ['a', 'b', null] });
  assert.deepEqual(plain(StringEnum(['a'])), { type: 'string', enum: ['a'] });
  assert.deepEqual(plain(AnyObject()), { type: 'object', additionalProperties: true });
  assert.deepEqual(plain(Id()), { type: 'integer', minimum: 1, maximum: 2147483647 });
  assert.deepEqual(plain(List(Type.Integer())), { type: 'array', items: { type: 'integer' } });
  // Answers require nothing (the serializer would throw on a missing required property).
  assert.deepEqual(plain(Shape({ a: Type.Integer() })), { type: 'object', properties: { a: { type: 'integer' } } });
  assert.deepEqual(plain(ItemsOf(Type.String())), {
    type: 'object',
    properties: { items: { type: 'array', items: { type: 'string' } } },
  });
  // Bodies say what they require and refuse the rest.
  const body = Type.Object({ a: Type.String(), b: Type.Optional(Type.String()) }, { additionalProperties: false });
  assert.deepEqual(plain(body), {
    type: 'object',
    required: ['a'],
    properties: { a: { type: 'string' }, b: { type: 'string' } },
    additionalProperties: false,
  });
});
