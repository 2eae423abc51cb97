/** Every page passes the accessibility audit of axe.ts in es-ES (see accessibility.test.ts). */
import { auditEveryPage } from './axe.ts';

auditEveryPage('es-ES');
