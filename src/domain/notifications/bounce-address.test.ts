import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Signer } from '../../ports/signer.ts';
import { bounceAddress, looksLikeBounceAddress, readBounceAddress } from './bounce-address.ts';

/** A keyed toy signer (FNV-1a over key and data, spread to 64 hex digits): enough to tell keys and data apart. */
function toySigner(key: string): Signer {
  return {
    sign(data: string) {
      let out = '';
      for (let round = 0; round < 8; round++) {
        let h = 0x811c9dc5 ^ round;
        for (const c of `${key}|${round}|${data}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
        out += h.toString(16).padStart(8, '0');
      }
      return out;
    },
  };
}

const signer = toySigner('install-key');
const DOMAIN = 'desk.example.test';

describe('bounce addresses (VERP)', () => {
  it('names one notification, signed with 96 bits, at the mail domain; read back in any case', () => {
    const address = bounceAddress(signer, DOMAIN, 42);
    assert.match(address, /^bounce\+42\.[0-9a-f]{24}@desk\.example\.test$/);
    assert.equal(readBounceAddress(signer, DOMAIN, address), 42);
    assert.equal(readBounceAddress(signer, DOMAIN, address.toUpperCase()), 42);
    assert.equal(readBounceAddress(signer, 'DESK.example.TEST', ` ${address} `), 42);
    assert.notEqual(bounceAddress(signer, DOMAIN, 43).split('@')[0]!.slice(-24), address.split('@')[0]!.slice(-24));
  });

  it('refuses another install’s signature, an altered or moved signature, another domain and malformed ids', () => {
    const address = bounceAddress(signer, DOMAIN, 42);
    const signature = /\.([0-9a-f]{24})@/.exec(address)![1]!;
    assert.equal(readBounceAddress(toySigner('other-key'), DOMAIN, address), undefined);
    assert.equal(
      readBounceAddress(
        signer,
        DOMAIN,
        address.replace(signature, `${signature.slice(0, -1)}${signature.endsWith('f') ? 'e' : 'f'}`),
      ),
      undefined,
    );
    assert.equal(
      readBounceAddress(signer, DOMAIN, `bounce+43.${signature}@${DOMAIN}`),
      undefined,
      'the signature of 42 does not sign 43',
    );
    assert.equal(
      readBounceAddress(signer, DOMAIN, address.replace(signature, signature.slice(0, 20))),
      undefined,
      'a shortened signature',
    );
    assert.equal(readBounceAddress(signer, DOMAIN, address.replace(DOMAIN, 'elsewhere.example')), undefined);
    for (const bad of [
      `bounce+0.${signature}@${DOMAIN}`,
      `bounce+99999999999.${signature}@${DOMAIN}`,
      `bounce+42@${DOMAIN}`,
      `bounce+x.${signature}@${DOMAIN}`,
      '',
      'bounce+',
    ]) {
      assert.equal(readBounceAddress(signer, DOMAIN, bad), undefined, bad);
    }
  });

  it('tells the bounce form at the mail domain, signed or not, from other addresses', () => {
    assert.equal(looksLikeBounceAddress(`bounce+1.abc@${DOMAIN}`, DOMAIN), true);
    assert.equal(looksLikeBounceAddress(`BOUNCE+1@DESK.EXAMPLE.TEST`, DOMAIN), true);
    assert.equal(looksLikeBounceAddress(`bounce+1.abc@elsewhere.example`, DOMAIN), false);
    assert.equal(looksLikeBounceAddress(`desk@${DOMAIN}`, DOMAIN), false);
    assert.equal(looksLikeBounceAddress(`reply+1.2.abc@${DOMAIN}`, DOMAIN), false);
  });
});
