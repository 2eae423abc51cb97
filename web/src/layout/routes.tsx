import { AccountPage } from '../pages/account.tsx';
import { AdminCapturedMail, AdminMailCatcher, AdminOutbox, AdminOutboxEntry } from '../pages/admin/mail.tsx';
import { AdminAudit } from '../pages/admin/audit.tsx';
import { AdminAnswers, MyAnswers } from '../pages/answers.tsx';
import { AdminParameters } from '../pages/admin/parameters.tsx';
import { AdminGroups, AdminUsers } from '../pages/admin/people.tsx';
import { AdminSmtp } from '../pages/admin/smtp.tsx';
import { AdminTemplates, TemplateEditor } from '../pages/admin/templates.tsx';
import { AdminWebhookDeliveries, AdminWebhooks } from '../pages/admin/webhooks.tsx';
import { AdminMailboxes } from '../pages/admin/mailboxes.tsx';
import { DeskQueue, DeskTicket } from '../pages/desk.tsx';
import { InboundMailPage, InboundReview } from '../pages/inbound.tsx';
import { PortalList, PortalNew, PortalTicket } from '../pages/portal.tsx';
import { match, useRouter } from '../router.tsx';
import { homeOf, isStaff, useSession } from '../session.tsx';
import { NotAllowed } from './not-allowed.tsx';
import { NotFound } from './not-found.tsx';
import { Redirect } from './redirect.tsx';

/** The page of the path for the signed-in user: each role lands on its own side of the desk. */
export function Routes() {
  const { me } = useSession();
  const { path } = useRouter();
  const staff = isStaff(me);
  const admin = me.role === 'admin';
  let m: Record<string, string> | null;

  if (path === '/' || path === '/signin') return <Redirect to={homeOf(me)} />;
  if (path === '/account') return <AccountPage />;
  if (path === '/account/answers') return staff ? <MyAnswers /> : <NotAllowed />;
  if (path === '/portal' || path === '/portal/') return staff ? <Redirect to="/desk" /> : <PortalList />;
  if (path === '/portal/new') return staff ? <Redirect to="/desk" /> : <PortalNew />;
  if ((m = match('/portal/tickets/:n', path))) {
    // A mail link for the other side of the desk: open the same ticket where this user works.
    return staff ? <Redirect to={`/desk/tickets/${m.n}`} /> : <PortalTicket key={m.n} number={Number(m.n)} />;
  }
  if (path === '/desk' || path === '/desk/') return staff ? <DeskQueue /> : <Redirect to="/portal" />;
  if (path === '/desk/inbound' || path === '/desk/inbound/')
    return staff ? <InboundReview area="desk" /> : <Redirect to="/portal" />;
  if ((m = match('/desk/inbound/:id', path)))
    return staff ? <InboundMailPage key={m.id} id={Number(m.id)} area="desk" /> : <Redirect to="/portal" />;
  if ((m = match('/desk/tickets/:n', path)))
    return staff ? <DeskTicket key={m.n} number={Number(m.n)} /> : <Redirect to={`/portal/tickets/${m.n}`} />;
  if (path.startsWith('/admin')) {
    if (!admin) return <NotAllowed />;
    if (path === '/admin' || path === '/admin/') return <Redirect to="/admin/parameters" />;
    if (path === '/admin/parameters') return <AdminParameters />;
    if (path === '/admin/smtp') return <AdminSmtp />;
    if (path === '/admin/templates') return <AdminTemplates />;
    if (path === '/admin/templates/new') return <TemplateEditor key="new" id={null} />;
    if ((m = match('/admin/templates/:id', path))) return <TemplateEditor key={m.id} id={Number(m.id)} />;
    if (path === '/admin/users') return <AdminUsers />;
    if (path === '/admin/groups') return <AdminGroups />;
    if (path === '/admin/outbox') return <AdminOutbox />;
    if ((m = match('/admin/outbox/:id', path))) return <AdminOutboxEntry key={m.id} id={Number(m.id)} />;
    if (path === '/admin/inbound') return <InboundReview area="admin" />;
    if ((m = match('/admin/inbound/:id', path))) return <InboundMailPage key={m.id} id={Number(m.id)} area="admin" />;
    if (path === '/admin/mail-catcher') return <AdminMailCatcher />;
    if (path === '/admin/webhooks') return <AdminWebhooks />;
    if (path === '/admin/mailboxes') return <AdminMailboxes />;
    if ((m = match('/admin/webhooks/:id', path))) return <AdminWebhookDeliveries key={m.id} id={Number(m.id)} />;
    if (path === '/admin/audit') return <AdminAudit />;
    if (path === '/admin/canned-answers') return <AdminAnswers />;
    if ((m = match('/admin/mail-catcher/:id', path))) return <AdminCapturedMail key={m.id} id={Number(m.id)} />;
  }
  return <NotFound />;
}
