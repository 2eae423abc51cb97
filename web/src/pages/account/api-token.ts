/** An API token of the signed-in person, as GET /me/tokens lists it. */
export type Scope = 'read' | 'full';

export interface ApiToken {
  id: number;
  name: string;
  scope: Scope;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export const EXPIRY_CHOICES = ['', '7', '30', '90', '365'] as const;
