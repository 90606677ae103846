/**
 * Shared set-up of the browser tests: the built console and portal, a server on a fresh PGlite store listening on a
 * free port, and Debian's Chromium driven by playwright-core (never a downloaded browser). Screenshots go to
 * $CUSTODIAN_SHOTS (default /tmp/custodian-shots).
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHarness, type Harness } from './harness.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = process.env.CUSTODIAN_SHOTS ?? '/tmp/custodian-shots';
const ROOT = join(import.meta.dirname, '..');

/** A harness whose server listens on 127.0.0.1 (web assets built first when missing); `base` is its URL. */
export async function listeningHarness(): Promise<{ h: Harness; base: string }> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (CI's .ci/run does) or set CHROMIUM_PATH`);
  if (!existsSync(join(ROOT, 'web', 'dist', 'console', 'index.html')) || !existsSync(join(ROOT, 'web', 'dist', 'portal', 'index.html'))) {
    execSync('npm run -s build:web', { cwd: ROOT, stdio: 'inherit' });
  }
  mkdirSync(SHOTS, { recursive: true });
  const h = await startHarness('pglite');
  await h.server.listen({ port: 0, host: '127.0.0.1' });
  const addr = h.server.server.address();
  return { h, base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'] });
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the current page: serious and critical violations, as "rule: target html" lines. `ignore` names a rule
 * and a class whose nodes are left out (for a third-party component's own ARIA, with the reason at the call).
 */
export async function axeViolations(page: Page, ignore: Array<{ rule: string; inside: string }> = []): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE);
  // The page at rest: no pointer hovering the button just clicked, fade-ins finished (text caught half faded or a
  // hover colour is a contrast failure of the moment, not of the page; spinners run forever and are left alone).
  await page.mouse.move(0, 0);
  await page.evaluate(() => { for (const a of (globalThis as unknown as { document: { getAnimations(): Array<{ finish(): void }> } }).document.getAnimations()) { try { a.finish(); } catch { /* infinite */ } } });
  await page.waitForTimeout(250); // not a script tag: the console's CSP allows no inline script
  const r = await page.evaluate(async () => (globalThis as unknown as { axe: { run(o?: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[]; html: string }> }> }> } }).axe.run());
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes
    .filter((n) => !ignore.some((i) => i.rule === v.id && n.html.includes(i.inside)))
    .map((n) => `${v.id}: ${n.target.join(' ')} ${n.html.slice(0, 160)}`));
}
