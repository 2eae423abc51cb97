import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../errors.ts';
import type { Actor } from '../users/user.ts';
import { canonicalLocale, chooseVariant, validateCannedAnswer, type CannedAnswerInput } from './canned-answer.ts';
import { mayManage, mayUse } from './canned-answer-access.ts';
import { foldForSearch } from './list-canned-answers.ts';

const personal = { kind: 'personal', ownerId: 7 } as const;

function refused(input: CannedAnswerInput, code: string): DomainError {
  try {
    validateCannedAnswer(input, personal);
  } catch (error) {
    assert.ok(error instanceof DomainError, String(error));
    assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('canned answers: checked at save', () => {
  it('accepts the keys of every language spelling and canonicalises the language tags', () => {
    const row = validateCannedAnswer(
      {
        name: '  Printer reset ',
        variants: [
          { locale: 'EN-us', text: 'Ticket ${IDSERVICEREQUEST}: hello ${REQUESTERNAME}.' },
          { locale: 'pt-br', text: 'Chamado ${IDSOLICITACAOSERVICO}: olá ${NOMECONTATO}.', isDefault: true },
          { locale: 'es-ES', text: 'Ticket ${IDSOLICITUDSERVICIO}.' },
        ],
      },
      personal,
    );
    assert.equal(row.name, 'Printer reset');
    assert.deepEqual(
      row.variants.map((v) => [v.locale, v.isDefault]),
      [
        ['pt-BR', true],
        ['en-US', false],
        ['es-ES', false],
      ],
    );
  });

  it('makes the first variant the default when none is marked', () => {
    const row = validateCannedAnswer(
      {
        name: 'A',
        variants: [
          { locale: 'es-ES', text: 'x' },
          { locale: 'en', text: 'y' },
        ],
      },
      personal,
    );
    assert.deepEqual(row.variants[0], { locale: 'es-ES', text: 'x', isDefault: true });
  });

  it('refuses an unknown key, naming the key, the variant and the position', () => {
    const error = refused(
      {
        name: 'A',
        variants: [
          { locale: 'en-US', text: 'ok ${TICKETTITLE}' },
          { locale: 'pt-BR', text: 'Olá\n  ${NOMEDOCLIENTE}' },
        ],
      },
      'CANNED_ANSWER_UNKNOWN_KEY',
    );
    assert.deepEqual(error.details, { locale: 'pt-BR', key: 'NOMEDOCLIENTE', line: 2, column: 3 });
    assert.match(error.message, /\$\{NOMEDOCLIENTE\}.*pt-BR/);
  });

  it('refuses an unclosed key, a bad language tag, a language twice, two defaults, no variant, an empty name or text', () => {
    refused({ name: 'A', variants: [{ locale: 'en-US', text: 'oops ${TICKET' }] }, 'CANNED_ANSWER_SYNTAX_ERROR');
    refused({ name: 'A', variants: [{ locale: 'not a tag', text: 'x' }] }, 'CANNED_ANSWER_INVALID');
    refused(
      {
        name: 'A',
        variants: [
          { locale: 'pt-BR', text: 'x' },
          { locale: 'PT-br', text: 'y' },
        ],
      },
      'CANNED_ANSWER_INVALID',
    );
    refused(
      {
        name: 'A',
        variants: [
          { locale: 'pt-BR', text: 'x', isDefault: true },
          { locale: 'en', text: 'y', isDefault: true },
        ],
      },
      'CANNED_ANSWER_INVALID',
    );
    refused({ name: 'A', variants: [] }, 'CANNED_ANSWER_INVALID');
    refused({ name: '  ', variants: [{ locale: 'en', text: 'x' }] }, 'CANNED_ANSWER_INVALID');
    refused({ name: 'A', variants: [{ locale: 'en', text: '   ' }] }, 'CANNED_ANSWER_INVALID');
    const huge = refused(
      { name: 'A', variants: [{ locale: 'en', text: '${COMMENTTEXT}'.repeat(60) }] },
      'CANNED_ANSWER_INVALID',
    );
    assert.deepEqual(huge.details, { field: 'size', locale: 'en' });
    validateCannedAnswer({ name: 'A', variants: [{ locale: 'en', text: '${COMMENTTEXT}'.repeat(40) }] }, personal);
  });

  it('canonicalises BCP 47 tags and refuses what is not one', () => {
    assert.equal(canonicalLocale('pt-br'), 'pt-BR');
    assert.equal(canonicalLocale('fr-ca'), 'fr-CA');
    assert.equal(canonicalLocale('pt_BR'), undefined);
    assert.equal(canonicalLocale(''), undefined);
  });
});

describe("canned answers: the requester's variant", () => {
  const answer = {
    variants: [
      { locale: 'en-US', text: 'default', isDefault: true },
      { locale: 'pt-PT', text: 'portugal', isDefault: false },
      { locale: 'pt-BR', text: 'brasil', isDefault: false },
      { locale: 'es', text: 'español', isDefault: false },
    ],
  };
  it('takes the exact locale, then the same language, then the default', () => {
    assert.equal(chooseVariant(answer, 'pt-BR').text, 'brasil');
    assert.equal(chooseVariant(answer, 'es-ES').text, 'español');
    assert.equal(chooseVariant(answer, 'fr-FR').text, 'default');
    assert.equal(chooseVariant(answer, 'pt-br').text, 'brasil');
  });
});

describe('canned answers: who manages and who uses', () => {
  const actor = (role: Actor['role'], id: number, groupIds: number[]): Actor => ({
    id,
    role,
    groupIds,
    email: `${id}@x.test`,
    name: 'N',
    locale: 'en-US',
    timeZone: 'UTC',
    active: true,
    createdAt: '',
    erasedAt: null,
  });
  const team = { kind: 'team', groupId: 3 } as const;
  it("a team's answers: administrators manage them, the team's technicians use them", () => {
    assert.equal(mayManage(actor('admin', 1, []), team), true);
    assert.equal(mayManage(actor('technician', 2, [3]), team), false);
    assert.equal(mayUse({ ...actor('technician', 2, [3]) }, { scope: team }), true);
    assert.equal(mayUse(actor('technician', 2, [4]), { scope: team }), false);
    assert.equal(mayUse(actor('admin', 1, []), { scope: team }), true);
    assert.equal(mayUse(actor('requester', 5, [3]), { scope: team }), false);
  });
  it('a personal answer: its owner alone, even among administrators', () => {
    assert.equal(mayManage(actor('technician', 7, []), personal), true);
    assert.equal(mayUse(actor('technician', 7, []), { scope: personal }), true);
    assert.equal(mayUse(actor('technician', 8, []), { scope: personal }), false);
    assert.equal(mayManage(actor('admin', 1, []), personal), false);
    assert.equal(mayUse({ ...actor('technician', 7, []), active: false }, { scope: personal }), false);
  });
  it('search folds case and accents', () => {
    assert.equal(foldForSearch('Não CONTRASEÑA'), 'nao contrasena');
  });
});
