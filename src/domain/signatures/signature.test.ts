import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderContext } from '../../../test/support/render-context.ts';
import { DomainError } from '../errors.ts';
import { DEFAULT_EVENT_TEMPLATES } from '../templates/default-event-templates.ts';
import { DEFAULT_TEMPLATES, SHIPPED_MESSAGING_TEMPLATE } from '../templates/default-templates.ts';
import { compileField } from '../templates/compile-template.ts';
import { compileTemplate, renderTemplate, validateTemplate, type EmailTemplate } from '../templates/email-template.ts';
import { MAX_RENDERED_BODY } from '../templates/render-template.ts';
import { mailSignature, usesSignature } from './mail-signature.ts';
import { compileSignature, MAX_SIGNATURE_LENGTH, signatureRenderer, validateSignature } from './signature.ts';

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DomainError);
    return error;
  }
  assert.fail('expected a refusal');
}

function stored(input: ReturnType<typeof validateTemplate>, id: number): EmailTemplate {
  return { ...input, id, createdAt: '', updatedAt: '' };
}

describe('signatures: checked at save', () => {
  it('keeps the text, its line breaks as \\n, without trailing blanks; blank or null is no signature', () => {
    assert.equal(
      validateSignature('Ana Muñoz\r\nService desk · ${TICKETSTATUS}  \n\n'),
      'Ana Muñoz\nService desk · ${TICKETSTATUS}',
    );
    assert.equal(validateSignature(' \n '), null);
    assert.equal(validateSignature(null), null);
    assert.equal(validateSignature('${NOMECONTATO}'), '${NOMECONTATO}', 'the keys of every language spelling');
  });

  it('refuses an unknown key naming it and where it is, as a template does', () => {
    const error = refusal(() => validateSignature('Regards,\nAna ${TICKETNUMBER}'));
    assert.equal(error.code, 'SIGNATURE_UNKNOWN_KEY');
    assert.match(error.message, /Unknown key \$\{TICKETNUMBER\} in the signature at line 2, column 5\./);
    assert.deepEqual(error.details, { field: 'signature', key: 'TICKETNUMBER', line: 2, column: 5 });
    assert.equal(refusal(() => validateSignature('Ana ${TICKETSTATUS')).code, 'SIGNATURE_SYNTAX_ERROR');
  });

  it('refuses the signature key inside a signature, under any of its names', () => {
    for (const name of ['SIGNATURE', 'ASSINATURA', 'FIRMA']) {
      const error = refusal(() => validateSignature(`Ana \${${name}}`));
      assert.equal(error.code, 'SIGNATURE_INVALID', name);
      assert.equal(error.details?.rule, 'recursive');
    }
  });

  it('bounds its length and what it renders to', () => {
    assert.equal(validateSignature('x'.repeat(MAX_SIGNATURE_LENGTH))?.length, MAX_SIGNATURE_LENGTH);
    assert.equal(refusal(() => validateSignature('x'.repeat(MAX_SIGNATURE_LENGTH + 1))).details?.rule, 'maxLength');
    assert.equal(refusal(() => validateSignature('${COMMENTTEXT}')).details?.rule, 'renderedSize');
  });
});

describe('signatures: rendered by ${SIGNATURE}', () => {
  // threat: A signature holding HTML, `${SIGNATURE}` itself or an unknown key → escaped as data, refused at save
  it("fills the signature's keys for the recipient and escapes it as data in HTML", () => {
    const template = compileTemplate({ subject: 'S ${SIGNATURE}', html: '<p>${FIRMA}</p>', text: '-- \n${SIGNATURE}' });
    const signature = signatureRenderer(compileSignature('Ana <b>Muñoz</b>\n#${IDSERVICEREQUEST} is ${TICKETSTATUS}'));
    const mail = renderTemplate(template, {
      ...renderContext({ recipient: { locale: 'pt-BR', timeZone: 'UTC' } }),
      signature,
    });
    assert.equal(mail.text, '-- \nAna <b>Muñoz</b>\n#4711 is Em andamento');
    assert.equal(mail.html, '<p>Ana &lt;b&gt;Muñoz&lt;/b&gt;<br>\n#4711 is Em andamento</p>');
    assert.equal(mail.subject, 'S Ana <b>Muñoz</b> #4711 is Em andamento');
  });

  it('renders nothing without a signature; the shipped templates then show nothing more than before', () => {
    const template = compileTemplate(validateTemplate(DEFAULT_TEMPLATES['es-ES']));
    const mail = renderTemplate(template, renderContext());
    assert.match(
      mail.html,
      /<div><\/div>\n<div style="[^"]*"><\/div>\n<\/div>$/,
      'an empty signature, then no history',
    );
    assert.doesNotMatch(mail.text, /\$\{/);
    assert.match(mail.text, /Responda a este correo para contestar\.$/, 'the text part ends with the footer');
  });

  it('is used by every shipped template, in every language, which still pass the size check', () => {
    for (const [locale, input] of Object.entries(DEFAULT_TEMPLATES))
      assert.ok(
        compileField('html', input.html).some((p) => typeof p !== 'string' && p.name === 'SIGNATURE'),
        locale,
      );
    for (const [event, byLocale] of Object.entries(DEFAULT_EVENT_TEMPLATES))
      for (const [locale, input] of Object.entries(byLocale)) {
        assert.ok(
          input.html.includes({ 'en-US': '${SIGNATURE}', 'pt-BR': '${ASSINATURA}', 'es-ES': '${FIRMA}' }[locale]!),
          `${event} ${locale}`,
        );
        validateTemplate(input);
      }
    assert.ok(usesSignature(stored(validateTemplate(SHIPPED_MESSAGING_TEMPLATE), 9001)));
  });

  it('a template that could exceed the body bound because of a signature is refused at save', () => {
    const html = '${SIGNATURE}'.repeat(Math.ceil(MAX_RENDERED_BODY / 10_000 / 6) + 1);
    assert.equal(refusal(() => validateTemplate({ name: 'n', subject: 's', html })).code, 'TEMPLATE_TOO_LARGE');
  });
});

describe('signatures: which one a mail carries', () => {
  const template = stored(validateTemplate({ name: 'n', subject: 's', html: '<p>${SIGNATURE}</p>' }), 9002);
  const without = stored(validateTemplate({ name: 'm', subject: 's', html: '<p>${USERNAME}</p>' }), 9003);
  const reads: [number | null, number | null][] = [];
  const people = {
    signaturesFor: async (userId: number | null, groupId: number | null) => {
      reads.push([userId, groupId]);
      return { user: userId === 1 ? 'Ana' : null, group: groupId === 7 ? 'Team ${TICKETSTATUS}' : null };
    },
  };
  const text = (field: Awaited<ReturnType<typeof mailSignature>>) => (field === null ? null : field(renderContext()));

  it("the author's, else the team's, none for a requester, the team's for an event", async () => {
    reads.length = 0;
    const seven = { groupId: 7 };
    assert.equal(text(await mailSignature({ people }, template, { id: 1, role: 'technician' }, seven)), 'Ana');
    assert.equal(text(await mailSignature({ people }, template, { id: 2, role: 'admin' }, seven)), 'Team In progress');
    assert.equal(text(await mailSignature({ people }, template, { id: 2, role: 'admin' }, { groupId: null })), null);
    assert.equal(text(await mailSignature({ people }, template, { id: 1, role: 'requester' }, seven)), null);
    assert.equal(text(await mailSignature({ people }, template, null, seven)), 'Team In progress');
    assert.equal(text(await mailSignature({ people }, template, null, { groupId: null })), null);
    // A requester, an event without a team, and a template without the key read nothing.
    assert.equal(await mailSignature({ people }, without, { id: 1, role: 'technician' }, seven), null);
    assert.deepEqual(reads, [
      [1, 7],
      [2, 7],
      [2, null],
      [null, 7],
    ]);
  });

  it('reads nothing when the author and the ticket were read with their signatures', async () => {
    reads.length = 0;
    const team = { groupId: 7, groupSignature: 'Read with the ticket' };
    const tech = { id: 1, role: 'technician' as const };
    assert.equal(text(await mailSignature({ people }, template, { ...tech, signature: 'Own' }, team)), 'Own');
    assert.equal(text(await mailSignature({ people }, template, { ...tech, signature: 'Own' }, { groupId: 7 })), 'Own');
    assert.equal(
      text(await mailSignature({ people }, template, { ...tech, signature: null }, team)),
      'Read with the ticket',
    );
    assert.equal(text(await mailSignature({ people }, template, null, team)), 'Read with the ticket');
    assert.equal(text(await mailSignature({ people }, template, null, { groupId: 7, groupSignature: null })), null);
    assert.deepEqual(reads, []);
    // The author read without their signature: one read for both.
    assert.equal(text(await mailSignature({ people }, template, tech, team)), 'Ana');
    assert.deepEqual(reads, [[1, 7]]);
  });
});
