import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeTokens } from './node-tokens.ts';

describe('NodeTokens.unique (Message-IDs)', () => {
  it('gives 128 random bits as 32 hex digits, unique across pool refills and across instances', () => {
    const a = new NodeTokens();
    const b = new NodeTokens();
    // 600 ids cross the 256-id pool twice; a second instance (another process) draws its own.
    const ids = [...Array.from({ length: 600 }, () => a.unique()), ...Array.from({ length: 600 }, () => b.unique())];
    for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(new Set(ids).size, ids.length);
    // No shared prefix between consecutive ids or between the instances' first ids (a counter or a per-process
    // prefix would share many digits); 12 digits shared by chance is a 1 in 2^48 event per pair.
    for (let k = 1; k < ids.length; k++) assert.notEqual(ids[k]!.slice(0, 12), ids[k - 1]!.slice(0, 12));
    assert.notEqual(ids[0]!.slice(0, 12), ids[600]!.slice(0, 12));
  });
});
