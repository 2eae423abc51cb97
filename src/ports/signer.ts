/** Keyed signatures (HMAC with the install's secret key) for tokens that travel outside, like reply addresses. */
export interface Signer {
  /** Lower-case hex, so it survives mail systems that fold the case of addresses. */
  sign(data: string): string;
}
