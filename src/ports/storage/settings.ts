import type { EmailTemplate } from '../../domain/templates/email-template.ts';
import type { TemplateVariant } from '../../domain/templates/template-variant.ts';

export interface TemplateRow {
  name: string;
  subject: string;
  html: string;
  text: string | null;
  /** The default variant's locale (subject, html and text are that variant). */
  locale: string;
  /** The other variants; an update replaces them all. */
  variants: TemplateVariant[];
  active: boolean;
}

/** System parameters and email templates. */
export interface SettingsRepository {
  getParameters(): Promise<ReadonlyMap<number, string>>;
  /** The stored parameters and, in the same read, the template the given parameter names (if it exists). */
  getParametersWithTemplate(
    templateParameter: number,
  ): Promise<{ parameters: Map<number, string>; template: EmailTemplate | undefined }>;
  setParameter(id: number, storedValue: string | null, at: string, byUserId: number | null): Promise<void>;
  /** A template is written with its variants in several statements: create and update inside a transaction. */
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
