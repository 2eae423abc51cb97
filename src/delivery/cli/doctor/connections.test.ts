import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serveConnections } from './connections.ts';

describe('the connections one parley serve may open', () => {
  it('its pool and LISTEN connection, and a dispatcher thread or child its own pool, LISTEN and lead connections', () => {
    const opens = (dispatcher: 'thread' | 'child' | 'inline' | 'off', databasePoolSize = 10) =>
      serveConnections({ dispatcher, databasePoolSize });
    assert.deepEqual([opens('thread'), opens('child'), opens('inline'), opens('off')], [23, 23, 12, 11]);
    assert.deepEqual([opens('thread', 4), opens('inline', 4), opens('off', 1)], [11, 6, 2]);
  });
});
