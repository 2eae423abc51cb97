/**
 * The accessibility audit of every page (accessibility*.test.ts, one file per language so each stays short): axe-core's
 * WCAG 2.0/2.1 A and AA rules, no serious or critical violation allowed, on every page of pages.ts and the states a
 * person meets there (a dialog open, a form showing its errors, an editor open).
 *
 * axe-core (a devDependency) is injected into the page as a script. The page's Content-Security-Policy allows only
 * the app's own scripts, so the test's browser profile bypasses it (`bypassCSP`): in the test only, never in Parley.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startParley, type Parley } from './harness.ts';
import { prepareSite, VISITS, Walker, type Locale, type Site } from './pages.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe on the page as it is now; returns its serious and critical violations, one line per element. */
export async function audit(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async (tags) => {
    const axe = (
      window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: Violation[] }> } }
    ).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map(
        (n) =>
          `${v.impact} ${v.id} (${v.help}) at ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`,
      ),
    );
}

/** Registers the audit of every page in `locale`: a real Parley with pages.ts's records, one test per page. */
export function auditEveryPage(locale: Locale): void {
  let parley: Parley;
  let browser: Browser;
  let site: Site;
  let walker: Walker;

  before(async () => {
    [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
    site = await prepareSite(parley);
    walker = new Walker(browser, () => site, locale, { bypassCSP: true });
  });

  after(async () => {
    await walker?.close();
    await browser?.close();
    await parley?.close();
  });

  describe(`every page in ${locale}`, () => {
    for (const visit of VISITS) {
      it(`${visit.name} (${visit.role}) has no serious or critical WCAG 2.1 AA violation`, async () => {
        await walker.visit(visit, async (page) => {
          assert.equal(
            await page.evaluate(() => document.documentElement.lang),
            locale,
            'the page is in the language under test',
          );
          assert.deepEqual(await audit(page), [], `${visit.name} in ${locale}`);
        });
      });
    }
  });
}
