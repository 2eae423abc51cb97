import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPrivateAddress } from './private-address.ts';

describe('isPrivateAddress', () => {
  it('finds loopback, private, link-local and reserved addresses, also inside IPv6', () => {
    for (const host of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '[::1]',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'localhost',
      'api.localhost',
    ])
      assert.equal(isPrivateAddress(host), true, host);
  });

  it('lets public addresses and other names through (names are checked on what they resolve to)', () => {
    for (const host of ['93.184.216.34', '172.32.0.1', '8.8.8.8', '2606:4700::1111', 'hooks.example.com'])
      assert.equal(isPrivateAddress(host), false, host);
  });
});
