import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SqlStorage } from '../../../adapters/storage/sql/sql-storage.ts';
import { sqliteMemory } from '../../../../test/support/databases.ts';
import { clientKey, DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginLimits } from './login-limiter.ts';

const T0 = 1_800_000_000_000;
const IP = '203.0.113.7';
const OTHER_IP = '198.51.100.9';
const EMAIL = 'maria@example.com';

const opened: SqlStorage[] = [];
after(async () => Promise.all(opened.map((s) => s.close())));

/** A limiter counting in a fresh database of its own. */
async function newLimiter(limits: Partial<LoginLimits> = {}, now?: () => number): Promise<LoginLimiter> {
  const { storage } = await sqliteMemory.open();
  opened.push(storage);
  return new LoginLimiter(storage, limits, now);
}

async function failTimes(limiter: LoginLimiter, times: number, ip = IP, email = EMAIL, start = T0, step = 1_000) {
  for (let i = 0; i < times; i++) await limiter.fail(ip, email, start + i * step);
}

describe('LoginLimiter', () => {
  it('allows a first try', async () => {
    assert.equal(await (await newLimiter()).retryAfter(IP, EMAIL, T0), 0);
  });

  it('allows four failures of an account from one address without delay, then delays the fifth failure on', async () => {
    const limiter = await newLimiter();
    await failTimes(limiter, 4, IP, EMAIL, T0, 0);
    assert.equal(await limiter.retryAfter(IP, EMAIL, T0), 0);
    await limiter.fail(IP, EMAIL, T0);
    assert.equal(await limiter.retryAfter(IP, EMAIL, T0), 1);
  });

  // threat: Slow clients (HTTP headers or body, SMTP DATA one byte at a time) are cut off; … five wrong passwords from elsewhere never lock a person out for long
  it('repeated failures from one address double the delay each time, up to the longest delay', async () => {
    const limiter = await newLimiter();
    let now = T0;
    const waits: number[] = [];
    for (let i = 0; i < 16; i++) {
      now += (await limiter.retryAfter(IP, EMAIL, now)) * 1000; // wait as told, then fail again
      assert.equal(await limiter.attempt(IP, EMAIL, now), 0, 'after the wait, an attempt is allowed');
      waits.push(await limiter.retryAfter(IP, EMAIL, now));
    }
    assert.deepEqual(waits.slice(0, 4), [0, 0, 0, 0]);
    assert.deepEqual(waits.slice(4, 12), [1, 2, 4, 8, 16, 32, 64, 128]);
    assert.equal(Math.max(...waits), DEFAULT_LOGIN_LIMITS.maxDelayMs / 1000, 'capped');
    assert.equal(waits[15], 900);
  });

  it('an attempt refused for its wait is not counted: trying again during the wait does not lengthen it', async () => {
    const limiter = await newLimiter();
    await failTimes(limiter, 5, IP, EMAIL, T0, 0);
    assert.equal(await limiter.attempt(IP, EMAIL, T0), 1, 'refused: one second to wait');
    assert.equal(await limiter.attempt(IP, EMAIL, T0 + 500), 1, 'still refused, the same wait');
    assert.equal(await limiter.attempt(IP, EMAIL, T0 + 1_000), 0, 'allowed once the first wait is over');
  });

  // threat: Slow clients (HTTP headers or body, SMTP DATA one byte at a time) are cut off; … five wrong passwords from elsewhere never lock a person out for long
  it('failures from one address never make the owner at another address wait more than the short account delay', async () => {
    const limiter = await newLimiter();
    await failTimes(limiter, 5, IP, EMAIL, T0, 0);
    assert.ok((await limiter.retryAfter(IP, EMAIL, T0)) > 0, 'the guessing address waits');
    assert.equal(
      await limiter.retryAfter(OTHER_IP, EMAIL, T0),
      0,
      'five failures elsewhere: the owner signs in at once',
    );
    // Hundreds of guesses from many addresses: the owner still waits at most maxAccountDelayMs.
    let now = T0;
    for (let i = 0; i < 400; i++) await limiter.fail(`10.1.${i >> 8}.${i & 255}`, EMAIL, (now += 10));
    const wait = await limiter.retryAfter(OTHER_IP, EMAIL, now);
    assert.ok(wait > 0 && wait <= DEFAULT_LOGIN_LIMITS.maxAccountDelayMs / 1000, `waits ${wait} s`);
    assert.equal(await limiter.retryAfter(OTHER_IP, EMAIL, now + wait * 1000), 0);
  });

  it('forgets failures an hour after the last one', async () => {
    const limiter = await newLimiter();
    await failTimes(limiter, 12, IP, EMAIL, T0, 0);
    assert.ok((await limiter.retryAfter(IP, EMAIL, T0)) > 0);
    assert.equal(await limiter.retryAfter(IP, EMAIL, T0 + DEFAULT_LOGIN_LIMITS.forgetMs), 0);
    await limiter.fail(IP, EMAIL, T0 + DEFAULT_LOGIN_LIMITS.forgetMs);
    assert.equal(await limiter.retryAfter(IP, EMAIL, T0 + DEFAULT_LOGIN_LIMITS.forgetMs), 0, 'counting starts over');
  });

  it('counts failures per account: another email from the same address is still allowed', async () => {
    const limiter = await newLimiter();
    await failTimes(limiter, 8);
    assert.equal(await limiter.retryAfter(IP, 'other@example.com', T0 + 8_000), 0);
  });

  it('slows an address that fails across many accounts', async () => {
    const limiter = await newLimiter({ perAddress: 10 });
    for (let i = 0; i < 10; i++) await limiter.fail(IP, `user${i}@example.com`, T0);
    assert.ok((await limiter.retryAfter(IP, 'fresh@example.com', T0)) > 0);
    assert.equal(await limiter.retryAfter(OTHER_IP, 'fresh@example.com', T0), 0);
  });

  it('succeed() forgets the account from this address and takes its own attempt back elsewhere', async () => {
    const limiter = await newLimiter({ perAccountAnyAddress: 3 });
    await failTimes(limiter, 2, IP, EMAIL, T0, 0);
    assert.equal(await limiter.attempt(IP, EMAIL, T0), 0);
    await limiter.succeed(IP, EMAIL);
    assert.equal(await limiter.retryAfter(IP, EMAIL, T0), 0);
    await limiter.fail(OTHER_IP, EMAIL, T0);
    assert.ok(
      (await limiter.retryAfter(OTHER_IP, EMAIL, T0)) > 0,
      'the two earlier failures still count for the account: 3 in all',
    );
  });

  it('counts an attempt before the password is checked, so parallel guesses cannot all pass', async () => {
    const limiter = await newLimiter();
    const waits = await Promise.all(Array.from({ length: 30 }, () => limiter.attempt(IP, EMAIL, T0)));
    assert.equal(waits.filter((w) => w === 0).length, 5);
  });

  it('respects the maxKeys bound by dropping the oldest keys', async () => {
    const limiter = await newLimiter({ perAccount: 1, perAccountAnyAddress: 100, perAddress: 100, maxKeys: 6 });
    await limiter.fail('192.0.2.1', 'one@example.com', T0);
    await limiter.fail('192.0.2.2', 'two@example.com', T0 + 1);
    assert.ok((await limiter.retryAfter('192.0.2.1', 'one@example.com', T0 + 2)) > 0);
    await limiter.fail('192.0.2.3', 'three@example.com', T0 + 3);
    assert.equal(await limiter.retryAfter('192.0.2.1', 'one@example.com', T0 + 4), 0, 'the oldest keys were dropped');
    assert.ok((await limiter.retryAfter('192.0.2.3', 'three@example.com', T0 + 4)) > 0);
    const size = await limiter.size();
    assert.ok(size <= 6, `the limiter holds ${size} keys`);
  });

  it('never holds more than maxKeys keys under a spray of addresses', async () => {
    const limiter = await newLimiter({ maxKeys: 100 });
    for (let i = 0; i < 1_000; i++) await limiter.fail(`10.0.${i >> 8}.${i & 255}`, `u${i}@example.com`, T0 + i);
    const size = await limiter.size();
    assert.ok(size <= 100, `the limiter holds ${size} keys`);
  });

  it('removes forgotten keys as it counts', async () => {
    const limiter = await newLimiter({ maxKeys: 1_000 });
    await failTimes(limiter, 3, IP, EMAIL, T0, 0);
    assert.equal(await limiter.size(), 3);
    await limiter.fail(OTHER_IP, 'other@example.com', T0 + DEFAULT_LOGIN_LIMITS.forgetMs);
    assert.equal(await limiter.size(), 3, "the first address's keys are gone, the second's are there");
  });

  it('uses the time source it is given', async () => {
    let now = T0;
    const limiter = await newLimiter({}, () => now);
    await failTimes(limiter, 5, IP, EMAIL, T0, 0);
    assert.equal(await limiter.retryAfter(IP, EMAIL), 1);
    now += 1_000;
    assert.equal(await limiter.retryAfter(IP, EMAIL), 0);
  });
});

describe('clientKey', () => {
  // threat: Behind a reverse proxy, the client address comes from X-Forwarded-For only when the connection comes from a trusted proxy: a client cannot choose the address it is limited under.
  it('counts an IPv6 client by its /64 and an IPv4-mapped one as IPv4', () => {
    assert.equal(clientKey('203.0.113.9'), '203.0.113.9');
    assert.equal(clientKey('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:0db8:0001:0002:ffff::9'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.notEqual(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'));
  });
});
