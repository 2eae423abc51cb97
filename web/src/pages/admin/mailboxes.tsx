/** The mailboxes of the admin area: a component per file under mailboxes/. */
export { AdminMailboxes } from './mailboxes/mailboxes-page.tsx';
