/**
 * Shared set-up of the browser tests: the built console and portal, a server on a fresh PGlite store listening on a
 * free port, and Debian's Chromium driven by playwright-core (never a downloaded browser). Screenshots go to
 * $CUSTODIAN_SHOTS (default /tmp/custodian-shots).
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
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
