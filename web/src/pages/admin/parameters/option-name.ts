import type { Translate } from '../../../i18n/i18n.tsx';

/**
 * An enum parameter's value in words: 199 and 9012, the connection security; 9020, the statuses a requester's message
 * moves back to work; 9021, the status it moves them to; 9036, who in a requester's mail becomes a copy.
 */
export function optionName(t: Translate, option: string, parameter?: number): string {
  if (parameter === 9020) {
    if (option === 'waiting-and-resolved') return t('parameters.reopen.waitingAndResolved');
    if (option === 'none') return t('parameters.reopen.none');
  }
  if (parameter === 9036 && (option === 'never' || option === 'same-domain' || option === 'anyone'))
    return t(`parameters.copies.${option}`);
  if (parameter === 9020 || parameter === 9021) {
    if (option === 'waiting' || option === 'resolved' || option === 'in_progress' || option === 'new')
      return t(`status.${option}`);
  }
  return option === 'none' || option === 'starttls' || option === 'tls' ? t(`smtp.security.${option}`) : option;
}
