import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, scrubAndCut, scrubError, scrubSecrets, secretForms } from './secret-scrub.ts';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const USER = 'desk@example.test';
const PASS = 'Pw-7f3a9c-Ünique-S3cret!';

/** Every form in which Parley sends the credentials (SMTP AUTH PLAIN/LOGIN/XOAUTH2, IMAP LOGIN and AUTHENTICATE PLAIN). */
const SENT_FORMS = {
  password: PASS,
  plain: b64(`\u0000${USER}\u0000${PASS}`),
  plainWithAuthzid: b64(`${USER}\u0000${USER}\u0000${PASS}`),
  loginUser: b64(USER),
  loginPassword: b64(PASS),
  xoauth2: b64(`user=${USER}\u0001auth=Bearer ${PASS}\u0001\u0001`),
};

describe('scrubSecrets', () => {
  // threat: A server echoing `AUTH PLAIN <base64>`
  it('removes each form Parley sends the credentials in, wherever it sits in a reply', () => {
    for (const [name, form] of Object.entries(SENT_FORMS)) {
      const reply = `535 5.7.8 Authentication failed for ${form} (try again)`;
      const clean = scrubSecrets(reply, { user: USER, password: PASS });
      assert.ok(!clean.includes(form), `${name} is still in: ${clean}`);
      assert.ok(clean.includes(REDACTED), name);
      assert.ok(clean.startsWith('535 5.7.8 Authentication failed for '), 'the rest of the reply is kept');
    }
  });

  it('removes base64 forms without their padding, and the password inside base64 of anything else', () => {
    const unpadded = SENT_FORMS.plain.replace(/=+$/, '');
    assert.ok(!scrubSecrets(`535 ${unpadded}`, { user: USER, password: PASS }).includes(unpadded));
    for (const prefix of ['x', 'xy', 'xyz', 'authzid\u0000someone\u0000']) {
      const other = b64(`${prefix}${PASS}`);
      const clean = scrubSecrets(`535 echo ${other}`, { user: USER, password: PASS });
      // whatever remains cannot be decoded back to the password
      assert.ok(!Buffer.from(clean.slice(9), 'base64').toString('utf8').includes(PASS), `${prefix}: ${clean}`);
      assert.ok(clean.includes(REDACTED), prefix);
    }
  });

  it('removes a secret percent-encoded, as a form body or a query string carries it', () => {
    const secret = 'a b+c/d=e&f%g';
    for (const form of [encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]) {
      const clean = scrubSecrets(`invalid_grant: client_secret=${form} is revoked`, { user: null, password: secret });
      assert.equal(clean, `invalid_grant: client_secret=${REDACTED} is revoked`, form);
    }
  });

  it('scrubAndCut scrubs before it cuts: no start of an encoded secret is left at the cut', () => {
    const credentials = { user: USER, password: PASS };
    // The base64 of AUTH PLAIN runs across character 1,000.
    const echo = `550 5.1.1 ${'x'.repeat(920)} you said AUTH PLAIN ${SENT_FORMS.plain}`;
    assert.ok(echo.indexOf(SENT_FORMS.plain) < 1000 && echo.length > 1000);
    const cut = scrubAndCut(echo, credentials, 1000);
    assert.ok(cut.length <= 1000);
    assert.ok(cut.endsWith(`AUTH PLAIN ${REDACTED}`), cut.slice(-40));
    // Cut first, the text keeps the start of the base64, which no form of the secret matches any more.
    assert.ok(!scrubSecrets(echo.slice(0, 1000), credentials).includes(REDACTED));
  });

  it('removes the IMAP quoted form of a password with quotes and backslashes', () => {
    const password = 'a"b\\c-long-enough';
    const quoted = 'a\\"b\\\\c-long-enough';
    assert.equal(
      scrubSecrets(`NO [AUTHENTICATIONFAILED] LOGIN "user" "${quoted}"`, { user: 'user', password }),
      `NO [AUTHENTICATIONFAILED] LOGIN "user" "${REDACTED}"`,
    );
  });

  it('leaves text alone when no password is set, and never removes the plain user name', () => {
    assert.equal(scrubSecrets('250 ok desk@example.test', { user: USER, password: null }), '250 ok desk@example.test');
    assert.equal(scrubSecrets('250 ok desk@example.test', { user: USER, password: PASS }), '250 ok desk@example.test');
    assert.deepEqual(secretForms({ user: USER, password: '' }), []);
  });

  it('scrubError cleans an error, its library fields and its cause in place', () => {
    const cause = Object.assign(new Error(`Invalid login: 535 ${SENT_FORMS.plain}`), {
      response: `535 ${SENT_FORMS.plain}`,
      responseText: `bad ${PASS}`,
    });
    const error = new Error(`wrapped ${PASS}`, { cause });
    scrubError(error, { user: USER, password: PASS });
    const all = [error.message, error.stack, cause.message, cause.stack, cause.response, cause.responseText].join('\n');
    for (const form of Object.values(SENT_FORMS)) assert.ok(!all.includes(form), form);
  });
});
