/** Every page passes the accessibility audit of axe.ts in pt-BR (see accessibility.test.ts). */
import { auditEveryPage } from './axe.ts';

auditEveryPage('pt-BR');
