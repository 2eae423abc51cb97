/** The whole interface in Spanish: the walk of i18n-coverage.test.ts (see i18n-walk.ts) in es-ES. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { english, readAll, setUpWalk, stillEnglish } from './i18n-walk.ts';

setUpWalk();

describe('the interface in the user’s language: es-ES', () => {
  it('shows no English text on any page in es-ES', async () => {
    const en = await english();
    const translated = await readAll('es-ES');
    const has = (page: string, text: string | RegExp) =>
      assert.ok(
        translated.get(page)!.some((t) => (typeof text === 'string' ? t === text : text.test(t))),
        `${page} shows ${text}`,
      );
    has('admin outbox: the deferred mail and its attempts', 'Aplazado');
    has('admin outbox: a sent mail', /^El servidor respondió: 250 /);
    has('admin parameters with a refused value', 'Ninguna');
    has('admin template editor with an unknown key refused', 'Código para soporte: TEMPLATE_UNKNOWN_KEY');
    assert.deepEqual(stillEnglish('es-ES', en, translated), [], 'texts still in English');
  });
});
