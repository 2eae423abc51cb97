/**
 * The web app's catalogues: pt-BR and es-ES have every key of en-US, say every text in their own language (a value
 * equal to the English one is allowed only for names and words that are the same in both), keep the placeholders,
 * and say "ticket" as the CITSmart documents do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enUS, type MessageKey } from '../../web/src/i18n/en-US.ts';
import { esES } from '../../web/src/i18n/es-ES.ts';
import { ptBR } from '../../web/src/i18n/pt-BR.ts';

/** Keys whose value may equal the English one in that language: names of products, protocols and headers. */
export const SAME_AS_ENGLISH: Record<'pt-BR' | 'es-ES', readonly MessageKey[]> = {
  'pt-BR': [
    'nav.portalName',
    'nav.menu',
    'smtp.security.starttls',
    'smtp.security.tls',
    'templates.id',
    'outbox.id',
    'outbox.messageIdHeader',
    'templates.previewTicket',
    'outbox.ticket',
    'inbound.ticket',
    'nav.webhooks',
    'webhooks.title',
    'webhooks.httpStatus',
    'webhooks.durationMs',
    'mailboxes.oauth.microsoft',
  ],
  'es-ES': [
    'nav.portalName',
    'nav.deskName',
    'smtp.security.starttls',
    'smtp.security.tls',
    'templates.id',
    'outbox.id',
    'outbox.messageIdHeader',
    'templates.previewTicket',
    'outbox.ticket',
    'inbound.ticket',
    'common.no',
    'nav.webhooks',
    'webhooks.title',
    'webhooks.httpStatus',
    'webhooks.durationMs',
    'mailboxes.oauth.microsoft',
  ],
};

const catalogues = { 'pt-BR': ptBR, 'es-ES': esES } as const;
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('web catalogues', () => {
  for (const [locale, catalogue] of Object.entries(catalogues) as [keyof typeof catalogues, Record<string, string>][]) {
    it(`${locale} has every key of en-US and no other`, () => {
      assert.deepEqual(Object.keys(catalogue).sort(), Object.keys(enUS).sort());
    });

    it(`${locale} translates every text (the same as English only where allowed)`, () => {
      const same = Object.entries(enUS)
        .filter(
          ([key, english]) =>
            catalogue[key]?.trim() === english.trim() && !SAME_AS_ENGLISH[locale].includes(key as MessageKey),
        )
        .map(([key]) => key);
      assert.deepEqual(same, [], `${locale} says these in English`);
      for (const key of SAME_AS_ENGLISH[locale]) assert.ok(key in enUS, `allow-listed key ${key} does not exist`);
    });

    it(`${locale} keeps the placeholders of every text`, () => {
      for (const [key, english] of Object.entries(enUS))
        assert.deepEqual(placeholders(catalogue[key] ?? ''), placeholders(english), `${locale} ${key}`);
    });
  }

  it('says "ticket" in Portuguese (not "chamado") and in Spanish (not "incidencia"), and "service desk" in Spanish sentences', () => {
    for (const [key, text] of Object.entries(ptBR)) assert.doesNotMatch(text, /chamado/i, key);
    for (const [key, text] of Object.entries(esES)) {
      assert.doesNotMatch(text, /incidencia/i, key);
      assert.doesNotMatch(text, /servicio de atención|del servicio\b|este servicio\b|propio servicio\b/i, key);
    }
  });
});
