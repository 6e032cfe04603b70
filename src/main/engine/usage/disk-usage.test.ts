import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { storeImage, writeTar } from '../../../../test/fixtures/busybox.ts';
import { diskUsage } from './disk-usage.ts';
import { useTempEngine } from '../../../../test/fixtures/engine.ts';

describe('disk usage', () => {
  const fx = useTempEngine();

  const tar = async (name: string, content: string): Promise<string> => {
    const p = join(fx.dir.path, `${name}.tar`);
    await writeTar(p, [{ type: 'file', name, content }]);
    return p;
  };

  it('counts a shared layer once and splits shared and unique bytes per image', async () => {
    const base = await tar('base', 'b'.repeat(5000));
    const a = await storeImage(fx.engine, [base, await tar('a', 'a'.repeat(3000))], { tags: ['a'] });
    const b = await storeImage(fx.engine, [base, await tar('b', 'b'.repeat(7000))], { tags: ['b'] });
    const du = diskUsage(fx.engine);
    // docker's sizes: the files' bytes (5000 + 3000 + 7000), not the tars'
    expect(du.layersSize).toBe(15000);
    expect(du.images.find((i) => i.id === a.id)).toMatchObject({ size: 8000, sharedSize: 5000, uniqueSize: 3000 });
    expect(du.images.find((i) => i.id === b.id)).toMatchObject({ size: 12000, sharedSize: 5000, uniqueSize: 7000 });
    expect(du.containers).toEqual([]);
    expect(du.buildCache).toEqual([]);
    expect(du.summary.map((r) => r.type)).toEqual(['Images', 'Containers', 'Local Volumes', 'Build Cache']);
  });

  it('counts a layer an image stacks twice once, and shares it only with another image', async () => {
    const base = await tar('base', 'b'.repeat(5000));
    const twice = await tar('twice', 't'.repeat(2000));
    const a = await storeImage(fx.engine, [base, await tar('a', 'a'.repeat(3000)), base], { tags: ['a'] });
    const b = await storeImage(fx.engine, [base], { tags: ['b'] });
    const c = await storeImage(fx.engine, [twice, twice], { tags: ['c'] });
    const du = diskUsage(fx.engine);
    expect(du.images.find((i) => i.id === a.id)).toMatchObject({ sharedSize: 5000, uniqueSize: 3000 });
    expect(du.images.find((i) => i.id === b.id)).toMatchObject({ sharedSize: 5000, uniqueSize: 0 });
    expect(du.images.find((i) => i.id === c.id)).toMatchObject({ sharedSize: 0, uniqueSize: 2000 });
    expect(du.layersSize).toBe(10000);
  });

  it('takes containers and build cache from registered providers, computing ACTIVE and RECLAIMABLE like docker', async () => {
    const base = await tar('base', 'b'.repeat(5000));
    const a = await storeImage(fx.engine, [base, await tar('a', 'a'.repeat(3000))], { tags: ['a'] });
    await storeImage(fx.engine, [base, await tar('b', 'b'.repeat(7000))], { tags: ['b'] });
    const container = (id: string, state: string, sizeRw: number) => ({ id, names: [`/${id}`], image: 'a', command: 'sh', created: 0, state, status: state, sizeRw, sizeRootFs: 0 });
    const cache = (id: string, size: number, inUse: boolean, shared: boolean) => ({ id, type: 'regular', description: '', size, createdAt: 0, lastUsedAt: 0, usageCount: 1, inUse, shared });
    const unregister = fx.engine.references.register({
      kind: 'test containers',
      containers: () => [container('c1', 'running', 100), container('c2', 'exited', 40)],
      imageUseCounts: () => new Map([[a.id, 2]]),
      buildCache: () => [cache('k1', 1000, true, false), cache('k2', 500, false, false), cache('k3', 300, false, true)],
    });
    const du = diskUsage(fx.engine);
    const imgA = du.images.find((i) => i.id === a.id)!;
    expect(imgA.containers).toBe(2);
    expect(du.summary[0]).toEqual({ type: 'Images', total: 2, active: 1, size: du.layersSize, reclaimable: du.layersSize - imgA.uniqueSize });
    expect(du.summary[1]).toEqual({ type: 'Containers', total: 2, active: 1, size: 140, reclaimable: 40 });
    expect(du.summary[3]).toEqual({ type: 'Build Cache', total: 3, active: 1, size: 1500, reclaimable: 500 });
    unregister();
    expect(diskUsage(fx.engine).summary[1]!.total).toBe(0);
  });
});
