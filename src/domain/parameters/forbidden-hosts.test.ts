import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedIpv4, isForbiddenHost, parseIpv6 } from './forbidden-hosts.ts';
import { parameterDefinition } from './parameter-catalogue.ts';
import { validateParameterValue } from './parameter-validation.ts';

const refused = (host: string) => {
  assert.equal(isForbiddenHost(host), true, `${host} should be refused`);
  for (const id of [14, 9010])
    assert.throws(
      () => validateParameterValue(parameterDefinition(id)!, host),
      /metadata/,
      `${host} saved as parameter ${id}`,
    );
};
const allowed = (host: string) => assert.equal(isForbiddenHost(host), false, `${host} should be allowed`);

describe('isForbiddenHost: cloud metadata addresses', () => {
  // threat: Cloud metadata addresses beyond 169.254.169.254
  it('refuses 169.254.0.0/16, Alibaba 100.100.100.200, Oracle 192.0.0.192, Azure 168.63.129.16, and the IPv6 metadata addresses', () => {
    for (const host of [
      '169.254.169.254',
      '169.254.0.1',
      '100.100.100.200',
      '192.0.0.192',
      '168.63.129.16',
      'fd00:ec2::254',
      'fd20:ce::254',
      'instance-data.ec2.internal',
    ])
      refused(host);
  });

  it('allows the addresses beside them', () => {
    for (const host of [
      '100.100.100.201',
      '100.64.0.1',
      '192.0.0.193',
      '192.0.0.191',
      '168.63.129.17',
      '168.63.128.16',
      '10.0.0.25',
      '127.0.0.1',
      '::1',
      '2001:db8::25',
      'fd00:ec2::253',
    ])
      allowed(host);
  });
});

describe('isForbiddenHost: IPv4 embedded in IPv6', () => {
  // threat: Cloud metadata addresses beyond 169.254.169.254
  it('IPv4-mapped, dotted and hex: ::ffff:a.b.c.d, ::ffff:6464:64c8', () => {
    for (const host of [
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '::ffff:100.100.100.200',
      '::ffff:6464:64c8',
      '[::FFFF:C000:C0]',
      '::ffff:168.63.129.16',
    ])
      refused(host);
    allowed('::ffff:10.0.0.1');
    allowed('::ffff:a00:1');
  });

  // threat: Cloud metadata addresses beyond 169.254.169.254
  it('IPv4-translated ::ffff:0:a.b.c.d (as in ::ffff:0:a9fe:a9fe) and IPv4-compatible ::a.b.c.d', () => {
    for (const host of [
      '::ffff:0:a9fe:a9fe',
      '::ffff:0:169.254.169.254',
      '0:0:0:0:ffff:0:6464:64c8',
      '::a9fe:a9fe',
      '::192.0.0.192',
    ])
      refused(host);
    allowed('::ffff:0:a00:1');
  });

  // threat: Cloud metadata addresses beyond 169.254.169.254
  it('NAT64: the well-known prefix 64:ff9b::/96', () => {
    for (const host of [
      '64:ff9b::a9fe:a9fe',
      '64:ff9b::169.254.169.254',
      '64:ff9b::6464:64c8',
      '64:ff9b::a83f:8110',
      '64:ff9b:0:0:0:0:c000:c0',
    ])
      refused(host);
    allowed('64:ff9b::808:808');
  });

  // threat: Cloud metadata addresses beyond 169.254.169.254
  it('NAT64: the local-use prefix 64:ff9b:1::/48 at each prefix length it may be used with (RFC 6052 layouts)', () => {
    // 169.254.169.254 behind a /48, a /56, a /64 and a /96 (bits 64–71 are the reserved u octet)
    for (const host of [
      '64:ff9b:1:a9fe:a9:fe00::',
      '64:ff9b:1:a9:fe:a9fe::',
      '64:ff9b:1:0:a9:fea9:fe00:0',
      '64:ff9b:1::a9fe:a9fe',
      '64:ff9b:1::6464:64c8',
    ])
      refused(host);
    allowed('64:ff9b:1::808:808');
    assert.ok(embeddedIpv4(parseIpv6('64:ff9b:1:a9fe:a9:fe00::')!).includes('169.254.169.254'));
  });

  // threat: Cloud metadata addresses beyond 169.254.169.254
  it('6to4 2002::/16: the IPv4 address in bits 16–47', () => {
    for (const host of [
      '2002:a9fe:a9fe::1',
      '2002:a9fe:a9fe:1234::5',
      '2002:6464:64c8::',
      '2002:c000:c0::1',
      '2002:a83f:8110::1',
    ])
      refused(host);
    allowed('2002:808:808::1');
    assert.deepEqual(embeddedIpv4(parseIpv6('2002:a9fe:a9fe::1')!), ['169.254.169.254']);
  });

  // threat: Cloud metadata addresses beyond 169.254.169.254
  it('Teredo 2001::/32: the client address in the last 32 bits, every bit inverted (and the server address)', () => {
    // 169.254.169.254 inverted is 86.1.86.1 = 5601:5601
    for (const host of [
      '2001:0:4136:e378:8000:63bf:5601:5601',
      '2001::5601:5601',
      '2001:0:4136:e378:8000:63bf:9b9b:9b37',
      '2001:0:a9fe:a9fe::1',
    ])
      refused(host);
    allowed('2001:0:4136:e378:8000:63bf:f7f7:f7f7'); // client 8.8.8.8
    allowed('2001:db8::5601:5601'); // documentation prefix, not Teredo
    assert.ok(embeddedIpv4(parseIpv6('2001:0:4136:e378:8000:63bf:5601:5601')!).includes('169.254.169.254'));
  });

  it('ISATAP interface identifiers (::0:5efe:a.b.c.d, ::200:5efe:a.b.c.d)', () => {
    for (const host of ['2001:db8::5efe:a9fe:a9fe', '2001:db8::200:5efe:169.254.169.254']) refused(host);
    allowed('2001:db8::5efe:a00:1');
  });

  it('an IPv6 text that cannot be read is refused rather than guessed at', () => {
    for (const host of ['::ffff:169.254.169.256', '1::2::3', 'fe80::1%eth0'])
      assert.equal(isForbiddenHost(host), true, host);
  });
});
