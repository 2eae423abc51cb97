/**
 * Why a mail was held, as a reviewer reads it: every reason the server gives has a sentence of its own in every
 * language (never the server's English one), and a mail too large to take says its size and the limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INBOUND_REASONS } from '../../src/domain/inbound/inbound-mail.ts';
import type { MessageKey } from '../../web/src/i18n/en-US.ts';

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;
type Mail = { reason: string | null; reasonText: string | null; size?: number };
// Loaded by path: they import .tsx modules, which the server's type check (no JSX) does not read; the web's does.
const webModule = (path: string) => import(new URL(`../../web/src/${path}`, import.meta.url).href);
const { inboundReasonText } = (await webModule('pages/inbound/inbound-parts.tsx')) as {
  inboundReasonText(t: Translate, mail: Mail, locale?: string): string;
};
const { translate } = (await webModule('i18n/i18n.tsx')) as {
  translate(locale: string, key: MessageKey, params?: Record<string, string | number>): string;
};

const ENGLISH = 'Something the server said in English.';
const LOCALES = ['en-US', 'pt-BR', 'es-ES'] as const;
const translator = (locale: string) => (key: MessageKey, params?: Record<string, string | number>) =>
  translate(locale, key, params);

describe('inboundReasonText', () => {
  for (const locale of LOCALES) {
    it(`words every reason of the server in ${locale}`, () => {
      for (const reason of INBOUND_REASONS) {
        const text = inboundReasonText(translator(locale), { reason, reasonText: ENGLISH, size: 10 }, locale);
        assert.notEqual(text, ENGLISH, `${reason} is shown as the server's English sentence`);
        assert.ok(!text.includes('inbound.reason.'), `${reason} has no sentence: ${text}`);
      }
    });
  }

  it('says the size of a mail too large to take and the limit, in each language', () => {
    const mail = {
      reason: 'too-large',
      reasonText: 'The mail is 3303000 bytes, over the limit of 2097152 bytes (PARLEY_INBOUND_MAX_BYTES): …',
      size: 3_303_000,
    };
    for (const locale of LOCALES) {
      const text = inboundReasonText(translator(locale), mail, locale);
      assert.match(text, /3[.,]1 MB/, `${locale}: ${text}`);
      assert.match(text, /\b2 MB/, `${locale}: ${text}`);
      assert.ok(!text.includes('?'), `${locale}: ${text}`);
    }
  });
});
