import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter } from './login-limiter.ts';

const T0 = 1_800_000_000_000;
const IP = '203.0.113.7';
const OTHER_IP = '198.51.100.9';
const EMAIL = 'maria@example.com';

function failTimes(limiter: LoginLimiter, times: number, ip = IP, email = EMAIL, start = T0, step = 1_000) {
  for (let i = 0; i < times; i++) limiter.fail(ip, email, start + i * step);
}

describe('LoginLimiter', () => {
  it('allows a first try', () => {
    assert.equal(new LoginLimiter().retryAfter(IP, EMAIL, T0), 0);
  });

  it('allows four failures of an account from one address without delay, then delays the fifth failure on', () => {
    const limiter = new LoginLimiter();
    failTimes(limiter, 4, IP, EMAIL, T0, 0);
    assert.equal(limiter.retryAfter(IP, EMAIL, T0), 0);
    limiter.fail(IP, EMAIL, T0);
    assert.equal(limiter.retryAfter(IP, EMAIL, T0), 1);
  });

  // threat: Slow clients (HTTP headers or body, SMTP DATA one byte at a time) are cut off; … five wrong passwords from elsewhere never lock a person out for long
  it('repeated failures from one address double the delay each time, up to the longest delay', () => {
    const limiter = new LoginLimiter();
    let now = T0;
    const waits: number[] = [];
    for (let i = 0; i < 16; i++) {
      now += limiter.retryAfter(IP, EMAIL, now) * 1000; // wait as told, then fail again
      limiter.fail(IP, EMAIL, now);
      waits.push(limiter.retryAfter(IP, EMAIL, now));
    }
    assert.deepEqual(waits.slice(0, 4), [0, 0, 0, 0]);
    assert.deepEqual(waits.slice(4, 12), [1, 2, 4, 8, 16, 32, 64, 128]);
    assert.equal(Math.max(...waits), DEFAULT_LOGIN_LIMITS.maxDelayMs / 1000, 'capped');
    assert.equal(waits[15], 900);
  });

  // threat: Slow clients (HTTP headers or body, SMTP DATA one byte at a time) are cut off; … five wrong passwords from elsewhere never lock a person out for long
  it('failures from one address never make the owner at another address wait more than the short account delay', () => {
    const limiter = new LoginLimiter();
    failTimes(limiter, 5, IP, EMAIL, T0, 0);
    assert.ok(limiter.retryAfter(IP, EMAIL, T0) > 0, 'the guessing address waits');
    assert.equal(limiter.retryAfter(OTHER_IP, EMAIL, T0), 0, 'five failures elsewhere: the owner signs in at once');
    // Hundreds of guesses from many addresses: the owner still waits at most maxAccountDelayMs.
    let now = T0;
    for (let i = 0; i < 400; i++) limiter.fail(`10.1.${i >> 8}.${i & 255}`, EMAIL, (now += 10));
    const wait = limiter.retryAfter(OTHER_IP, EMAIL, now);
    assert.ok(wait > 0 && wait <= DEFAULT_LOGIN_LIMITS.maxAccountDelayMs / 1000, `waits ${wait} s`);
    assert.equal(limiter.retryAfter(OTHER_IP, EMAIL, now + wait * 1000), 0);
  });

  it('forgets failures an hour after the last one', () => {
    const limiter = new LoginLimiter();
    failTimes(limiter, 12, IP, EMAIL, T0, 0);
    assert.ok(limiter.retryAfter(IP, EMAIL, T0) > 0);
    assert.equal(limiter.retryAfter(IP, EMAIL, T0 + DEFAULT_LOGIN_LIMITS.forgetMs), 0);
    limiter.fail(IP, EMAIL, T0 + DEFAULT_LOGIN_LIMITS.forgetMs);
    assert.equal(limiter.retryAfter(IP, EMAIL, T0 + DEFAULT_LOGIN_LIMITS.forgetMs), 0, 'counting starts over');
  });

  it('counts failures per account: another email from the same address is still allowed', () => {
    const limiter = new LoginLimiter();
    failTimes(limiter, 8);
    assert.equal(limiter.retryAfter(IP, 'other@example.com', T0 + 8_000), 0);
  });

  it('slows an address that fails across many accounts', () => {
    const limiter = new LoginLimiter({ perAddress: 10 });
    for (let i = 0; i < 10; i++) limiter.fail(IP, `user${i}@example.com`, T0);
    assert.ok(limiter.retryAfter(IP, 'fresh@example.com', T0) > 0);
    assert.equal(limiter.retryAfter(OTHER_IP, 'fresh@example.com', T0), 0);
  });

  it('succeed() forgets the account from this address and takes its own attempt back elsewhere', () => {
    const limiter = new LoginLimiter({ perAccountAnyAddress: 3 });
    failTimes(limiter, 2, IP, EMAIL, T0, 0);
    const mark = limiter.begin(IP, EMAIL, T0);
    limiter.succeed(IP, EMAIL, mark);
    assert.equal(limiter.retryAfter(IP, EMAIL, T0), 0);
    limiter.fail(OTHER_IP, EMAIL, T0);
    assert.ok(
      limiter.retryAfter(OTHER_IP, EMAIL, T0) > 0,
      'the two earlier failures still count for the account: 3 in all',
    );
  });

  it('counts an attempt before the password is checked, so parallel guesses cannot all pass', () => {
    const limiter = new LoginLimiter();
    let allowed = 0;
    for (let i = 0; i < 30; i++) {
      if (limiter.retryAfter(IP, EMAIL, T0) > 0) continue;
      limiter.begin(IP, EMAIL, T0);
      allowed += 1;
    }
    assert.equal(allowed, 5);
  });

  it('respects the maxKeys bound by dropping the oldest keys', () => {
    const limiter = new LoginLimiter({ perAccount: 1, perAccountAnyAddress: 100, perAddress: 100, maxKeys: 6 });
    limiter.fail('192.0.2.1', 'one@example.com', T0);
    limiter.fail('192.0.2.2', 'two@example.com', T0 + 1);
    assert.ok(limiter.retryAfter('192.0.2.1', 'one@example.com', T0 + 2) > 0);
    limiter.fail('192.0.2.3', 'three@example.com', T0 + 3);
    assert.equal(limiter.retryAfter('192.0.2.1', 'one@example.com', T0 + 4), 0, 'the oldest keys were dropped');
    assert.ok(limiter.retryAfter('192.0.2.3', 'three@example.com', T0 + 4) > 0);
    assert.ok(limiter.size <= 6, `the limiter holds ${limiter.size} keys`);
  });

  it('never holds more than maxKeys keys under a spray of addresses', () => {
    const limiter = new LoginLimiter({ maxKeys: 100 });
    for (let i = 0; i < 1_000; i++) limiter.fail(`10.0.${i >> 8}.${i & 255}`, `u${i}@example.com`, T0 + i);
    assert.ok(limiter.size <= 100, `the limiter holds ${limiter.size} keys`);
  });

  it('uses the time source it is given', () => {
    let now = T0;
    const limiter = new LoginLimiter({}, () => now);
    failTimes(limiter, 5, IP, EMAIL, T0, 0);
    assert.equal(limiter.retryAfter(IP, EMAIL), 1);
    now += 1_000;
    assert.equal(limiter.retryAfter(IP, EMAIL), 0);
  });
});
