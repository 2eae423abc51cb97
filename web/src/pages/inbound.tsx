/**
 * "Needs review": inbound mail Parley could not post by itself (strangers, altered reply addresses, no matching
 * ticket...). Technicians see the mail of their tickets and the unmatched mail, administrators all of it. The same
 * pages serve the Service Desk (`/desk/inbound`) and the administration (`/admin/inbound`).
 */
export { InboundMailPage } from './inbound/mail-page.tsx';
export { InboundReview } from './inbound/review-page.tsx';
export { useHeldCount } from './inbound/held-count.ts';
export { inboundReasonText } from './inbound/inbound-parts.tsx';
export type { InboundArea } from './inbound/inbound-parts.tsx';
