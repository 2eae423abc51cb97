import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NEVER_SEEN_AGE_SECONDS, summarizeLiveness } from './process-liveness.ts';

const NOW = new Date('2026-03-14T15:10:00.000Z');

describe('process liveness, as /metrics reports it', () => {
  it('counts every role, 0 for a role without rows, and ages the freshest dispatcher heartbeat', () => {
    assert.deepEqual(
      summarizeLiveness(
        [
          { role: 'dispatch', alive: 2, lastSeenAt: '2026-03-14T15:09:57.500Z' },
          { role: 'serve', alive: 0, lastSeenAt: '2026-03-14T15:05:00.000Z' },
        ],
        NOW,
      ),
      { alive: { serve: 0, dispatch: 2, ingest: 0 }, dispatcherHeartbeatAgeSeconds: 2.5 },
    );
  });

  it('reports a dispatcher never seen as a huge age, and one whose clock runs ahead as age 0', () => {
    const never = summarizeLiveness([{ role: 'ingest', alive: 1, lastSeenAt: NOW.toISOString() }], NOW);
    assert.equal(never.dispatcherHeartbeatAgeSeconds, NEVER_SEEN_AGE_SECONDS);
    assert.ok(NEVER_SEEN_AGE_SECONDS >= 1e9);
    const ahead = summarizeLiveness([{ role: 'dispatch', alive: 1, lastSeenAt: '2026-03-14T15:10:03.000Z' }], NOW);
    assert.equal(ahead.dispatcherHeartbeatAgeSeconds, 0);
  });
});
