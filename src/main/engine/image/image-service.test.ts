import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { storeImage, writeTar, writeBusyboxRootfs, busyboxMissing } from '../../../../test/fixtures/busybox.ts';
import { useTempEngine } from '../../../../test/fixtures/engine.ts';

describe('image records over the content store', () => {
  const fx = useTempEngine();

  it('shares a base layer between two images and stores it once', async ({ skip }) => {
    if (busyboxMissing()) skip(busyboxMissing());
    const base = join(fx.dir.path, 'base.tar');
    const top1 = join(fx.dir.path, 'top1.tar');
    const top2 = join(fx.dir.path, 'top2.tar');
    await writeBusyboxRootfs(base);
    await writeTar(top1, [{ type: 'file', name: 'a.txt', content: 'one\n' }]);
    await writeTar(top2, [{ type: 'file', name: 'b.txt', content: 'two two\n' }]);
    const a = await storeImage(fx.engine, [base, top1], { tags: ['a'] });
    const b = await storeImage(fx.engine, [base, top2], { tags: ['b:v1'] });
    expect(a.repoTags).toEqual(['a:latest']);
    expect(b.repoTags).toEqual(['b:v1']);
    const la = fx.engine.images.layers(a.id);
    const lb = fx.engine.images.layers(b.id);
    expect(la[0]!.diffId).toBe(lb[0]!.diffId);
    expect(la[0]!.chainId).toBe(la[0]!.diffId);
    expect(la[1]!.chainId).not.toBe(la[1]!.diffId);
    const blobFiles = await fx.engine.content.list();
    // base layer once, two top layers, two configs, two manifests
    expect(blobFiles).toHaveLength(7);
    expect(la[1]!.diffSize).toBe('one\n'.length);
    expect(a.size).toBe(la[0]!.diffSize + la[1]!.diffSize);
  });

  it('resolves names, IDs and unique prefixes like docker', async () => {
    const t = join(fx.dir.path, 'l.tar');
    await writeTar(t, [{ type: 'file', name: 'x', content: 'x' }]);
    const img = await storeImage(fx.engine, [t], { tags: ['docker.io/library/jam:1', 'user/repo'] });
    expect(fx.engine.images.resolve('jam:1')).toBe(img.id);
    expect(fx.engine.images.resolve('index.docker.io/library/jam:1')).toBe(img.id);
    expect(fx.engine.images.resolve('user/repo:latest')).toBe(img.id);
    expect(fx.engine.images.resolve(img.id)).toBe(img.id);
    expect(fx.engine.images.resolve(img.id.slice(7, 15))).toBe(img.id);
    expect(() => fx.engine.images.resolve('nope')).toThrow('No such image: nope');
  });

  it('rmi untags a name while others remain, then deletes, and gc frees unshared layers', async () => {
    const t = join(fx.dir.path, 'l.tar');
    await writeTar(t, [{ type: 'file', name: 'x', content: 'hello' }]);
    const img = await storeImage(fx.engine, [t], { tags: ['one', 'two'] });
    expect(() => fx.engine.images.remove(img.id)).toThrow(/referenced in multiple repositories/);
    expect(fx.engine.images.remove('one')).toEqual([{ untagged: 'one:latest' }]);
    const chain = fx.engine.images.layers(img.id)[0]!.chainId;
    const items = fx.engine.images.remove('two');
    // moby's answer: the image, then each layer no image holds any more, by chain ID
    expect(items).toEqual([{ untagged: 'two:latest' }, { deleted: img.id }, { deleted: chain }]);
    const res = await fx.engine.gc.collect();
    expect(res.layersRemoved).toHaveLength(1);
    expect(await fx.engine.content.list()).toEqual([]);
    const report = await fx.engine.fsck();
    expect(report.problems).toEqual([]);
  });

  it('moving a tag leaves the old image dangling', async () => {
    const t1 = join(fx.dir.path, '1.tar');
    const t2 = join(fx.dir.path, '2.tar');
    await writeTar(t1, [{ type: 'file', name: 'x', content: '1' }]);
    await writeTar(t2, [{ type: 'file', name: 'x', content: '2' }]);
    const old = await storeImage(fx.engine, [t1], { tags: ['app'] });
    const neu = await storeImage(fx.engine, [t2], { tags: ['app'] });
    expect(fx.engine.images.get(old.id)!.repoTags).toEqual([]);
    expect(fx.engine.images.get(neu.id)!.repoTags).toEqual(['app:latest']);
  });
});
