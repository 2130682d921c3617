// npm run screenshots: the README's pictures of the HTML report, taken in headless Chromium from
// reports of bundled profiles. Writes docs/html-analyze.png and docs/html-diff.png.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumMissing, launchChromium } from './chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const missing = chromiumMissing();
if (missing !== null) throw new Error(missing);

const mapbloat = (...args) =>
  execFileSync(process.execPath, [join(root, 'bin/mapbloat.js'), ...args], { cwd: root, encoding: 'utf8' });
const leak = [0, 1, 2, 3, 4].map((i) => `fixtures/go1.24/leak_${i}.full.pb.gz`);
const reports = [
  ['docs/html-analyze.png', mapbloat('analyze', 'fixtures/go1.24/multi.full.pb.gz', '--format', 'html')],
  ['docs/html-diff.png', mapbloat('diff', ...leak, '--format', 'html')],
];

const { browser, close } = await launchChromium();
try {
  for (const scheme of ['light']) {
    for (const [file, html] of reports) {
      const page = await browser.newPage();
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
      await page.setContent(html, { waitUntil: 'load' });
      await page.screenshot({ path: join(root, file), fullPage: true });
      await page.close();
      console.log(`wrote ${file}`);
    }
  }
} finally {
  await close();
}
