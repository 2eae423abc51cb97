import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginLimiter } from './login-limiter.ts';

const WINDOW = 15 * 60_000;
const T0 = 1_800_000_000_000;
const IP = '203.0.113.7';
const EMAIL = 'maria@example.com';

function keyCount(limiter: LoginLimiter): number {
  return (limiter as unknown as { attempts: Map<string, number[]> }).attempts.size;
}

function failTimes(limiter: LoginLimiter, times: number, ip = IP, email = EMAIL, start = T0, step = 1_000) {
  for (let i = 0; i < times; i++) limiter.fail(ip, email, start + i * step);
}

describe('LoginLimiter', () => {
  it('allows a first try', () => {
    assert.equal(new LoginLimiter().retryAfter(IP, EMAIL, T0), 0);
  });

  it('allows four failures for an account and blocks at the fifth', () => {
    const limiter = new LoginLimiter();
    failTimes(limiter, 4);
    assert.equal(limiter.retryAfter(IP, EMAIL, T0 + 4_000), 0);
    limiter.fail(IP, EMAIL, T0 + 4_000);
    assert.ok(limiter.retryAfter(IP, EMAIL, T0 + 5_000) > 0);
  });

  it('asks to wait until the oldest failure leaves the window, in whole seconds', () => {
    const limiter = new LoginLimiter();
    failTimes(limiter, 5);
    assert.equal(limiter.retryAfter(IP, EMAIL, T0 + 5_000), (WINDOW - 5_000) / 1000);
    assert.equal(limiter.retryAfter(IP, EMAIL, T0 + 5_500), Math.ceil((WINDOW - 5_500) / 1000));
    assert.equal(limiter.retryAfter(IP, EMAIL, T0 + WINDOW - 1), 1);
  });

  it('allows again once the window has passed the oldest failure', () => {
    const limiter = new LoginLimiter();
    failTimes(limiter, 5);
    assert.ok(limiter.retryAfter(IP, EMAIL, T0 + WINDOW - 1) > 0);
    assert.equal(limiter.retryAfter(IP, EMAIL, T0 + WINDOW), 0);
  });

  it('blocks again when the account fails once more after the window slid', () => {
    const limiter = new LoginLimiter();
    failTimes(limiter, 5);
    limiter.fail(IP, EMAIL, T0 + WINDOW);
    assert.equal(limiter.retryAfter(IP, EMAIL, T0 + WINDOW), 1);
  });

  it('counts failures per account: another email from the same address is still allowed', () => {
    const limiter = new LoginLimiter();
    failTimes(limiter, 5);
    assert.ok(limiter.retryAfter(IP, EMAIL, T0 + 5_000) > 0);
    assert.equal(limiter.retryAfter(IP, 'joao@example.com', T0 + 5_000), 0);
  });

  it('counts failures per address: the same email from another address is still allowed', () => {
    const limiter = new LoginLimiter();
    failTimes(limiter, 5);
    assert.equal(limiter.retryAfter('198.51.100.1', EMAIL, T0 + 5_000), 0);
  });

  it('blocks an address that fails across many accounts', () => {
    const limiter = new LoginLimiter({ perAccount: 5, perAddress: 10, windowMs: WINDOW, maxKeys: 1_000 });
    for (let i = 0; i < 10; i++) limiter.fail(IP, `user${i}@example.com`, T0 + i);
    assert.ok(limiter.retryAfter(IP, 'new@example.com', T0 + 10) > 0);
    assert.equal(limiter.retryAfter('198.51.100.1', 'new@example.com', T0 + 10), 0);
  });

  it('succeed() resets the account', () => {
    const limiter = new LoginLimiter();
    failTimes(limiter, 5);
    limiter.succeed(IP, EMAIL);
    assert.equal(limiter.retryAfter(IP, EMAIL, T0 + 5_000), 0);
    failTimes(limiter, 4, IP, EMAIL, T0 + 6_000);
    assert.equal(limiter.retryAfter(IP, EMAIL, T0 + 10_000), 0);
  });

  it('succeed() for one account leaves the others blocked', () => {
    const limiter = new LoginLimiter();
    failTimes(limiter, 5, IP, 'other@example.com');
    failTimes(limiter, 2);
    limiter.succeed(IP, EMAIL);
    assert.ok(limiter.retryAfter(IP, 'other@example.com', T0 + 5_000) > 0);
  });

  it('succeed() does not clear the address counter', () => {
    const limiter = new LoginLimiter({ perAccount: 5, perAddress: 6, windowMs: WINDOW, maxKeys: 1_000 });
    failTimes(limiter, 4);
    failTimes(limiter, 2, IP, 'other@example.com', T0 + 10_000);
    limiter.succeed(IP, EMAIL);
    assert.ok(limiter.retryAfter(IP, EMAIL, T0 + 20_000) > 0);
  });

  it('respects the maxKeys bound by dropping the oldest keys', () => {
    // Each attempt touches three keys (address+account, account, address); with maxKeys 6, two fit and a third
    // attempt evicts the first one's keys.
    const limiter = new LoginLimiter({ perAccount: 1, perAccountAnyAddress: 100, perAddress: 100, windowMs: WINDOW, maxKeys: 6 });
    limiter.fail('192.0.2.1', 'one@example.com', T0);
    limiter.fail('192.0.2.2', 'two@example.com', T0 + 1);
    assert.ok(limiter.retryAfter('192.0.2.1', 'one@example.com', T0 + 2) > 0);
    assert.ok(limiter.retryAfter('192.0.2.2', 'two@example.com', T0 + 2) > 0);
    limiter.fail('192.0.2.3', 'three@example.com', T0 + 3);
    assert.equal(limiter.retryAfter('192.0.2.1', 'one@example.com', T0 + 4), 0, 'the oldest keys were not dropped');
    assert.ok(limiter.retryAfter('192.0.2.2', 'two@example.com', T0 + 4) > 0);
    assert.ok(limiter.retryAfter('192.0.2.3', 'three@example.com', T0 + 4) > 0);
    const size = keyCount(limiter);
    assert.ok(size <= 6, `the limiter holds ${size} keys`);
  });

  it('never holds more than maxKeys keys under a spray of addresses', () => {
    const limiter = new LoginLimiter({ perAccount: 5, perAddress: 50, windowMs: WINDOW, maxKeys: 100 });
    for (let i = 0; i < 1_000; i++) limiter.fail(`10.0.${i >> 8}.${i & 255}`, `u${i}@example.com`, T0 + i);
    const size = keyCount(limiter);
    assert.ok(size <= 100, `the limiter holds ${size} keys`);
  });

  it(
    'the advertised wait is enough even when more failures than the limit were recorded',
    
    () => {
      // Concurrent sign-ins all pass retryAfter() before any of them fails, so more than 5 failures can be recorded.
      const limiter = new LoginLimiter();
      failTimes(limiter, 8);
      const now = T0 + 8_000;
      const wait = limiter.retryAfter(IP, EMAIL, now);
      assert.ok(wait > 0);
      assert.equal(limiter.retryAfter(IP, EMAIL, now + wait * 1000), 0);
    },
  );

  it('counts an attempt before the password is checked, so parallel guesses cannot all pass', () => {
    const limiter = new LoginLimiter();
    const allowed = [];
    for (let i = 0; i < 40; i++) {
      // 40 requests arrive before any of them has finished hashing
      if (limiter.retryAfter(IP, EMAIL, T0) === 0) allowed.push(limiter.begin(IP, EMAIL, T0));
    }
    assert.equal(allowed.length, 5);
  });

  it('a right password takes its own attempt back', () => {
    const limiter = new LoginLimiter({ perAccount: 5, perAccountAnyAddress: 20, perAddress: 3, windowMs: WINDOW, maxKeys: 1_000 });
    for (let i = 0; i < 10; i++) limiter.succeed(IP, `user${i}@example.com`, limiter.begin(IP, `user${i}@example.com`, T0 + i));
    assert.equal(limiter.retryAfter(IP, 'other@example.com', T0 + 20), 0, 'ten successful sign-ins from one office do not block it');
  });

  it('limits guesses at one account from many addresses', () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 20; i++) limiter.begin(`198.51.100.${i}`, EMAIL, T0 + i);
    assert.ok(limiter.retryAfter('192.0.2.99', EMAIL, T0 + 100) > 0);
    assert.equal(limiter.retryAfter('192.0.2.99', 'someone.else@example.com', T0 + 100), 0);
  });
});
