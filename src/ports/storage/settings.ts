import type { EmailTemplate } from '../../domain/templates/email-template.ts';

export interface TemplateRow {
  name: string;
  subject: string;
  html: string;
  text: string | null;
  active: boolean;
}

/** System parameters and email templates. */
export interface SettingsRepository {
  getParameters(): Promise<Map<number, string>>;
  /** The stored parameters and, in the same read, the template the given parameter names (if it exists). */
  getParametersWithTemplate(
    templateParameter: number,
  ): Promise<{ parameters: Map<number, string>; template: EmailTemplate | undefined }>;
  setParameter(id: number, storedValue: string | null, at: string, byUserId: number | null): Promise<void>;
  createTemplate(t: TemplateRow, at: string): Promise<EmailTemplate>;
  updateTemplate(id: number, t: TemplateRow, at: string): Promise<EmailTemplate | undefined>;
  /**
   * `lock` (inside a transaction): 'share' keeps the template from changing until commit (setting 417 to it);
   * 'update' waits for such readers (deactivating or deleting it). Where transactions are serial already, no lock.
   */
  findTemplate(id: number, lock?: 'share' | 'update'): Promise<EmailTemplate | undefined>;
  listTemplates(): Promise<EmailTemplate[]>;
  deleteTemplate(id: number): Promise<boolean>;
}
