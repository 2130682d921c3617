/// <reference lib="dom" />
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium } from '../../scripts/chromium.mjs';
import { fixture } from '../helpers.js';
import { HOSTILE, hostileProfile, html } from './html-helpers.js';

// The reports in a real browser: Debian's Chromium, driven by puppeteer-core. CI installs it
// (.ci/run); elsewhere, without it, this file is skipped and says how to install it.
const missing = chromiumMissing();
if (missing !== null) console.warn(`skipping the browser tests of the HTML report: ${missing}`);

describe.skipIf(missing !== null)(
  `the HTML report in Chromium${missing === null ? '' : ` (skipped: ${missing})`}`,
  () => {
    let browser: Browser;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ browser, close } = await launchChromium());
    }, 30_000);
    afterAll(async () => close?.());

    /** Opens a report as a page, failing on any request that would leave it, any error, any dialog. */
    async function open(page: string): Promise<{ tab: Page; problems: string[] }> {
      const tab = await browser.newPage();
      const problems: string[] = [];
      await tab.setRequestInterception(true);
      tab.on('request', (request) => {
        if (/^(data|about):/.test(request.url())) return void request.continue();
        problems.push(`request ${request.url()}`);
        void request.abort();
      });
      tab.on('pageerror', (err) => problems.push(`error ${String(err)}`));
      tab.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warn') problems.push(`console ${message.text()}`);
      });
      tab.on('dialog', (dialog) => {
        problems.push(`dialog ${dialog.message()}`);
        void dialog.dismiss();
      });
      await tab.setViewport({ width: 1280, height: 900 });
      await tab.setContent(page, { waitUntil: 'load' });
      return { tab, problems };
    }

    const cells = (tab: Page, row: number) =>
      tab.$$eval(`#sites tbody tr:nth-child(${row}) td`, (tds) => tds.map((td) => td.textContent));
    const size = (tab: Page, selector: string) =>
      tab.$eval(selector, (el) => {
        const r = el.getBoundingClientRect();
        return [Math.round(r.width), Math.round(r.height)];
      });

    it('analyze: the top site and its values, bars and a flame graph drawn, sorting by a column', async () => {
      const { tab, problems } = await open(await html(['analyze', fixture('go1.24/multi.full.pb.gz')]));
      expect((await cells(tab, 1)).slice(0, 5)).toEqual([
        '1',
        'main.Index[...]',
        'mapbloat.test/multi/main.go:45',
        '20.0 MiB',
        '78.7%',
      ]);
      const [barWidth] = await size(tab, '#top-sites .track span');
      expect(barWidth).toBeGreaterThan(100);
      const [flameWidth, flameHeight] = await size(tab, '#flame');
      expect([flameWidth > 500, flameHeight >= 18 * 12]).toEqual([true, true]);
      expect(await tab.$$eval('#flame .k-owner', (els) => els.map((e) => e.textContent))).toContain(
        'main.(*Registry).Register',
      );
      expect(await tab.$eval('.status', (el) => el.textContent)).toBe('7 of 7 sites shown');

      // alloc_objects, largest first: main.Index has 1,026 objects, Register 531.
      await tab.$$eval('#sites th', (ths) =>
        (ths.find((th) => th.textContent === 'alloc_objects') as HTMLElement).click(),
      );
      expect((await cells(tab, 1)).slice(0, 2)).toEqual(['1', 'main.Index[...]']);
      await tab.$$eval('#sites th', (ths) => (ths.find((th) => th.textContent === 'owner') as HTMLElement).click());
      expect((await cells(tab, 1)).slice(0, 2)).toEqual(['2', 'main.(*Registry).Register']);
      await tab.type('#sites input[type=search]', 'buildLookup');
      expect(await tab.$$eval('#sites tbody tr', (rows) => rows.length)).toBe(2);
      expect(await tab.$eval('.status', (el) => el.textContent)).toBe('2 of 2 matching of 7 sites shown');
      expect(problems).toEqual([]);
    });

    it('diff: the totals over time and a chart per site drawn, sorting by delta, breaches on top', async () => {
      const leak = [0, 1, 2, 3, 4].map((i) => fixture(`go1.24/leak_${i}.full.pb.gz`));
      const { tab, problems } = await open(await html(['diff', ...leak, '--max-growth', '1MiB']));
      expect((await cells(tab, 1)).slice(0, 6)).toEqual([
        '1',
        'main.(*Server).remember',
        'mapbloat.test/leak/main.go:49',
        '3.0 MiB',
        '24.0 MiB',
        '+21.0 MiB',
      ]);
      const [w, h] = await size(tab, '#totals-chart canvas');
      expect([w > 500, h > 100]).toEqual([true, true]);
      expect(
        await tab.$$eval(
          '[data-site-chart] canvas',
          (els) => els.filter((c) => c.getBoundingClientRect().width > 100).length,
        ),
      ).toBe(7);
      expect(await tab.$eval('.breaches', (el) => getComputedStyle(el).color)).toBe('rgb(198, 40, 40)');
      // Smallest delta first after two clicks: writeHeapProfiles' 0 B comes after the flat ones by rank.
      const delta = () =>
        tab.$$eval('#sites th', (ths) => (ths.find((th) => th.textContent === 'delta') as HTMLElement).click());
      await delta();
      expect((await cells(tab, 1))[1]).toBe('main.(*Server).remember');
      await delta();
      expect((await cells(tab, 1)).slice(0, 2)).toEqual(['3', 'main.warmUpProfiler']);
      expect(problems).toEqual([]);
    });

    it('a hostile function name stays text: no dialog, no script of its own', async () => {
      const { tab, problems } = await open(await html(['analyze', '-'], { stdin: hostileProfile() }));
      expect((await cells(tab, 1))[1]).toBe(HOSTILE);
      expect(await tab.$$eval('script', (s) => s.length)).toBe(2);
      await tab.$eval('#flame .k-owner', (el) => (el as HTMLElement).click());
      expect(await tab.$$eval('#flame .k-owner', (els) => els.map((e) => e.textContent))).toEqual([HOSTILE]);
      expect(problems).toEqual([]);
    });
  },
);
