import type { Locale } from '../locale.ts';
import { sendNow, type MailDeps, type TestMailResult } from './smtp-test-send.ts';

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

/**
 * Sends one mail through the stored account (the default mailbox, or the mailbox `mailboxId`) right away, not through
 * the outbox, and reports the outcome.
 */
export async function sendTestMail(
  deps: MailDeps,
  to: string,
  locale: Locale,
  mailboxId: number | null = null,
): Promise<TestMailResult> {
  const text = TEST_TEXT[locale];
  return sendNow(
    deps,
    to,
    {
      subject: text.subject,
      text: `${text.body}\n\n${deps.site.publicUrl}\n${deps.clock.now().toISOString()}`,
      html: `<p>${text.body}</p><p><a href="${deps.site.publicUrl}">${deps.site.publicUrl}</a></p>`,
    },
    mailboxId,
  );
}
