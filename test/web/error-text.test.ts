/**
 * Every error the API can answer reaches a person as a sentence in their language: never the bare English message,
 * never the code itself (the page shows the code apart, as the code for support).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CODES, type ErrorCode } from '../../src/domain/errors.ts';
import { ApiError } from '../../web/src/api.ts';
import type { MessageKey } from '../../web/src/i18n/en-US.ts';

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;
// Loaded by path: they import .tsx modules, which the server's type check (no JSX) does not read; the web's does.
const webModule = (path: string) => import(new URL(`../../web/src/${path}`, import.meta.url).href);
const { errorText } = (await webModule('errors.ts')) as { errorText(t: Translate, error: unknown): string };
const { translate } = (await webModule('i18n/i18n.tsx')) as {
  translate(locale: string, key: MessageKey, params?: Record<string, string | number>): string;
};

const ENGLISH = 'Something the server said in English.';

describe('errorText', () => {
  for (const locale of ['pt-BR', 'es-ES'] as const) {
    it(`words every API error code in ${locale}, without the code`, () => {
      const t = (key: MessageKey, params?: Record<string, string | number>) => translate(locale, key, params);
      for (const [code, status] of Object.entries(ERROR_CODES) as [ErrorCode, number][]) {
        const text = errorText(t, new ApiError(status, code, ENGLISH, {}));
        assert.notEqual(text, ENGLISH, `${code} is shown as the server's English message`);
        assert.ok(!text.includes(code), `${code} shows its code: ${text}`);
        assert.ok(!/^\s*$/.test(text), code);
      }
    });
  }

  it('says which password or secret a moved server needs again, in the reader’s language', () => {
    const t = (key: MessageKey, params?: Record<string, string | number>) => translate('pt-BR', key, params);
    const said = (code: string, details: Record<string, unknown>) =>
      errorText(t, new ApiError(422, code, ENGLISH, details));
    assert.match(said('MAILBOX_INVALID', { field: 'clientSecret', reason: 'secret-required' }), /segredo do cliente/);
    assert.match(said('MAILBOX_INVALID', { field: 'imapPassword', reason: 'password-required' }), /senha IMAP de novo/);
    assert.match(said('MAILBOX_INVALID', { field: 'password', reason: 'password-required' }), /senha SMTP de novo/);
    assert.match(said('SMTP_ACCOUNT_INVALID', { reason: 'imap-password-required' }), /parâmetro 9014/);
    assert.match(
      said('SMTP_ACCOUNT_INVALID', { field: 'password', reason: 'password-required' }),
      /senha SMTP de novo/,
    );
    assert.match(said('SMTP_ACCOUNT_INVALID', { field: 'user' }), /informe o usuário e a senha SMTP/);
    const parameter = { parameter: 9002, field: 'password', reason: 'password-required' };
    assert.match(said('PARAMETER_INVALID', { ...parameter, secret: 9014 }), /senha IMAP de novo/);
    assert.match(said('PARAMETER_INVALID', { ...parameter, secret: 13 }), /senha SMTP de novo/);
  });

  it('says a template too large once filled in with the field and the limit', () => {
    const t = (key: MessageKey, params?: Record<string, string | number>) => translate('es-ES', key, params);
    const error = new ApiError(422, 'TEMPLATE_TOO_LARGE', 'The email template could render too large.', {
      field: 'html',
      limit: 1_000_000,
    });
    assert.match(
      errorText(t, error),
      /^Con las variables completadas, el campo .+ de esta plantilla podría superar los 1000000 caracteres/,
    );
  });

  it("says a template's error in the variant the server names, in the reader's language", () => {
    const t = (key: MessageKey, params?: Record<string, string | number>) => translate('pt-BR', key, params);
    const key = new ApiError(422, 'TEMPLATE_UNKNOWN_KEY', 'In the es-ES variant: Unknown key ${X}.', {
      key: 'X',
      field: 'subject',
      line: 1,
      column: 3,
      variant: 'es-ES',
    });
    assert.equal(errorText(t, key), 'Na variante es-ES: Chave desconhecida ${X} no Assunto, linha 1, coluna 3.');
    const twice = new ApiError(422, 'TEMPLATE_INVALID', 'The template has two pt-BR variants: keep one of them.', {
      field: 'locale',
      variant: 'pt-BR',
    });
    assert.equal(errorText(t, twice), '“pt-BR” não é um código de idioma como pt-BR, ou o modelo o tem duas vezes.');
    const subject = new ApiError(422, 'TEMPLATE_INVALID', 'The subject must be 1 to 255 characters.', {
      field: 'subject',
    });
    assert.equal(errorText(t, subject), 'O assunto deve ter de 1 a 255 caracteres em uma linha.');
  });

  it('says a refused parameter value by its rule, with the options in words', () => {
    const t = (key: MessageKey, params?: Record<string, string | number>) => translate('pt-BR', key, params);
    const error = new ApiError(422, 'PARAMETER_INVALID', 'Parameter 199: must be one of none, starttls, tls.', {
      parameter: 199,
      rule: 'enum',
      options: ['none', 'starttls', 'tls'],
    });
    assert.equal(errorText(t, error), 'O parâmetro 199 deve ser um destes: Nenhuma, STARTTLS, TLS.');
  });

  it("says a message refused for its author's erasure or deactivation apart from an administrator's refusals", () => {
    const t = (key: MessageKey, params?: Record<string, string | number>) => translate('pt-BR', key, params);
    const erased = new ApiError(409, 'USER_ALREADY_ERASED', 'erased', { reason: 'author-erased' });
    assert.match(errorText(t, erased), /^Os dados pessoais do autor foram apagados/);
    assert.match(errorText(t, new ApiError(409, 'USER_ALREADY_ERASED', 'erased', {})), /^Os dados pessoais desta/);
    const people = new ApiError(409, 'USER_ALREADY_ERASED', 'erased', { reason: 'people-erased' });
    assert.match(errorText(t, people), /^Os dados de pessoas a quem esta mensagem/);
    const inactive = new ApiError(403, 'FORBIDDEN', 'deactivated', { reason: 'author-inactive' });
    assert.match(errorText(t, inactive), /^A conta do autor foi desativada/);
    assert.equal(errorText(t, new ApiError(403, 'FORBIDDEN', 'no', {})), 'Você não tem permissão para fazer isto.');
  });
});
