import type { Translate } from '../../../i18n/i18n.tsx';

/** An enum parameter's value in words (199 and 9012: the connection security). */
export function optionName(t: Translate, option: string): string {
  return option === 'none' || option === 'starttls' || option === 'tls' ? t(`smtp.security.${option}`) : option;
}
