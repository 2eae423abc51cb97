import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Locale } from '../locale.ts';
import { DeliveryFailure, type MailTransports, type VerifyResult } from '../../ports/mail-transport.ts';
import { smtpCredentials } from '../parameters/parameters.ts';
import { scrubSecrets } from '../parameters/secret-scrub.ts';
import { deliveryResultOf, type DeliveryResult } from './delivery-results.ts';
import { previewTemplate } from '../templates/preview-template.ts';
import { isEmailAddress, type Actor } from '../users/user.ts';

type MailDeps = Pick<Deps, 'storage' | 'secrets' | 'tokens' | 'site' | 'clock'> & { transports: MailTransports };

/** Connects to the stored SMTP account and signs in; says what went wrong in Parley's words. */
export async function verifySmtpAccount(deps: MailDeps): Promise<VerifyResult> {
  const account = await smtpCredentials(deps, deps.storage);
  if (!account)
    return {
      ok: false,
      code: 'SMTP_NOT_CONFIGURED',
      message: 'No SMTP account is configured yet (host and sender address are needed).',
    };
  return deps.transports.forSettings(account.settings).verify();
}

const TEST_TEXT: Record<Locale, { subject: string; body: string }> = {
  'en-US': { subject: 'Parley test mail', body: 'This is a test mail from Parley. The SMTP account works.' },
  'pt-BR': {
    subject: 'E-mail de teste do Parley',
    body: 'Este é um e-mail de teste do Parley. A conta SMTP funciona.',
  },
  'es-ES': {
    subject: 'Correo de prueba de Parley',
    body: 'Este es un correo de prueba de Parley. La cuenta SMTP funciona.',
  },
};

export interface TestMailResult {
  ok: boolean;
  /** An English sentence (for the API and logs); the web shows `code` and `result` in the admin's language. */
  message: string;
  messageId: string | null;
  code: 'SENT' | 'SMTP_NOT_CONFIGURED' | 'DELIVERY_FAILED';
  /** SENT: the server's reply; DELIVERY_FAILED: what went wrong, as the outbox reports an attempt. */
  result: DeliveryResult | null;
}

/** Sends one mail through the stored account right away (not through the outbox) and reports the outcome. */
export async function sendTestMail(deps: MailDeps, to: string, locale: Locale): Promise<TestMailResult> {
  const text = TEST_TEXT[locale];
  return sendNow(deps, to, {
    subject: text.subject,
    text: `${text.body}\n\n${deps.site.publicUrl}\n${deps.clock.now().toISOString()}`,
    html: `<p>${text.body}</p><p><a href="${deps.site.publicUrl}">${deps.site.publicUrl}</a></p>`,
  });
}

/** A template rendered as the preview renders it (against a ticket, or the latest one), sent now to `to`. */
export async function sendTemplateTest(
  deps: MailDeps,
  actor: Actor,
  templateId: number,
  options: { to: string; ticketNumber?: number | null; locale?: string | null },
): Promise<TestMailResult> {
  checkAddress(options.to);
  const rendered = await previewTemplate(
    deps,
    actor,
    { id: templateId },
    { ticketNumber: options.ticketNumber, locale: options.locale },
  );
  return sendNow(deps, options.to, { subject: rendered.subject, html: rendered.html, text: rendered.text });
}

function checkAddress(to: string): string {
  const address = to.trim();
  if (!isEmailAddress(address))
    throw new DomainError('VALIDATION_FAILED', `"${to}" is not an email address.`, { details: { field: 'to' } });
  return address;
}

async function sendNow(
  deps: MailDeps,
  to: string,
  content: { subject: string; html: string; text: string },
): Promise<TestMailResult> {
  const address = checkAddress(to);
  const account = await smtpCredentials(deps, deps.storage);
  if (!account)
    return {
      ok: false,
      code: 'SMTP_NOT_CONFIGURED',
      message: 'No SMTP account is configured yet (host and sender address are needed).',
      messageId: null,
      result: null,
    };
  const messageId = `<parley.test.${deps.tokens.random(12)}@${deps.site.mailDomain}>`;
  try {
    const { reply } = await deps.transports.forSettings(account.settings).send({
      from: account.from,
      to: { name: '', address },
      replyTo: null,
      ...content,
      messageId,
      inReplyTo: null,
      references: [],
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
    const shortReply = scrubSecrets(reply.slice(0, 200), account.settings);
    return {
      ok: true,
      code: 'SENT',
      message: `The SMTP server accepted the test mail (${shortReply}).`,
      messageId,
      result: { code: 'SERVER_REPLY', params: { reply: shortReply } },
    };
  } catch (error) {
    if (!(error instanceof DeliveryFailure)) throw error;
    const reply = scrubSecrets(error.reply, account.settings);
    return { ok: false, code: 'DELIVERY_FAILED', message: reply, messageId: null, result: deliveryResultOf(reply) };
  }
}
