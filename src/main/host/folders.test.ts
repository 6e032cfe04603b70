/**
 * The browser host's folder browser and the bulk remove preview, over real folders and a real
 * store: home only, links not followed out of it, the bytes a bulk remove frees as gc then frees them.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.ts';
import { storeImage, writeTar } from '../../../test/fixtures/busybox.ts';
import { tempDir } from '../../../test/tmp.ts';
import { listFolders } from './folders.ts';
import { createHandlers } from './handlers.ts';
import { validateRequest } from '../../shared/validate.ts';

const tmp = tempDir('strata-folders-');
afterAll(() => tmp.cleanup());

describe('files.browse: folders (and archives) under home or a typed root', () => {
  const home = join(tmp.path, 'home');
  const outside = join(tmp.path, 'outside');
  mkdirSync(join(home, 'app', 'src'), { recursive: true });
  mkdirSync(join(home, 'zeta'), { recursive: true });
  mkdirSync(join(home, '.hidden'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(home, 'app', 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(home, 'notes.txt'), 'a file, not a folder\n');
  symlinkSync(outside, join(home, 'escape'));
  writeFileSync(join(home, 'app', 'web.tar'), 'x'.repeat(1234));
  writeFileSync(join(home, 'app', 'web.tar.gz'), 'y'.repeat(10));
  writeFileSync(join(home, 'app', 'notes.md'), 'not an archive');
  writeFileSync(join(outside, 'secret.tar'), 'outside home');
  symlinkSync(join(outside, 'secret.tar'), join(home, 'app', 'linked.tar'));
  mkdirSync(join(outside, 'srv', 'deep'), { recursive: true });
  writeFileSync(join(outside, 'srv', 'img.tgz'), 'z');
  symlinkSync(home, join(outside, 'srv', 'to-home'));

  it('lists home\'s folders, marks those with a Dockerfile, and leaves files, hidden folders and links out', () => {
    const l = listFolders('~', home);
    expect(l.parent).toBeNull();
    expect(l.folders).toEqual([{ name: 'app', dockerfile: true }, { name: 'zeta', dockerfile: false }]);
    const app = listFolders('~/app', home);
    expect(app).toMatchObject({ path: join(home, 'app'), parent: home, dockerfile: true, folders: [{ name: 'src', dockerfile: false }], files: [] });
  });

  it('lists the archives load reads when asked, with their sizes, never through a link', () => {
    const app = listFolders('~/app', home, { archives: true });
    expect(app.files).toEqual([{ name: 'web.tar', size: 1234 }, { name: 'web.tar.gz', size: 10 }]);
    expect(app.leftOut).toBe(0);
  });

  it('browses another root when one is typed, kept inside it (no link out, no parent above it)', () => {
    const srv = listFolders('', home, { root: join(outside, 'srv'), archives: true });
    expect(srv).toMatchObject({ path: join(outside, 'srv'), root: join(outside, 'srv'), parent: null, folders: [{ name: 'deep', dockerfile: false }], files: [{ name: 'img.tgz', size: 1 }] });
    expect(listFolders(join(outside, 'srv', 'deep'), home, { root: join(outside, 'srv') }).parent).toBe(join(outside, 'srv'));
    expect(() => listFolders(join(outside, 'srv', 'to-home'), home, { root: join(outside, 'srv') })).toThrow(/is outside/);
    expect(() => listFolders(outside, home, { root: join(outside, 'srv') })).toThrow(/is outside/);
    expect(() => listFolders('', home, { root: join(outside, 'nope') })).toThrow(/no such folder/);
    expect(() => listFolders('', home, { root: 'relative' })).toThrow(/absolute/);
  });

  it('refuses a folder outside home, also through a link inside home', () => {
    expect(() => listFolders(outside, home)).toThrow(/outside your home/);
    expect(() => listFolders('~/escape', home)).toThrow(/outside your home/);
    expect(() => listFolders(join(home, 'app', '..', '..'), home)).toThrow(/outside your home/);
    expect(() => listFolders('relative/path', home)).toThrow(/absolute/);
    expect(() => listFolders('~/nope', home)).toThrow(/no such folder/);
    expect(() => listFolders('~/notes.txt', home)).toThrow(/not a folder/);
  });

  it('validates its argument in the host', () => {
    expect(() => validateRequest('files.browse', { path: 7 })).toThrow(/expected a string/);
    expect(() => validateRequest('files.browse', { path: 'x'.repeat(5000) })).toThrow(/too long/);
    expect(() => validateRequest('files.browse', { path: '', archives: 'yes' })).toThrow(/expected true/);
    expect(validateRequest('files.browse', { path: '', root: '/srv', archives: true }).params).toEqual({ path: '', root: '/srv', archives: true });
    expect(() => validateRequest('build.recent', { extra: 1 })).toThrow(/unknown field/);
    expect(() => validateRequest('images.removePreview', { refs: [''] })).toThrow(/must not be empty/);
  });
});

describe('images.removePreview: what a bulk remove deletes and frees', () => {
  it('counts the images whose every name goes, and frees what removing them then frees', async () => {
    const engine = Engine.open({ root: join(tmp.path, 'store') });
    try {
      await writeTar(join(tmp.path, 'base.tar'), [{ type: 'file', name: 'base', content: 'b'.repeat(30_000) }]);
      await writeTar(join(tmp.path, 'one.tar'), [{ type: 'file', name: 'one', content: '1'.repeat(20_000) }]);
      await writeTar(join(tmp.path, 'two.tar'), [{ type: 'file', name: 'two', content: '2'.repeat(10_000) }]);
      await storeImage(engine, [join(tmp.path, 'base.tar')], { tags: ['base:1', 'base:alias'] });
      const one = await storeImage(engine, [join(tmp.path, 'base.tar'), join(tmp.path, 'one.tar')], { tags: ['one:1'] });
      const two = await storeImage(engine, [join(tmp.path, 'base.tar'), join(tmp.path, 'two.tar')], { tags: ['two:1'] });
      const h = createHandlers(engine, { host: 'browser' }).requests;
      // base keeps base:alias, so it only loses a name; one and two go with their own layers.
      const preview = await h['images.removePreview']({ refs: ['one:1', 'two:1', 'base:1'] });
      expect(preview.deleted.map((d) => d.repoTags).sort()).toEqual([['one:1'], ['two:1']]);
      expect(preview.untagged).toEqual(['base:1']);
      // docker's bytes: the two layers' file contents (20 kB + 10 kB), the shared base not counted.
      expect(preview.spaceReclaimed).toBe(30_000);
      const before = engine.images.all().length;
      const removed = await h['images.remove']({ refs: ['one:1', 'two:1', 'base:1'], force: false });
      // docker's list: each image deleted, then each layer it released (by chain ID).
      const deleted = removed.flatMap((i) => (i.deleted ? [i.deleted] : []));
      expect(deleted).toEqual(expect.arrayContaining([one.id, two.id]));
      expect(deleted).toHaveLength(4);
      expect(engine.images.all().length).toBe(before - 2);
      // With base:alias as well, base goes too and its shared layer is freed.
      await storeImage(engine, [join(tmp.path, 'base.tar'), join(tmp.path, 'one.tar')], { tags: ['one:1'] });
      const all = await h['images.removePreview']({ refs: ['one:1', 'base:alias'] });
      expect(all.deleted.length).toBe(2);
      expect(all.spaceReclaimed).toBe(20_000 + 30_000);
    } finally {
      engine.close();
    }
  });
});
