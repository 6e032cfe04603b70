/// <reference lib="dom" />
/**
 * Issue 15's later items, end to end in the browser host: image actions (context menu, detail
 * header, bulk remove), transfer progress, the layer file tree, the build folder browser, the
 * shortcuts list, and screenshots of every view in both languages, both themes and two window
 * sizes with nothing overflowing. run.ts calls these with its page and helpers; each case seeds
 * what it needs, so `STRATA_E2E_ONLY=desktop` runs them alone.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { Engine } from '../src/main/engine/engine.ts';
import { storeImage, writeTar } from '../test/fixtures/busybox.ts';

export interface DesktopContext {
  page: Page;
  context: BrowserContext;
  root: string;
  tmp: string;
  shots: string;
  test: (name: string, fn: () => Promise<void | string>, page?: Page) => Promise<boolean>;
  expect: (cond: unknown, message: string) => void;
  cli: (root: string, args: string[]) => string;
  resetImages: (page: Page) => Promise<void>;
  noRawKeys: (page: Page) => Promise<void>;
}

/** Stores images with known files: one layer per image, `files` as name → bytes. */
async function seed(root: string, tmp: string, images: { tag: string; files: Record<string, number> }[]): Promise<void> {
  const engine = Engine.open({ root });
  try {
    for (const img of images) {
      if (engine.images.tryResolve(img.tag)) continue;
      const tar = join(tmp, `${img.tag.replace(/\W/g, '-')}.tar`);
      const dirs = new Set<string>();
      for (const f of Object.keys(img.files)) for (let i = f.indexOf('/'); i > 0; i = f.indexOf('/', i + 1)) dirs.add(`${f.slice(0, i)}/`);
      await writeTar(tar, [
        ...[...dirs].sort().map((name) => ({ type: 'dir' as const, name })),
        ...Object.entries(img.files).map(([name, size]) => ({ type: 'file' as const, name, content: img.tag[0]!.repeat(size) })),
      ]);
      await storeImage(engine, [tar], { tags: [img.tag], createdBy: [`COPY . / # ${img.tag}`] });
    }
  } finally {
    engine.close();
  }
}

const rowCount = (page: Page): Promise<number> => page.getByTestId('table-row').count();

export async function desktopCases(d: DesktopContext): Promise<void> {
  const { page, test, expect, cli, root, tmp } = d;
  const rows = page.getByTestId('table-row');
  const row = (text: string) => rows.filter({ hasText: text }).first();
  const filterImages = async (q: string, n: number): Promise<void> => {
    await d.resetImages(page);
    await page.getByTestId('image-filter').fill(q);
    await page.waitForFunction((want) => document.querySelectorAll('[data-testid="table-row"]').length === want, n, { timeout: 10_000 });
  };

  await test('desktop: image context menu, detail header actions and bulk remove (issue 15 #7)', async () => {
    await seed(root, tmp, [
      { tag: 'bulk-x/a:1', files: { 'a/one.bin': 30_000 } },
      { tag: 'bulk-x/b:1', files: { 'b/two.bin': 20_000 } },
      { tag: 'bulk-x/c:1', files: { 'c/three.bin': 10_000 } },
    ]);
    await d.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await filterImages('bulk-x/', 3);
    // Right-click: the toolbar's actions for that row.
    await row('bulk-x/a').click({ button: 'right' });
    await page.getByTestId('image-menu').waitFor();
    const items = await page.getByTestId('image-menu').innerText();
    for (const w of ['Run', 'Tag', 'Push', 'Save', 'Copy ID', 'Remove']) expect(items.includes(w), `menu lacks ${w}: ${items}`);
    await page.getByTestId('image-menu-copy').click();
    const id = cli(root, ['images', '--no-trunc', '-q', 'bulk-x/a:1']).trim();
    await page.waitForFunction((want) => document.querySelector('[data-testid="notice"]')?.textContent?.includes(want), id);
    expect((await page.evaluate(() => navigator.clipboard.readText())) === id, 'Copy ID puts the full ID on the clipboard');
    await row('bulk-x/a').click({ button: 'right' });
    await page.getByTestId('image-menu-tag').click();
    await page.getByTestId('tag-target').fill('bulk-x/a:copy');
    await page.getByTestId('tag-submit').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="table-row"]').length === 4);
    await page.keyboard.press('Escape');

    // Ctrl+click adds and drops a row; Shift+click picks the range (by repository: a:1, a:copy, b:1, c:1).
    await page.getByTestId('col-repository').locator('button').click();
    await row('bulk-x/a').click();
    await row('bulk-x/c').click({ modifiers: ['Control'] });
    expect((await page.getByTestId('picked-count').innerText()).startsWith('2 picked'), 'Ctrl+click picks a second row');
    await row('bulk-x/c').click({ modifiers: ['Control'] });
    expect((await page.getByTestId('picked-count').count()) === 0, 'Ctrl+click again drops it');
    await row('bulk-x/b').click();
    await row('bulk-x/c').click({ modifiers: ['Shift'] });
    expect((await page.getByTestId('picked-count').innerText()).startsWith('2 picked'), 'Shift+click picks the range b..c');
    await page.setViewportSize({ width: 1400, height: 900 });
    await d.page.screenshot({ path: join(d.shots, 'desktop-images-picked.png') });
    const button = await page.getByTestId('remove-button').innerText();
    expect(button.includes('Remove 2'), `the toolbar says how many: ${button}`);
    await page.getByTestId('remove-button').click();
    await page.getByTestId('bulk-remove-dialog').waitFor();
    await page.waitForFunction(() => /Images deleted: 2 · space freed: 30kB/.test(document.querySelector('[data-testid="bulk-remove-frees"]')?.textContent ?? ''));
    await d.page.screenshot({ path: join(d.shots, 'desktop-bulk-remove.png') });
    await page.getByTestId('bulk-remove-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="notice"]')?.textContent?.includes('Removed 2 images'));
    expect(cli(root, ['images', '-q', 'bulk-x/b']).trim() === '' && cli(root, ['images', '-q', 'bulk-x/c']).trim() === '', 'b and c are gone');

    // The detail header: Save and Remove where the image is shown.
    await filterImages('bulk-x/a:1', 1);
    await rows.first().dblclick();
    await page.getByTestId('detail-actions').waitFor();
    const header = await page.getByTestId('detail-actions').innerText();
    for (const w of ['Run', 'Tag', 'Push', 'Save', 'Remove']) expect(header.includes(w), `detail header lacks ${w}: ${header}`);
    await d.page.screenshot({ path: join(d.shots, 'desktop-detail-header.png') });
    const archive = join(tmp, 'bulk-a.tar');
    await page.getByTestId('detail-save').click();
    await page.getByTestId('archive-path').fill(archive);
    await page.getByTestId('archive-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="notice"]')?.textContent?.includes('Saved to'), undefined, { timeout: 30_000 });
    expect(existsSync(archive) && statSync(archive).size > 30_000, 'the archive was written');
    await page.getByTestId('detail-remove').click();
    await page.getByTestId('remove-submit').click();
    await page.getByTestId('images-view').waitFor();
    expect(cli(root, ['images', '-q', 'bulk-x/a:1']).trim() === '', 'removed from the header');
    cli(root, ['rmi', 'bulk-x/a:copy']);
  }, page);

  await test('desktop: load and save show bytes/total, speed and time left (issue 15 #10)', async () => {
    await seed(root, tmp, [{ tag: 'progress-x/big:1', files: { 'data/big.bin': 24_000_000 } }]);
    const archive = join(tmp, 'progress-big.tar');
    cli(root, ['save', '-o', archive, 'progress-x/big:1']);
    cli(root, ['rmi', 'progress-x/big:1']);
    await d.resetImages(page);
    // Every figure the bars show while it runs (they are gone when it ends).
    await page.evaluate(() => {
      const seen: string[] = [];
      Object.assign(window, { progressSeen: seen });
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid="progress-figures"]')) seen.push(el.textContent ?? '');
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('load-button').first().click();
    await page.getByTestId('archive-path').fill(archive);
    await page.getByTestId('archive-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="notice"]')?.textContent?.includes('Loaded'), undefined, { timeout: 60_000 });
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    const bytes = seen.filter((s) => /\d(\.\d+)?[kMG]?B\/\d+(\.\d+)?[kMG]?B/.test(s));
    expect(bytes.length > 0, `no bytes/total figure was shown: ${seen.slice(0, 5).join(' | ')}`);
    expect(seen.some((s) => /[kMG]?B\/s/.test(s)), `no speed was shown: ${seen.slice(0, 5).join(' | ')}`);
    console.log(`  info: progress figures seen: ${[...new Set(seen)].slice(0, 4).join(' | ')}`);
    cli(root, ['rmi', 'progress-x/big:1']);
  }, page);

  await test('desktop: the layer file tree folds, sizes folders, searches with their folders; <missing> and A/M/D explained (issue 15 #11 #12)', async () => {
    await seed(root, tmp, [{ tag: 'tree-x/app:1', files: { 'opt/app/a.txt': 1000, 'opt/app/b.txt': 2000, 'opt/other/c.txt': 500, 'top.txt': 10 } }]);
    await filterImages('tree-x/app', 1);
    await rows.first().dblclick();
    await page.getByTestId('history-row').first().waitFor();
    await page.getByTestId('help-missing').locator('button').click();
    const help = await page.getByTestId('help-missing').innerText();
    expect(help.includes('BuildKit') && help.includes('normal'), `the <missing> help says what docker means: ${help}`);
    await page.getByTestId('tab-files').click();
    await page.getByTestId('tree-toggle-opt').waitFor();
    const sizeOf = (path: string) => page.locator('[data-testid="table-row"]', { has: page.getByTestId(`tree-toggle-${path}`) }).getByTestId('tree-size').innerText();
    expect((await sizeOf('opt')) === '3.5kB', `opt/ holds 3.5 kB: ${await sizeOf('opt')}`);
    expect((await sizeOf('opt/app')) === '3kB', `opt/app/ holds 3 kB: ${await sizeOf('opt/app')}`);
    expect((await rowCount(page)) === 7, `every row shown: ${await rowCount(page)}`);
    await page.getByTestId('tree-toggle-opt/app').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="table-row"]').length === 5);
    await page.getByTestId('tree-collapse-all').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="table-row"]').length === 2);
    await page.getByTestId('file-filter').fill('b.txt');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="table-row"]').length === 3);
    const found = await rows.allInnerTexts();
    expect(found[0]!.includes('opt/') && found[1]!.includes('app/') && found[2]!.includes('b.txt'), `a match keeps its folders: ${found.join(' | ')}`);
    await page.getByTestId('file-filter').fill('');
    await page.getByTestId('tree-expand-all').click();
    await page.getByTestId('change-legend').locator('.helptip-button').click();
    const legend = await page.getByTestId('change-legend').innerText();
    expect(/A: added/.test(legend) && /D: deleted/.test(legend), `the legend explains the marks: ${legend}`);
    await page.setViewportSize({ width: 1400, height: 900 });
    await d.page.screenshot({ path: join(d.shots, 'desktop-file-tree.png') });
    await page.getByTestId('back').click();
    cli(root, ['rmi', 'tree-x/app:1']);
  }, page);

  await test('desktop: build folder browser under home, ~ paths and recent folders (issue 15 #9)', async () => {
    const base = mkdtempSync(join(homedir(), 'strata-e2e-browse-'));
    try {
      const proj = join(base, 'proj');
      mkdirSync(join(proj, 'sub'), { recursive: true });
      writeFileSync(join(proj, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
      writeFileSync(join(proj, 'hello.txt'), 'hello\n');
      await page.getByTestId('nav-build').click();
      await page.getByTestId('build-browse').click();
      await page.getByTestId('folder-browser').waitFor();
      await page.getByTestId('folder-home').click();
      await page.getByTestId(`folder-${basename(base)}`).click();
      await page.getByTestId('folder-proj').waitFor();
      expect((await page.getByTestId('folder-proj').innerText()).includes('Dockerfile'), 'a folder with a Dockerfile is marked');
      await d.page.screenshot({ path: join(d.shots, 'desktop-folder-browser.png') });
      await page.getByTestId('folder-proj').click();
      await page.getByTestId('folder-choose').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="build-context"]')?.textContent?.includes('Dockerfile'));
      expect((await page.getByTestId('build-path').inputValue()) === proj, 'the chosen folder is opened');
      // A folder outside home is refused by the browser, with the reason in the dialog.
      await page.getByTestId('build-path').fill('/etc');
      await page.getByTestId('build-browse').click();
      await page.getByTestId('folder-error').waitFor();
      await page.keyboard.press('Escape');
      // ~ is home, as in a shell; a built folder is then among the recent ones (from the CLI too).
      await page.getByTestId('build-path').fill(`~/${basename(base)}/proj`);
      await page.getByTestId('build-open').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="build-context"]')?.textContent?.includes('Dockerfile'));
      cli(root, ['build', '-q', '-t', 'browse-x/proj:1', proj]);
      await page.getByTestId('build-open').click();
      await page.waitForFunction((p) => [...document.querySelectorAll('[data-testid="recent-folder"]')].some((b) => b.getAttribute('title') === p), proj, { timeout: 10_000 });
      cli(root, ['rmi', 'browse-x/proj:1']);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, page);

  await test('desktop: ? lists the keyboard shortcuts (issue 15)', async () => {
    await page.getByTestId('nav-images').click();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    await page.getByTestId('shortcuts').waitFor();
    expect((await page.getByTestId('shortcut-row').count()) >= 10, 'the shortcuts are listed');
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcuts').waitFor({ state: 'detached' });
    // Typing ? in a field is just a character.
    await page.getByTestId('image-filter').fill('');
    await page.getByTestId('image-filter').press('?');
    expect((await page.getByTestId('shortcuts').count()) === 0, 'no list while typing');
    await page.getByTestId('image-filter').fill('');
  }, page);

  await test('desktop: screenshots of every view, en/ko × light/dark × 1400×900/1100×800, no label overflows (issue 15)', async () => {
    await seed(root, tmp, [{ tag: 'shots-x/web:1', files: { 'srv/www/index.html': 4000 } }]);
    const dir = join(d.shots, 'desktop');
    const project = join(tmp, 'shots-project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'Dockerfile'), '# syntax and colours in both themes\nFROM busybox:latest\nENV PORT=8080 MODE="fast"\nCOPY index.html /srv/www/\nRUN echo "ready" && chmod 644 /srv/www/index.html\nEXPOSE 8080\nCMD ["httpd", "-f", "-p", "8080"]\n');
    writeFileSync(join(project, 'index.html'), '<h1>hi</h1>\n');
    mkdirSync(dir, { recursive: true });
    // Each view opens itself; one that leaves a dialog open closes it after its screenshot.
    const views: [string, () => Promise<void>, (() => Promise<void>)?][] = [
      ['images', async () => { await d.resetImages(page); await rows.first().waitFor(); }],
      ['image-detail', async () => {
        await d.resetImages(page);
        await page.getByTestId('image-filter').fill('shots-x/web');
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="table-row"]').length === 1);
        await rows.first().dblclick();
        // The same image opens on the tab it was left on.
        await page.getByTestId('tab-history').click();
        await page.getByTestId('history-row').first().waitFor();
      }],
      ['image-files', async () => { await page.getByTestId('tab-files').click(); await page.getByTestId('tree-size').first().waitFor(); }],
      ['image-inspect', async () => { await page.getByTestId('tab-inspect').click(); await page.locator('.json-key').first().waitFor(); }],
      ['load-browser', async () => {
        await d.resetImages(page);
        await page.getByTestId('load-button').first().click();
        await page.getByTestId('archive-browse').click();
        await page.getByTestId('folder-current').waitFor();
      }, async () => {
        await page.keyboard.press('Escape');
        await page.keyboard.press('Escape');
        await page.getByTestId('archive-dialog').waitFor({ state: 'detached' });
      }],
      ['build', async () => {
        await page.getByTestId('nav-build').click();
        await page.getByTestId('build-path').fill(project);
        await page.getByTestId('build-open').click();
        await page.getByTestId('dockerfile-editor').waitFor();
      }],
      ['containers', async () => { await page.getByTestId('nav-containers').click(); await page.getByTestId('containers-view').waitFor(); }],
      ['disk', async () => { await page.getByTestId('nav-disk').click(); await page.waitForTimeout(300); }],
    ];
    const problems: string[] = [];
    let taken = 0;
    for (const [width, height] of [[1400, 900], [1100, 800]] as const) {
      await page.setViewportSize({ width, height });
      for (const locale of ['en', 'ko']) {
        await page.getByTestId('locale-select').selectOption(locale);
        for (const theme of ['light', 'dark']) {
          await page.getByTestId('theme-select').selectOption(theme);
          for (const [view, open, close] of views) {
            await open();
            await d.noRawKeys(page);
            const bad = await page.evaluate(() => {
              const out: string[] = [];
              const visible = (el: Element) => (el as HTMLElement).offsetParent !== null;
              for (const b of document.querySelectorAll('button')) {
                if (!visible(b) || b.closest('.helptip, .tree-toggle, .json-fold')) continue;
                const lh = parseFloat(getComputedStyle(b).lineHeight) || 20;
                if (b.getBoundingClientRect().height > lh * 1.8 + 12) out.push(`button wraps: ${b.textContent?.trim()}`);
                if (b.scrollWidth > b.clientWidth + 1) out.push(`button overflows: ${b.textContent?.trim()}`);
              }
              for (const th of document.querySelectorAll('th, .vtable-th')) {
                if (visible(th) && th.scrollWidth > th.clientWidth + 1) out.push(`header overflows: ${th.textContent?.trim()}`);
              }
              return out;
            });
            problems.push(...bad.map((b) => `${view} ${locale} ${theme} ${width}: ${b}`));
            await page.screenshot({ path: join(dir, `${view}-${locale}-${theme}-${width}x${height}.png`) });
            taken += 1;
            await close?.();
          }
        }
      }
    }
    await page.getByTestId('locale-select').selectOption('en');
    await page.getByTestId('theme-select').selectOption('light');
    await page.setViewportSize({ width: 1360, height: 860 });
    expect(taken === views.length * 8 && existsSync(join(dir, 'image-files-ko-dark-1100x800.png')), `screenshots taken: ${taken}`);
    expect(problems.length === 0, [...new Set(problems)].slice(0, 12).join('\n'));
    cli(root, ['rmi', 'shots-x/web:1']);
  }, page);
}
