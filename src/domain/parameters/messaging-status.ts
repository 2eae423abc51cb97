import type { Uses } from '../../ports/storage.ts';
import type { EmailTemplate } from '../templates/email-template.ts';
import { PARAM } from './parameter-catalogue.ts';
import { readParameters, smtpAccountOf, type ParameterValues } from './parameters.ts';

export type UnavailableReason =
  | 'TEMPLATE_PARAMETER_EMPTY'
  | 'TEMPLATE_MISSING'
  | 'TEMPLATE_INACTIVE'
  | 'SMTP_HOST_MISSING'
  | 'SMTP_FROM_MISSING'
  | 'SMTP_CREDENTIALS_MISSING';

export interface MessagingStatus {
  available: boolean;
  reasons: { code: UnavailableReason; message: string; fix: 'parameter-417' | 'smtp-account' }[];
  template: EmailTemplate | null;
  parameters: ParameterValues;
}

/**
 * Messaging works only while parameter 417 names an existing, active template and an SMTP account is configured
 * (CITSmart's rule). Read inside the posting transaction, so a message is never stored against a half-set state.
 */
export async function messagingStatus(
  repos: Uses<{ settings: 'getParametersWithTemplate' }>,
): Promise<MessagingStatus> {
  const stored = await repos.settings.getParametersWithTemplate(PARAM.MESSAGING_TEMPLATE);
  const parameters = await readParameters({ settings: { getParameters: async () => stored.parameters } });
  const reasons: MessagingStatus['reasons'] = [];
  let template: EmailTemplate | null = null;
  const templateId = parameters.get(PARAM.MESSAGING_TEMPLATE) as number | null;
  if (templateId == null) {
    reasons.push({
      code: 'TEMPLATE_PARAMETER_EMPTY',
      fix: 'parameter-417',
      message: 'Parameter 417 (the messaging email template) is empty.',
    });
  } else {
    template = stored.template?.id === templateId ? stored.template : null;
    if (!template) {
      reasons.push({
        code: 'TEMPLATE_MISSING',
        fix: 'parameter-417',
        message: `Parameter 417 names email template ${templateId}, which does not exist.`,
      });
    } else if (!template.active) {
      reasons.push({
        code: 'TEMPLATE_INACTIVE',
        fix: 'parameter-417',
        message: `Parameter 417 names email template ${templateId} ("${template.name}"), which is inactive.`,
      });
    }
  }
  const smtp = smtpAccountOf(parameters);
  if (!smtp.host)
    reasons.push({
      code: 'SMTP_HOST_MISSING',
      fix: 'smtp-account',
      message: 'No SMTP account is configured (the SMTP host is empty).',
    });
  if (!smtp.from)
    reasons.push({
      code: 'SMTP_FROM_MISSING',
      fix: 'smtp-account',
      message: 'The SMTP account has no sender address.',
    });
  if (smtp.auth && (!smtp.user || !smtp.passwordSet)) {
    reasons.push({
      code: 'SMTP_CREDENTIALS_MISSING',
      fix: 'smtp-account',
      message: 'The SMTP account requires authentication but has no user or password.',
    });
  }
  return { available: reasons.length === 0, reasons, template: reasons.length === 0 ? template : null, parameters };
}
