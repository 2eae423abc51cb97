import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CacheNotices } from './cache-notices.ts';
import type { Listen } from './notify-signals.ts';

/** A LISTEN the test drives: `open()` as the connection (re)opening, `notice()` a NOTIFY, `drop()` a cut. */
function fakeListen() {
  const subscription: { heard?: (payload: string) => void; lost?: () => void; channel?: string } = {};
  let stopped = false;
  const listen: Listen = async (channel, heard, lost) => {
    Object.assign(subscription, { channel, heard, lost });
    return async () => {
      stopped = true;
    };
  };
  return {
    listen,
    subscription,
    open: () => subscription.heard!(''),
    notice: () => subscription.heard!(''),
    drop: () => subscription.lost!(),
    stopped: () => stopped,
  };
}

const HOUR = 3_600_000;

describe('the read cache version on PostgreSQL', () => {
  it('keeps nothing until it listens, then holds until a notice, a cut or an own write', async () => {
    const pg = fakeListen();
    const notices = new CacheNotices(pg.listen, HOUR);
    assert.ok(Number.isNaN(notices.current()), 'not listening yet: nothing kept');
    await Promise.resolve();
    assert.equal(pg.subscription.channel, 'parley_cache');
    pg.open();
    const v = notices.current();
    assert.ok(!Number.isNaN(v));
    assert.ok(notices.holds(v));
    assert.equal(notices.current(), v, 'the same version while nothing changed');

    pg.notice();
    assert.ok(!notices.holds(v), 'a notice: what was read before it is not kept');
    const w = notices.current();
    notices.changed(); // this process wrote a watched table
    assert.ok(!notices.holds(w));

    pg.drop();
    assert.ok(Number.isNaN(notices.current()), 'cut: nothing kept');
    assert.ok(!notices.holds(notices.current()));
    pg.open();
    assert.ok(notices.holds(notices.current()), 'listening again');

    await notices.close();
    assert.ok(pg.stopped());
    assert.ok(Number.isNaN(notices.current()), 'closed: nothing kept');
  });

  it('keeps nothing longer than its age limit, notice or not', async () => {
    const pg = fakeListen();
    const notices = new CacheNotices(pg.listen, 0);
    notices.current();
    await Promise.resolve();
    pg.open();
    const v = notices.current();
    assert.notEqual(notices.current(), v, 'past the limit (0 ms here): a new version at each read');
    assert.ok(!notices.holds(v));
    await notices.close();
  });

  it("tells this process's writes to the watched tables from other statements, a token's recorded use excluded", () => {
    const notices = new CacheNotices(fakeListen().listen, HOUR);
    for (const text of [
      'update "app_user" set "active" = $1 where "id" = $2',
      'insert into "group_member" ("user_id", "group_id") values ($1, $2)',
      'delete from "user_session" where "token_hash" = $1',
      'insert into "system_parameter" ("id", "value") values ($1, $2) on conflict ("id") do update set "value" = $3',
      'update "email_template" set "subject" = $1 where "id" = $2 returning *',
      'delete from "template_variant" where "template_id" = $1',
      'update "api_token" set "name" = $1 where "id" = $2',
      'update "support_group" set "signature" = $1 where "id" = $2',
      'delete from "webhook_endpoint" where "id" = $1',
    ])
      assert.ok(notices.wrote(text), text);
    for (const text of [
      'select * from "app_user" where "id" = $1',
      'update "api_token" set "last_used_at" = $1 where "id" = $2 and ("last_used_at" is null or "last_used_at" < $3)',
      'insert into "ticket_message" ("ticket_id", "text") values ($1, $2)',
      'update "app_user_preference" set "x" = $1',
      'commit',
    ])
      assert.ok(!notices.wrote(text), text);
  });
});
