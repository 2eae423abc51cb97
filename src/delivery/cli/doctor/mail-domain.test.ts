import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkMailDomain, type MailDomainResolver } from './mail-domain.ts';

/** A resolver answering from fixed records; a type without records answers ENODATA, as node:dns does. */
function resolver(records: { mx?: { exchange: string; priority: number }[]; a?: string[] }): MailDomainResolver {
  const answer = async <T>(found: T[] | undefined) => {
    if (found && found.length > 0) return found;
    throw Object.assign(new Error('queryMx ENODATA'), { code: 'ENODATA' });
  };
  return {
    resolveMx: () => answer(records.mx),
    resolve4: () => answer(records.a),
    resolve6: () => answer(undefined),
  };
}

describe('doctor: the mail domain check', () => {
  it('a null MX (RFC 7505) takes no mail: not ok, whatever the A records say', async () => {
    // node:dns gives the root exchange as "" (c-ares) or "."; both are a null MX.
    for (const exchange of ['', '.']) {
      const result = await checkMailDomain(
        'desk.example.test',
        resolver({ mx: [{ exchange, priority: 0 }], a: ['192.0.2.8'] }),
      );
      assert.equal(result.ok, false, exchange);
      assert.equal(
        result.detail,
        'desk.example.test publishes a null MX (RFC 7505), so no mail reaches it and replies and bounces cannot ' +
          'come back to Parley: publish an MX for PARLEY_MAIL_DOMAIN in its place, or set it to a domain that ' +
          'receives mail.',
      );
    }
  });

  it('an MX passes; so does an A record when there is no MX at all', async () => {
    const mx = await checkMailDomain(
      'desk.example.test',
      resolver({ mx: [{ exchange: 'mx.example.test', priority: 10 }] }),
    );
    assert.deepEqual(mx, {
      name: 'mail domain',
      ok: true,
      detail: 'desk.example.test receives mail through mx.example.test (MX).',
    });
    const a = await checkMailDomain('desk.example.test', resolver({ a: ['192.0.2.7'] }));
    assert.equal(a.detail, 'desk.example.test has no MX; mail goes to its address 192.0.2.7 (A/AAAA).');
  });
});
