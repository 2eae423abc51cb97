import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_EVENT_TEMPLATES } from './default-event-templates.ts';
import { compileTemplate, renderTemplate, validateTemplate } from './email-template.ts';

describe('the shipped event templates', () => {
  it('pass the checks of a saved template and render in every language', () => {
    for (const [event, byLocale] of Object.entries(DEFAULT_EVENT_TEMPLATES)) {
      for (const [locale, input] of Object.entries(byLocale)) {
        const clean = validateTemplate(input);
        const mail = renderTemplate(compileTemplate(clean), {
          ticket: {
            number: 42,
            title: 'Printer <jammed>',
            status: 'new',
            requesterName: 'Maria',
            contactName: null,
            responsibleName: null,
            demandType: null,
            activity: null,
            relatedService: null,
            portfolio: null,
            category: null,
          },
          message: {
            text: 'It beeps.',
            authorName: 'Maria',
            createdAt: '2026-01-02T03:04:05.000Z',
            timeSpentMinutes: null,
            timeSpentDate: null,
          },
          recipient: { locale: locale as 'en-US', timeZone: 'UTC' },
          ticketUrl: 'https://desk.example/portal/tickets/42',
        });
        assert.match(mail.subject, /\[#42\]/, `${event} ${locale}`);
        assert.match(mail.html, /Printer &lt;jammed&gt;/, `${event} ${locale}`);
        assert.match(mail.text, /https:\/\/desk\.example\/portal\/tickets\/42/, `${event} ${locale}`);
      }
    }
  });
});
