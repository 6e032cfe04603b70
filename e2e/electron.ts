/**
 * The Electron launch test: the built app (out/main) on a given store, driven by Playwright's
 * `_electron`, running the smoke flow (images listed, history opens, disk usage shows). Without an
 * Electron binary (the package is installed with ELECTRON_SKIP_BINARY_DOWNLOAD and CI has no
 * network) it returns the reason it skipped, which the runner reports and counts as a skip, the
 * one skip CI=true allows (scripts/skip-policy.ts). The main process itself is tested without a
 * binary in test/electron/main.test.ts.
 */
/// <reference lib="dom" />
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron } from 'playwright-core';
import { electronBinary } from '../scripts/electron-binary.ts';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Returns a skip reason, throws on failure, resolves when the flow passed. */
export async function runElectronSmoke(root: string): Promise<string | void> {
  const bin = electronBinary();
  if (!bin) return 'not run: no Electron binary is installed (the electron package was installed without its download; `npm start` tries to fetch it)';
  const app = await electron.launch({
    executablePath: bin,
    args: [join(repo, 'out', 'main', 'index.js'), ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
    env: { ...process.env, STRATA_ROOT: root },
  });
  try {
    const win = await app.firstWindow();
    const hardened = await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require === 'undefined' && typeof (window as unknown as { strata?: unknown }).strata === 'object');
    if (!hardened) throw new Error('the renderer must have window.strata and no Node require');
    await win.getByTestId('images-view').waitFor();
    await win.waitForFunction(() => document.querySelectorAll('[data-testid="table-row"]').length > 0);
    await win.getByTestId('table-row').first().dblclick();
    await win.getByTestId('history-table').waitFor();
    await win.getByTestId('nav-disk').click();
    await win.getByTestId('compare').waitFor();
    await win.screenshot({ path: join(repo, 'e2e', 'screenshots', 'electron-disk.png') });
  } finally {
    await app.close();
  }
}
