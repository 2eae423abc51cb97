import { useEffect, useRef, useState, type ReactNode } from 'react';
import { LanguageSelect } from '../components/language-select.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useHeldCount } from '../pages/inbound.tsx';
import { Link, useRouter } from '../router.tsx';
import { homeOf, useSession } from '../session.tsx';
import { ADMIN_PAGES } from './admin-pages.ts';
import { NavLink } from './nav-link.tsx';

/**
 * The frame of every signed-in page: the top bar (brand, navigation, the Menu button on a phone), the admin side
 * navigation and the main region.
 */
export function Shell({ children }: { children: ReactNode }) {
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
