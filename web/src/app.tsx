import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, get, onUnauthorized, patch, post, setCsrfToken } from './api.ts';
import { LanguageSelect } from './components/language-select.tsx';
import { ErrorNotice, Loading, Page } from './components/ui.tsx';
import { startEvents, stopEvents } from './events.ts';
import { I18nProvider, resolveLocale, useI18n, type MessageKey } from './i18n/i18n.tsx';
import { AdminCapturedMail, AdminMailCatcher, AdminOutbox, AdminOutboxEntry } from './pages/admin/mail.tsx';
import { AdminParameters } from './pages/admin/parameters.tsx';
import { AdminGroups, AdminUsers } from './pages/admin/people.tsx';
import { AdminSmtp } from './pages/admin/smtp.tsx';
import { AccountPage } from './pages/account.tsx';
import { AdminTemplates, TemplateEditor } from './pages/admin/templates.tsx';
import { DeskQueue, DeskTicket } from './pages/desk.tsx';
import { InboundMailPage, InboundReview, useHeldCount } from './pages/inbound.tsx';
import { PortalList, PortalNew, PortalTicket } from './pages/portal.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { Link, match, RouterProvider, useRouter } from './router.tsx';
import { homeOf, isStaff, SessionContext, useSession } from './session.tsx';
import type { Locale, Me } from './types.ts';

/** The language chosen on the sign-in page (before anyone is signed in). Signed in, the user's own `locale` rules. */
const LOCALE_KEY = 'parley.locale';

function storedLocale(): Locale | null {
  try {
    const v = window.localStorage.getItem(LOCALE_KEY);
    return v ? resolveLocale(v) : null;
  } catch {
    return null;
  }
}

function storeLocale(locale: Locale) {
  try {
    window.localStorage.setItem(LOCALE_KEY, locale);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

const ADMIN_PAGES: { to: string; label: MessageKey }[] = [
  { to: '/admin/parameters', label: 'nav.parameters' },
  { to: '/admin/smtp', label: 'nav.smtp' },
  { to: '/admin/templates', label: 'nav.templates' },
  { to: '/admin/users', label: 'nav.users' },
  { to: '/admin/groups', label: 'nav.groups' },
  { to: '/admin/outbox', label: 'nav.outbox' },
  { to: '/admin/inbound', label: 'nav.needsReview' },
  { to: '/admin/mail-catcher', label: 'nav.catcher' },
];

function NavLink({
  to,
  children,
  exact = false,
  except,
  className,
}: {
  to: string;
  children: ReactNode;
  exact?: boolean;
  except?: string;
  className?: string;
}) {
  const { path } = useRouter();
  const inside = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  const active = exact ? path === to : inside(to) && !(except !== undefined && inside(except));
  return (
    <Link
      to={to}
      className={`${active ? 'nav-link nav-link-on' : 'nav-link'}${className ? ` ${className}` : ''}`}
      aria-current={active ? 'page' : undefined}
    >
      {children}
    </Link>
  );
}

function Shell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { me, signOut } = useSession();
  const { path } = useRouter();
  const inAdmin = path.startsWith('/admin');
  const held = useHeldCount(me.role !== 'requester');
  const heldCount = held && held.count > 0 ? (held.more ? `${held.count}+` : String(held.count)) : null;
  // On a phone the navigation, the language and "Sign out" are behind the Menu button; it closes on a new page.
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  useEffect(() => setMenuOpen(false), [path]);
  return (
    <>
      <a href="#main" className="skip-link">
        {t('nav.skip')}
      </a>
      <header className={menuOpen ? 'topbar topbar-open' : 'topbar'}>
        <div className="topbar-inner">
          <Link to={homeOf(me)} className="brand">
            <span className="brand-mark" aria-hidden="true" />
            <span className="brand-name">Parley</span>
            <span className="brand-area">
              {me.role === 'requester' ? t('nav.portalName') : inAdmin ? t('nav.adminName') : t('nav.deskName')}
            </span>
          </Link>
          <button
            ref={menuButton}
            type="button"
            className="button button-ghost topbar-menu"
            aria-expanded={menuOpen}
            aria-controls="topbar-menu"
            onClick={() => setMenuOpen((open) => !open)}
          >
            <span className="menu-icon" aria-hidden="true" />
            {t('nav.menu')}
          </button>
          <div
            id="topbar-menu"
            className="topbar-panel"
            onKeyDown={(event) => {
              if (event.key !== 'Escape' || !menuOpen) return;
              setMenuOpen(false);
              menuButton.current?.focus();
            }}
          >
            <nav className="topnav" aria-label={t('nav.main')}>
              {me.role === 'requester' ? (
                <>
                  <NavLink to="/portal" exact>
                    {t('nav.myRequests')}
                  </NavLink>
                  <NavLink to="/portal/new">{t('portal.newRequest')}</NavLink>
                </>
              ) : (
                <>
                  <NavLink to="/desk" except="/desk/inbound">
                    {t('nav.queue')}
                  </NavLink>
                  <NavLink to="/desk/inbound" className={heldCount ? 'nav-link-alert' : undefined}>
                    {heldCount ? t('nav.needsReviewCount', { count: heldCount }) : t('nav.needsReview')}
                  </NavLink>
                </>
              )}
              {me.role === 'admin' ? <NavLink to="/admin">{t('nav.admin')}</NavLink> : null}
            </nav>
            <div className="topbar-user">
              <LanguageSelect className="language-select language-compact" />
              <Link to="/account" className="user-name" title={me.email}>
                <span className="sr-only">{t('account.menuLabel')} </span>
                {me.name}
                <span className="user-role">{t(`role.${me.role}`)}</span>
              </Link>
              <button type="button" className="button button-ghost" onClick={() => void signOut()}>
                {t('nav.signOut')}
              </button>
            </div>
          </div>
        </div>
      </header>
      <div className={inAdmin ? 'layout layout-admin' : 'layout'}>
        {inAdmin ? (
          <nav className="sidenav" aria-label={t('nav.admin')}>
            {ADMIN_PAGES.map((p) => (
              <NavLink key={p.to} to={p.to}>
                {t(p.label)}
              </NavLink>
            ))}
          </nav>
        ) : null}
        <main id="main" className="content">
          {children}
        </main>
      </div>
    </>
  );
}

function Redirect({ to }: { to: string }) {
  const { navigate } = useRouter();
  useEffect(() => navigate(to, { replace: true }), [to, navigate]);
  return null;
}

function NotAllowed() {
  const { t } = useI18n();
  const { me } = useSession();
  return (
    <Page title={t('page.forbiddenTitle')}>
      <p>{t('page.forbidden')}</p>
      <Link to={homeOf(me)}>{t('page.home')}</Link>
    </Page>
  );
}

function NotFound() {
  const { t } = useI18n();
  const { me } = useSession();
  return (
    <Page title={t('page.notFoundTitle')}>
      <p>{t('page.notFound')}</p>
      <Link to={homeOf(me)}>{t('page.home')}</Link>
    </Page>
  );
}

function Routes() {
  const { me } = useSession();
  const { path } = useRouter();
  const staff = isStaff(me);
  const admin = me.role === 'admin';
  let m: Record<string, string> | null;

  if (path === '/' || path === '/signin') return <Redirect to={homeOf(me)} />;
  if (path === '/account') return <AccountPage />;
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
    if ((m = match('/admin/mail-catcher/:id', path))) return <AdminCapturedMail key={m.id} id={Number(m.id)} />;
  }
  return <NotFound />;
}

function App() {
  const { path, navigate } = useRouter();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [bootError, setBootError] = useState<unknown>(null);
  const [expired, setExpired] = useState(false);
  const [locale, setLocaleState] = useState<Locale>(() => storedLocale() ?? resolveLocale(navigator.language));

  const adopt = useCallback((user: Me) => {
    setCsrfToken(user.csrfToken);
    setLocaleState(resolveLocale(user.locale));
    setExpired(false);
    setMe(user);
  }, []);

  useEffect(() => {
    get<Me>('/me').then(adopt, (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) setMe(null);
      else setBootError(e);
    });
  }, [adopt]);

  useEffect(
    () =>
      onUnauthorized(() => {
        setCsrfToken(null);
        setExpired(true);
        setMe(null);
      }),
    [],
  );

  const signedIn = !!me;
  useEffect(() => {
    if (signedIn) startEvents();
    else stopEvents();
  }, [signedIn]);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  // Signed in, the choice is the user's (PATCH /me): the server writes their dates and mails in it, and every
  // browser they use shows it. Signed out, it is this browser's choice for the sign-in page.
  const userId = me?.id ?? null;
  const setLocale = useCallback(
    async (l: Locale) => {
      setLocaleState(l);
      storeLocale(l);
      if (userId === null) return;
      const updated = await patch<Me>('/me', { locale: l });
      setMe((current) =>
        current && current.id === updated.id
          ? { ...current, ...updated, csrfToken: updated.csrfToken ?? current.csrfToken }
          : current,
      );
    },
    [userId],
  );

  const session = useMemo(
    () =>
      me
        ? {
            me,
            signOut: async () => {
              try {
                await post('/auth/logout');
              } catch {
                // Signed out already (expired session): the cookie is gone either way.
              }
              setCsrfToken(null);
              setMe(null);
              navigate('/', { replace: true });
            },
          }
        : null,
    [me, navigate],
  );

  return (
    <I18nProvider locale={locale} timeZone={me?.timeZone} setLocale={setLocale}>
      {me === undefined ? (
        bootError ? (
          <main className="signin">
            <div className="signin-card">
              <ErrorNotice error={bootError} />
            </div>
          </main>
        ) : (
          <Loading />
        )
      ) : me === null ? (
        <SignInRoute
          expired={expired}
          onSignedIn={(user) => {
            adopt(user);
            if (path === '/' || path === '/signin') navigate(homeOf(user), { replace: true });
          }}
        />
      ) : (
        <SessionContext.Provider value={session}>
          <Shell>
            <Routes />
          </Shell>
        </SessionContext.Provider>
      )}
    </I18nProvider>
  );
}

function SignInRoute({ expired, onSignedIn }: { expired: boolean; onSignedIn(me: Me): void }) {
  const { t } = useI18n();
  return <SignIn onSignedIn={onSignedIn} notice={expired ? t('signIn.expired') : undefined} />;
}

export function Root() {
  return (
    <RouterProvider>
      <App />
    </RouterProvider>
  );
}
