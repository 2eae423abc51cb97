/** Mail in the admin area (outbox, mail catcher): a page per file under mail/. */
export { AdminOutbox } from './mail/outbox-page.tsx';
export { AdminOutboxEntry } from './mail/outbox-entry-page.tsx';
export { AdminMailCatcher } from './mail/catcher-page.tsx';
export { AdminCapturedMail } from './mail/captured-mail-page.tsx';
