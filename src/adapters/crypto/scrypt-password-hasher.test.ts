import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScryptPasswordHasher } from './scrypt-password-hasher.ts';

const hasher = new ScryptPasswordHasher({ N: 1024, r: 8, p: 1 });

describe('ScryptPasswordHasher', () => {
  it('encodes its parameters, salt and hash as scrypt$N$r$p$salt$hash', async () => {
    const encoded = await hasher.hash('correct horse battery');
    assert.match(encoded, /^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.doesNotMatch(encoded, /correct horse/);
  });

  it('verifies the right password', async () => {
    assert.equal(await hasher.verify('correct horse battery', await hasher.hash('correct horse battery')), true);
  });

  it('rejects a wrong password, a different case and a prefix', async () => {
    const encoded = await hasher.hash('correct horse battery');
    for (const wrong of ['wrong horse battery', 'Correct horse battery', 'correct horse batter', '']) {
      assert.equal(await hasher.verify(wrong, encoded), false, wrong);
    }
  });

  it('salts each hash: the same password hashes differently and both verify', async () => {
    const a = await hasher.hash('same password 123');
    const b = await hasher.hash('same password 123');
    assert.notEqual(a, b);
    assert.notEqual(a.split('$')[4], b.split('$')[4]);
    assert.equal(await hasher.verify('same password 123', a), true);
    assert.equal(await hasher.verify('same password 123', b), true);
  });

  it('verifies a hash made with other costs, since the encoded form carries them', async () => {
    const encoded = await new ScryptPasswordHasher({ N: 2048, r: 4, p: 2 }).hash('another password');
    assert.match(encoded, /^scrypt\$2048\$4\$2\$/);
    assert.equal(await hasher.verify('another password', encoded), true);
    assert.equal(await hasher.verify('another passworD', encoded), false);
  });

  it('treats accented passwords by their Unicode normal form', async () => {
    const composed = 'senha-ação-segura'; // "ç" and "ã" as single code points
    const decomposed = composed.normalize('NFD');
    assert.notEqual(composed, decomposed);
    const encoded = await hasher.hash(composed);
    assert.equal(await hasher.verify(decomposed, encoded), true);
    assert.equal(await hasher.verify('senha-acao-segura', encoded), false);
  });

  it('returns false for strings that are not a scrypt encoding', async () => {
    const encoded = await hasher.hash('correct horse battery');
    const parts = encoded.split('$');
    const malformed = [
      '',
      'plain text',
      encoded.replace(/^scrypt/, 'bcrypt'),
      parts.slice(0, 5).join('$'),
      `${encoded}$extra`,
    ];
    for (const bad of malformed) assert.equal(await hasher.verify('correct horse battery', bad), false, bad);
  });

  it('returns false when the hash part is empty', async () => {
    const parts = (await hasher.hash('correct horse battery')).split('$');
    const emptyHash = [...parts.slice(0, 5), ''].join('$');
    assert.equal(await hasher.verify('any password at all', emptyHash), false);
  });

  it('returns false, rather than throwing, for impossible cost parameters', async () => {
    const parts = (await hasher.hash('correct horse battery')).split('$');
    for (const [N, r, p] of [
      ['abc', '8', '1'],
      ['1000', '8', '1'],
      ['1024', '0', '1'],
    ]) {
      const bad = ['scrypt', N, r, p, parts[4], parts[5]].join('$');
      assert.equal(await hasher.verify('correct horse battery', bad), false, bad);
    }
  });
});
