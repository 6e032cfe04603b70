/// <reference lib="dom" />
/**
 * Issue 15's remaining details, end to end in the browser host: what a D row of the layer file
 * tree hides, the host's file browser for load and save, inspect JSON folding and search, errors
 * that say what to do (in Korean too, never leading with the engine's English), the build panel's
 * failing line, tags, elapsed time and n/m steps, and links from layers and containers to images.
 * run.ts calls these with its page and helpers (`STRATA_E2E_ONLY=desktop` runs them alone).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { Engine } from '../src/main/engine/engine.ts';
import { storeImage, writeTar } from '../test/fixtures/busybox.ts';
import { ko } from '../src/renderer/src/i18n/ko.ts';
import type { DesktopContext } from './desktop.ts';

/** Three layers: the second deletes b (a whiteout), the third makes a/ opaque and adds a/new. */
async function seedLayers(root: string, tmp: string, tag: string): Promise<void> {
  const engine = Engine.open({ root });
  try {
    if (engine.images.tryResolve(tag)) return;
    const l = (n: number) => join(tmp, `hides-${n}.tar`);
    await writeTar(l(0), [
      { type: 'dir', name: 'a/' }, { type: 'file', name: 'a/big', content: 'x'.repeat(1000) },
      { type: 'file', name: 'a/keep', content: 'k'.repeat(10) }, { type: 'file', name: 'b', content: 'bbbbb' },
    ]);
    await writeTar(l(1), [{ type: 'dir', name: 'a/' }, { type: 'file', name: 'a/big', content: 'y'.repeat(2000) }, { type: 'file', name: '.wh.b', content: '' }]);
    await writeTar(l(2), [{ type: 'dir', name: 'a/' }, { type: 'file', name: 'a/.wh..wh..opq', content: '' }, { type: 'file', name: 'a/new', content: 'n' }]);
    await storeImage(engine, [l(0), l(1), l(2)], { tags: [tag], createdBy: ['ADD base /', 'RUN rm b', 'RUN make a opaque'] });
  } finally {
    engine.close();
  }
}

/** Visible text with the words allowed in Korean screens (names, units) taken out. */
const englishWords = (text: string, allowed: RegExp): string[] => text.replace(allowed, '').match(/[A-Za-z]{3,}/g) ?? [];

export async function desktopDetailCases(d: DesktopContext): Promise<void> {
  const { page, test, expect, cli, root, tmp } = d;
  const rows = page.getByTestId('table-row');
  const openImage = async (name: string): Promise<void> => {
    await d.resetImages(page);
    await page.getByTestId('image-filter').fill(name);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="table-row"]').length === 1, undefined, { timeout: 10_000 });
    await rows.first().dblclick();
    await page.getByTestId('detail-actions').waitFor();
  };
  const setLocale = (locale: 'en' | 'ko') => page.getByTestId('locale-select').selectOption(locale);
  const hides = () => page.getByTestId('tree-hides').allInnerTexts();

  await test('desktop: a D row says what it hides, from which layer; an opaque folder its lower contents (issue 15 #11)', async () => {
    await seedLayers(root, tmp, 'hides-x/app:1');
    await openImage('hides-x/app');
    await page.getByTestId('tab-files').click();
    await page.getByTestId('layer-1').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="tree-hides"]').length === 1);
    expect((await hides())[0] === 'hides /b (5B) from layer 1', `the whiteout of b: ${await hides()}`);
    await page.getByTestId('layer-2').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="tree-hides"]')?.textContent?.includes('contents'));
    const opaque = (await hides())[0]!;
    expect(opaque === 'hides the contents of /a/ from layers below (2 files, 2.01kB, from layers 1, 2)', `the opaque a/: ${opaque}`);
    // One row for a/: the folder, marked D, with its new file under it.
    const tree = await rows.allInnerTexts();
    expect(tree.length === 2 && /^D\s+▾?\s*a\//.test(tree[0]!) && /A\s+new/.test(tree[1]!), `rows: ${tree.join(' | ')}`);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.screenshot({ path: join(d.shots, 'desktop-file-tree-hides.png') });
    await setLocale('ko');
    try {
      await page.waitForFunction(() => document.querySelector('[data-testid="tree-hides"]')?.textContent?.includes('숨깁니다'));
      const words = englishWords((await hides())[0]!, /\/a\/|kB/g);
      expect(words.length === 0, `Korean note has English: ${await hides()}`);
    } finally {
      await setLocale('en');
    }
  }, page);

  await test('desktop: layer users and container images are links to the image (issue 15 #7)', async () => {
    await seedLayers(root, tmp, 'hides-x/app:1');
    cli(root, ['tag', 'hides-x/app:1', 'hides-x/alias:1']);
    const base = join(tmp, 'links-base.tar');
    await writeTar(base, [{ type: 'file', name: 'only', content: 'o' }]);
    const engine = Engine.open({ root });
    try {
      // Shares the first layer of hides-x/app:1.
      await storeImage(engine, [join(tmp, 'hides-0.tar'), base], { tags: ['links-x/other:1'] });
    } finally {
      engine.close();
    }
    await openImage('links-x/other');
    await page.getByTestId('tab-layers').click();
    await page.getByTestId('layer-user').first().click();
    await page.waitForFunction(() => document.querySelector('[data-testid="image-detail"] h1')?.textContent?.includes('hides-x/'));
    cli(root, ['create', '--name', 'linker', 'links-x/other:1', 'true']);
    try {
      await page.getByTestId('nav-containers').click();
      await page.locator('[data-testid="container-row"]', { hasText: 'linker' }).getByTestId('container-image').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="image-detail"] h1')?.textContent?.includes('links-x/other:1'));
    } finally {
      cli(root, ['rm', 'linker']);
      cli(root, ['rmi', 'links-x/other:1', 'hides-x/alias:1']);
    }
  }, page);

  await test('desktop: load and save browse the host\'s files under home or a typed root, never through a link (issue 15 #9)', async () => {
    await seedLayers(root, tmp, 'hides-x/app:1');
    const base = mkdtempSync(join(homedir(), 'strata-e2e-files-'));
    const elsewhere = mkdtempSync(join(tmp, 'elsewhere-'));
    try {
      mkdirSync(join(base, 'archives'));
      writeFileSync(join(base, 'archives', 'notes.txt'), 'not an archive');
      cli(root, ['save', '-o', join(base, 'archives', 'old.tar'), 'hides-x/app:1']);
      writeFileSync(join(elsewhere, 'outside.tar'), 'x');
      symlinkSync(homedir(), join(elsewhere, 'to-home'));
      const intoArchives = async (): Promise<void> => {
        await page.getByTestId('archive-browse').click();
        await page.getByTestId('folder-browser').waitFor();
        await page.getByTestId('folder-home').click();
        await page.getByTestId(`folder-${basename(base)}`).click();
        await page.getByTestId('folder-archives').click();
        await page.getByTestId('file-old.tar').waitFor();
      };

      // Save: a folder and a file name; the archives there are listed, other files are not.
      await openImage('hides-x/app');
      await page.getByTestId('detail-save').click();
      await intoArchives();
      expect((await page.getByTestId('file-notes.txt').count()) === 0, 'only archives are listed');
      expect((await page.getByTestId('browse-name').inputValue()) === 'hides-x_app_1.tar', 'the name starts as the image\'s');
      await page.getByTestId('browse-name').fill('old.tar');
      await page.getByTestId('browse-replaces').waitFor();
      await page.getByTestId('browse-name').fill('saved.tar');
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.screenshot({ path: join(d.shots, 'desktop-save-browser.png') });
      await page.getByTestId('folder-choose').click();
      const saved = join(base, 'archives', 'saved.tar');
      expect((await page.getByTestId('archive-path').inputValue()) === saved, 'the chosen path is filled in');
      await page.getByTestId('archive-submit').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="notice"]')?.textContent?.includes('Saved to'), undefined, { timeout: 30_000 });
      expect(existsSync(saved) && statSync(saved).size > 3000, 'the archive was written where chosen');

      // Load: pick the archive; Escape closes the browser, not the dialog under it.
      cli(root, ['rmi', 'hides-x/app:1']);
      await d.resetImages(page);
      await page.getByTestId('load-button').first().click();
      await intoArchives();
      await page.keyboard.press('Escape');
      await page.getByTestId('folder-browser').waitFor({ state: 'detached' });
      expect((await page.getByTestId('archive-dialog').count()) === 1, 'the load dialog stays');
      await intoArchives();
      await page.getByTestId('file-saved.tar').click();
      await page.getByTestId('folder-choose').click();
      expect((await page.getByTestId('archive-path').inputValue()) === saved, 'the picked archive is the path');
      await page.getByTestId('archive-submit').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="notice"]')?.textContent?.includes('Loaded'), undefined, { timeout: 30_000 });
      expect(cli(root, ['images', '-q', 'hides-x/app:1']).trim() !== '', 'loaded back');

      // A path outside home is refused until another root is typed; that root holds the listing, links included.
      await page.getByTestId('load-button').first().click();
      await page.getByTestId('archive-path').fill(join(elsewhere, 'outside.tar'));
      await page.getByTestId('archive-browse').click();
      await page.getByTestId('folder-error').waitFor();
      await page.getByTestId('browse-root').fill(elsewhere);
      await page.getByTestId('browse-root-go').click();
      await page.getByTestId('file-outside.tar').waitFor();
      expect((await page.getByTestId('folder-to-home').count()) === 0, 'a link is not offered as a folder');
      expect((await page.getByTestId('folder-up').isDisabled()), 'nothing above the typed root');
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      await page.getByTestId('archive-dialog').waitFor({ state: 'detached' });
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, page);

  await test('desktop: inspect JSON folds and searches, and copies the whole text (issue 15 #14)', async () => {
    await seedLayers(root, tmp, 'hides-x/app:1');
    await d.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await openImage('hides-x/app');
    await page.getByTestId('tab-inspect').click();
    const lines = () => page.locator('[data-testid="inspect-json"] .json-line').count();
    await page.locator('.json-key').first().waitFor();
    const all = await lines();
    await page.getByTestId('inspect-json-collapse').click();
    const folded = await lines();
    expect(folded < all / 2, `collapse all folds: ${all} → ${folded}`);
    const foldedText = (await page.getByTestId('inspect-json-folded').allInnerTexts()).join(' | ');
    expect(/… \d+ keys?/.test(foldedText) && /… \d+ items?/.test(foldedText), `folded blocks say how many keys or items: ${foldedText}`);
    // A match inside a folded block (RootFS) unfolds it and is the current, highlighted one.
    // (A key with its colon: the search is case-insensitive, so "layers" alone also finds RootFS's Type.)
    await page.getByTestId('inspect-json-search').fill('"Layers":');
    await page.waitForFunction(() => document.querySelector('[data-testid="inspect-json-count"]')?.textContent?.trim() === '1 of 1');
    const current = page.locator('.json-hit.current');
    const hit = (await current.allInnerTexts()).join('');
    expect(hit === '"Layers":' && (await current.first().boundingBox()) !== null, `the match is shown, highlighted: ${hit}`);
    expect((await lines()) > folded, 'its block was unfolded');
    await page.getByTestId('inspect-json-search').fill('sha256:');
    const count = () => page.getByTestId('inspect-json-count').innerText();
    await page.waitForFunction(() => /^1 of [2-9]\d*$/.test(document.querySelector('[data-testid="inspect-json-count"]')?.textContent?.trim() ?? ''));
    const total = Number((await count()).split(' of ')[1]);
    expect(total >= 4, `Id and three layers at least: ${total}`);
    await page.getByTestId('inspect-json-search').press('Enter');
    expect((await count()) === `2 of ${total}`, `Enter goes to the next: ${await count()}`);
    await page.getByTestId('inspect-json-search').press('Shift+Enter');
    await page.getByTestId('inspect-json-prev').click();
    expect((await count()) === `${total} of ${total}`, `previous wraps around: ${await count()}`);
    expect((await page.locator('.json-hit').count()) === total, 'every match is highlighted');
    await page.getByTestId('theme-select').selectOption('dark');
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.screenshot({ path: join(d.shots, 'desktop-inspect-search-dark.png') });
    await page.getByTestId('theme-select').selectOption('light');
    await page.getByTestId('inspect-json-copy').click();
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { Id: string; RootFS: { Layers: string[] } };
    const id = cli(root, ['images', '--no-trunc', '-q', 'hides-x/app:1']).trim();
    expect(copied.Id === id && copied.RootFS.Layers.length === 3, 'the whole JSON is copied, folded or not');
    await page.getByTestId('inspect-json-search').fill('');
  }, page);

  await test('desktop: errors say what to do next, beside their cause, in Korean without the engine\'s English (issue 15 #8)', async () => {
    await seedLayers(root, tmp, 'hides-x/app:1');
    await setLocale('ko');
    try {
      await openImage('hides-x/app');
      await page.getByTestId('detail-tag').click();
      await page.getByTestId('tag-target').fill('My App:v1!');
      await page.getByTestId('tag-submit').click();
      const box = page.getByTestId('tag-dialog').locator('[role="alert"]');
      await box.waitFor();
      const text = await box.innerText();
      expect(text.includes(ko.errors.why.referenceFormat), `the reason and the fix, in the dialog: ${text}`);
      expect(englishWords(text, /my-app:v1/g).length === 0, `no English shown: ${text}`);
      // The engine's words are there when asked for.
      await box.locator('summary').click();
      expect((await box.innerText()).includes('invalid reference format'), 'the original is one click away');
      await page.keyboard.press('Escape');

      await d.resetImages(page);
      await page.getByTestId('pull-button').click();
      await page.getByTestId('pull-ref').fill('nohost.invalid/x:1');
      await page.getByTestId('pull-submit').click();
      const banner = page.getByTestId('error');
      await banner.waitFor({ timeout: 30_000 });
      const pull = await banner.innerText();
      expect(pull.includes(ko.errors.why.noSuchHost.replace('{host}', 'nohost.invalid')), `unknown host: ${pull}`);
      expect(englishWords(pull, /nohost\.invalid|DNS/g).length === 0, `no English shown: ${pull}`);
      await banner.getByRole('button').last().click();
    } finally {
      await setLocale('en');
    }
  }, page);

  await test('desktop: build marks the failing line, refuses tags with spaces beside the field, shows elapsed time and n/m steps (issue 15 #8 #9)', async () => {
    const project = mkdtempSync(join(tmp, 'failing-'));
    writeFileSync(join(project, 'Dockerfile'), 'FROM scratch\nFORM nothing\nCOPY a.txt /a.txt\n');
    writeFileSync(join(project, 'a.txt'), 'a\n');
    await page.getByTestId('nav-build').click();
    await page.getByTestId('build-path').fill(project);
    await page.getByTestId('build-open').click();
    await page.getByTestId('dockerfile-editor').waitFor();
    await page.getByTestId('build-tags').fill('my app:1');
    await page.getByTestId('build-tags-error').waitFor();
    expect((await page.getByTestId('build-tags-error').innerText()).includes('“my app:1”'), 'the refused tag is named');
    expect(await page.getByTestId('build-start').isDisabled(), 'no build with a bad tag');
    await page.getByTestId('build-tags').fill('fail-x/app:1, fail-x/app:latest');
    expect((await page.getByTestId('build-tags-error').count()) === 0, 'commas separate tags');
    await setLocale('ko');
    try {
      await page.getByTestId('build-start').click();
      await page.getByTestId('build-failure').waitFor({ timeout: 30_000 });
      const failure = await page.getByTestId('build-failure').innerText();
      expect(failure.includes(ko.errors.why.dockerfileLine.replace('{line}', '2')), `line 2 named in Korean: ${failure}`);
      expect(englishWords(failure, /Dockerfile/g).length === 0, `no English shown: ${failure}`);
      await page.locator('[data-testid="editor-error-line"]').waitFor();
      const marked = await page.locator('[data-testid="editor-error-line"]').innerText();
      expect(marked === 'FORM nothing', `the failing line is marked: ${marked}`);
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.screenshot({ path: join(d.shots, 'desktop-build-failed-line-ko.png') });
      // An edit above moves the mark with its line; editing the line itself clears it.
      await page.locator('.cm-line').first().click();
      await page.keyboard.press('Home');
      await page.keyboard.type('# top\n');
      expect((await page.locator('[data-testid="editor-error-line"]').innerText()) === 'FORM nothing', 'the mark follows its line');
      await page.locator('[data-testid="editor-error-line"]').click();
      await page.keyboard.press('End');
      await page.keyboard.type('!');
      await page.waitForFunction(() => !document.querySelector('[data-testid="editor-error-line"]'));
    } finally {
      await setLocale('en');
    }
    writeFileSync(join(project, 'Dockerfile'), 'FROM scratch\nCOPY a.txt /a.txt\nCOPY a.txt /b.txt\n');
    await page.getByTestId('build-open').click();
    await page.waitForFunction(() => !document.querySelector('.cm-content')?.textContent?.includes('FORM'));
    await page.getByTestId('build-start').click();
    await page.getByTestId('build-result').waitFor({ timeout: 60_000 });
    const elapsed = page.getByTestId('build-elapsed');
    const [done, total] = [await elapsed.getAttribute('data-done'), await elapsed.getAttribute('data-total')];
    const line = await elapsed.innerText();
    expect(Number(total) >= 2 && done === total, `every step done: ${done}/${total}`);
    expect(new RegExp(`^Finished in \\d+\\.\\d s \\(${done}/${total} steps\\)$`).test(line), `elapsed and n/m: ${line}`);
    expect(cli(root, ['images', '--format', '{{.Tag}}', 'fail-x/app']).trim().split('\n').sort().join(',') === '1,latest', 'both tags made');
    cli(root, ['rmi', 'fail-x/app:1', 'fail-x/app:latest']);
  }, page);
}
