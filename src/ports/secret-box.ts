/** Authenticated encryption for secrets at rest (the SMTP password). */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}
