/** The SMTP account of the admin area: a component per file under smtp/. */
export { AdminSmtp } from './smtp/smtp-page.tsx';
