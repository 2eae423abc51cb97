import type { SmtpAccount, SmtpSecurity } from '../../../types.ts';

/** The SMTP account form's fields as typed (the port as text, the stored password never shown). */
export interface Form {
  host: string;
  port: string;
  security: SmtpSecurity;
  auth: boolean;
  user: string;
  password: string;
  from: string;
  fromName: string;
  allowInvalidCertificate: boolean;
}

export function formOf(a: SmtpAccount): Form {
  return {
    host: a.host ?? '',
    port: String(a.port),
    security: a.security,
    auth: a.auth,
    user: a.user ?? '',
    password: '',
    from: a.from ?? '',
    fromName: a.fromName ?? '',
    allowInvalidCertificate: a.allowInvalidCertificate,
  };
}
