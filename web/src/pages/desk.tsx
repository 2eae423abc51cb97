/** The Service Desk: the queue and a ticket, a component per file under desk/. */
export { DeskQueue } from './desk/queue-page.tsx';
export { DeskTicket } from './desk/ticket-page.tsx';
