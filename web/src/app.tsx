import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, get, onUnauthorized, patch, post, setCsrfToken } from './api.ts';
import { ErrorNotice, Loading } from './components/ui.tsx';
import { startEvents, stopEvents } from './events.ts';
import { I18nProvider, resolveLocale } from './i18n/i18n.tsx';
import { Routes } from './layout/routes.tsx';
import { Shell } from './layout/shell.tsx';
import { SignInRoute } from './layout/sign-in-route.tsx';
import { useRouter } from './router.tsx';
import { homeOf, SessionContext } from './session.tsx';
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

export function App() {
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
            updateMe: (updated: Me) =>
              setMe((current) =>
                current && current.id === updated.id
                  ? { ...current, ...updated, csrfToken: updated.csrfToken ?? current.csrfToken }
                  : current,
              ),
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
