/** The audit log of administrative changes: a page with its parts under audit/. */
export { AdminAudit } from './audit/audit-page.tsx';
