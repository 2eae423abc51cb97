import { useI18n } from '../i18n/i18n.tsx';
import { SignIn } from '../pages/sign-in.tsx';
import type { Me } from '../types.ts';

export function SignInRoute({ expired, onSignedIn }: { expired: boolean; onSignedIn(me: Me): void }) {
  const { t } = useI18n();
  return <SignIn onSignedIn={onSignedIn} notice={expired ? t('signIn.expired') : undefined} />;
}
