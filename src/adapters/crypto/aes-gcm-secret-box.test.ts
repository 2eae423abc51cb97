import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AesGcmSecretBox } from './aes-gcm-secret-box.ts';

const secret = 'Senha SMTP: ação-Ñandú-€-🔑';
const box = new AesGcmSecretBox('test key one');

/** Flips one bit of the base64url field `index` of a sealed value. */
function flip(sealed: string, index: number): string {
  const fields = sealed.split('.');
  const bytes = Buffer.from(fields[index]!, 'base64url');
  bytes[0] = bytes[0]! ^ 1;
  fields[index] = bytes.toString('base64url');
  return fields.join('.');
}

function throwsWithoutPlaintext(fn: () => unknown) {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof Error, 'expected an error');
  assert.ok(!caught.message.includes(secret), 'the message contains the plaintext');
  assert.ok(!String(caught.stack).includes(secret), 'the stack contains the plaintext');
  return caught;
}

describe('AesGcmSecretBox', () => {
  it('round-trips accents, symbols and emoji', () => {
    assert.equal(box.open(box.seal(secret)), secret);
  });

  it('round-trips an empty string and a long one', () => {
    assert.equal(box.open(box.seal('')), '');
    const long = 'x'.repeat(10_000);
    assert.equal(box.open(box.seal(long)), long);
  });

  it('seals as v1.<iv>.<tag>.<data> without the plaintext in it', () => {
    const sealed = box.seal(secret);
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes(secret));
    assert.ok(!sealed.includes('Senha'));
    assert.ok(!sealed.includes(Buffer.from(secret).toString('base64url')));
    assert.ok(!sealed.includes(Buffer.from(secret).toString('base64')));
  });

  it('uses a fresh IV each time: the same secret seals differently', () => {
    const a = box.seal(secret);
    const b = box.seal(secret);
    assert.notEqual(a, b);
    assert.notEqual(a.split('.')[1], b.split('.')[1]);
    assert.equal(box.open(a), box.open(b));
  });

  it('opens with another instance built from the same key', () => {
    assert.equal(new AesGcmSecretBox('test key one').open(box.seal(secret)), secret);
  });

  it('refuses tampered data, tag or IV', () => {
    const sealed = box.seal(secret);
    for (const index of [1, 2, 3]) {
      const error = throwsWithoutPlaintext(() => box.open(flip(sealed, index)));
      assert.match(error.message, /cannot be opened/);
    }
  });

  it('refuses a value sealed with another key, without revealing the plaintext', () => {
    const sealed = new AesGcmSecretBox('test key two').seal(secret);
    const error = throwsWithoutPlaintext(() => box.open(sealed));
    assert.match(error.message, /cannot be opened/);
    assert.ok(error.cause instanceof Error);
    assert.ok(!String((error.cause as Error).message).includes(secret));
  });

  it('refuses values that are not in the v1 format', () => {
    const sealed = box.seal(secret);
    const [, iv, tag, data] = sealed.split('.');
    for (const bad of [
      '',
      'plain text',
      `v2.${iv}.${tag}.${data}`,
      `v1.${iv}.${tag}`,
      `v1..${tag}.${data}`,
      `v1.${iv}..${data}`,
    ]) {
      throwsWithoutPlaintext(() => box.open(bad));
    }
  });

  it('refuses a value whose authentication tag was truncated', () => {
    const [version, iv, tag, data] = box.seal(secret).split('.');
    const short = Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url');
    throwsWithoutPlaintext(() => box.open([version, iv, short, data].join('.')));
  });
});
