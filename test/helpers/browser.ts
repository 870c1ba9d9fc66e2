import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, which .ci/run installs; playwright-core drives it. */
const CHROMIUM = '/usr/bin/chromium';
export const ROOT = join(__dirname, '..', '..');
/** Where the browser tests write their screenshots (the whole page each). */
export const ARTIFACTS = join(ROOT, 'test', 'artifacts');

/** Browser tests run once: in the PostgreSQL pass of CI (TEST_DATABASE_URL), where Chromium is installed. */
export const browserTestsEnabled = Boolean(process.env.TEST_DATABASE_URL) && existsSync(CHROMIUM);

/**
 * What a browser test needs before its app starts: the artifacts folder, and the built dashboard (CI builds
 * web/ with `npm run build`; a bare `jest test/browser` on a fresh clone builds it here).
 */
export function prepareDashboard(): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) execFileSync('npm', ['run', 'build:web'], { cwd: ROOT, stdio: 'inherit' });
}

/** Headless Chromium with one 1280x860 page; its console errors and uncaught exceptions are pushed to `errors`. */
export async function openBrowser(errors: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(10_000);
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return { browser, page };
}
