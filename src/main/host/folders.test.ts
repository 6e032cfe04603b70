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

describe('build.folders: folders under home', () => {
  const home = join(tmp.path, 'home');
  const outside = join(tmp.path, 'outside');
  mkdirSync(join(home, 'app', 'src'), { recursive: true });
  mkdirSync(join(home, 'zeta'), { recursive: true });
  mkdirSync(join(home, '.hidden'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(home, 'app', 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(home, 'notes.txt'), 'a file, not a folder\n');
  symlinkSync(outside, join(home, 'escape'));

  it('lists home\'s folders, marks those with a Dockerfile, and leaves files, hidden folders and links out', () => {
    const l = listFolders('~', home);
    expect(l.parent).toBeNull();
    expect(l.folders).toEqual([{ name: 'app', dockerfile: true }, { name: 'zeta', dockerfile: false }]);
    const app = listFolders('~/app', home);
    expect(app).toMatchObject({ path: join(home, 'app'), parent: home, dockerfile: true, folders: [{ name: 'src', dockerfile: false }] });
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
    expect(() => validateRequest('build.folders', { path: 7 })).toThrow(/expected a string/);
    expect(() => validateRequest('build.folders', { path: 'x'.repeat(5000) })).toThrow(/too long/);
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
