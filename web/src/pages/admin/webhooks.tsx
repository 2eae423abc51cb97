/** Webhooks of the admin area: a component per file under webhooks/. */
export { AdminWebhooks } from './webhooks/webhooks-page.tsx';
export { AdminWebhookDeliveries } from './webhooks/deliveries-page.tsx';
