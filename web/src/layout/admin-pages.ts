import type { MessageKey } from '../i18n/i18n.tsx';

/** The side navigation of the admin area. */
export const ADMIN_PAGES: { to: string; label: MessageKey }[] = [
  { to: '/admin/parameters', label: 'nav.parameters' },
  { to: '/admin/smtp', label: 'nav.smtp' },
  { to: '/admin/mailboxes', label: 'nav.mailboxes' },
  { to: '/admin/templates', label: 'nav.templates' },
  { to: '/admin/canned-answers', label: 'nav.cannedAnswers' },
  { to: '/admin/users', label: 'nav.users' },
  { to: '/admin/groups', label: 'nav.groups' },
  { to: '/admin/outbox', label: 'nav.outbox' },
  { to: '/admin/webhooks', label: 'nav.webhooks' },
  { to: '/admin/inbound', label: 'nav.needsReview' },
  { to: '/admin/mail-catcher', label: 'nav.catcher' },
  { to: '/admin/audit', label: 'nav.audit' },
];
