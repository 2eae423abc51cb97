/**
 * Every page passes an accessibility audit (axe-core, WCAG 2.1 A and AA: no serious or critical violation), in en-US;
 * accessibility.pt-BR.test.ts and accessibility.es-ES.test.ts audit the same pages in Portuguese and Spanish. See axe.ts.
 */
import { auditEveryPage } from './axe.ts';

auditEveryPage('en-US');
