/** The Smart Portal of requesters: their tickets, a new request and a ticket, a component per file under portal/. */
export { PortalList } from './portal/list-page.tsx';
export { PortalNew } from './portal/new-request-page.tsx';
export { PortalTicket } from './portal/ticket-page.tsx';
