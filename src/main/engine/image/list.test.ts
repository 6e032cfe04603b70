import { describe, expect, it } from 'vitest';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine.ts';
import { baseConfig, writeTar } from '../../../../test/fixtures/busybox.ts';
import { tempDir } from '../../../../test/tmp.ts';
import { ingestLayer } from '../layer/layer-ingest.ts';
import { writeImage } from './image-writer.ts';
import { listImages, parseFilters } from './list.ts';
import { imageHistory } from './history.ts';
import { removeImage } from './prune.ts';
import type { LayerInput } from './image-service.ts';
import { useTempEngine } from '../../../../test/fixtures/engine.ts';

describe('image listing and history over parent chains', () => {
  const fx = useTempEngine();

  const layer = async (name: string): Promise<LayerInput> => {
    const p = join(fx.dir.path, `${name}.tar`);
    await writeTar(p, [{ type: 'file', name, content: `${name}\n` }]);
    const l = await ingestLayer(fx.engine.content, createReadStream(p));
    return { blobDigest: l.blob.digest, blobSize: l.blob.size, compression: l.compression, diffId: l.diffId, size: l.size, diffSize: l.diffSize, files: l.files };
  };

  /** base ← mid (untagged, parent recorded) ← top; the way a classic build chains images. */
  const chain = async () => {
    const l1 = await layer('one');
    const l2 = await layer('two');
    const h1 = { created: '2024-01-01T00:00:00Z', created_by: 'ADD one' };
    const h2 = { created: '2024-01-02T00:00:00Z', created_by: 'ADD two' };
    const h3 = { created: '2024-01-03T00:00:00Z', created_by: 'LABEL x=y', empty_layer: true };
    return fx.engine.gc.withLease(async () => {
      const base = await writeImage(fx.engine.content, fx.engine.images, { config: baseConfig({ created: h1.created, history: [h1] }), layers: [l1], tags: ['base'] });
      const mid = await writeImage(fx.engine.content, fx.engine.images, { config: baseConfig({ created: h2.created, history: [h1, h2] }), layers: [l1, l2], parentId: base.id });
      const top = await writeImage(fx.engine.content, fx.engine.images, {
        config: baseConfig({ created: h3.created, history: [h1, h2, h3], config: { Labels: { x: 'y' } } }),
        layers: [l1, l2],
        parentId: mid.id,
        tags: ['top:1'],
      });
      return { base, mid, top };
    });
  };

  it('hides intermediate images unless all; filters by label and dangling', async () => {
    const { base, mid, top } = await chain();
    expect(listImages(fx.engine).map((i) => i.id)).toEqual([top.id, base.id]);
    expect(listImages(fx.engine, { all: true }).map((i) => i.id)).toEqual([top.id, mid.id, base.id]);
    expect(listImages(fx.engine, { filters: parseFilters(['label=x=y']) }).map((i) => i.id)).toEqual([top.id]);
    expect(listImages(fx.engine, { filters: parseFilters(['label=x=z']) })).toEqual([]);
    expect(listImages(fx.engine, { all: true, filters: parseFilters(['dangling=true']) })).toEqual([]);
    expect(listImages(fx.engine, { all: true, filters: parseFilters(['dangling=false']) }).map((i) => i.id)).toEqual([top.id, base.id]);
    expect(() => listImages(fx.engine, { filters: parseFilters(['name=value']) })).toThrow("Invalid filter 'name'");
    expect(() => listImages(fx.engine, { filters: parseFilters(['dangling=maybe']) })).toThrow("Invalid filter 'dangling=[maybe]'");
  });

  it('history walks the parent chain like moby, giving each step its image and tags', async () => {
    const { base, mid, top } = await chain();
    const h = imageHistory(fx.engine, 'top:1');
    expect(h.map((e) => [e.id, e.createdBy, e.emptyLayer, e.tags])).toEqual([
      [top.id, 'LABEL x=y', true, ['top:1']],
      [mid.id, 'ADD two', false, []],
      [base.id, 'ADD one', false, ['base:latest']],
    ]);
    expect(h[0]!.size).toBe(0);
    expect(h[1]!.size).toBe('two\n'.length);
  });
});

describe('rmi prunes untagged parents', () => {
  it('deleting the top of a chain deletes its untagged parent too, unless noPrune', async () => {
    const dir = tempDir();
    const engine = Engine.open({ root: join(dir.path, 'store') });
    try {
      const layer = async (name: string): Promise<LayerInput> => {
        const p = join(dir.path, `${name}.tar`);
        await writeTar(p, [{ type: 'file', name, content: name }]);
        const l = await ingestLayer(engine.content, createReadStream(p));
        return { blobDigest: l.blob.digest, blobSize: l.blob.size, compression: l.compression, diffId: l.diffId, size: l.size, diffSize: l.diffSize, files: l.files };
      };
      const { mid, top, other } = await engine.gc.withLease(async () => {
        const l1 = await layer('one');
        const l2 = await layer('two');
        const h = (n: number) => Array.from({ length: n }, (_, i) => ({ created_by: `step ${i}` }));
        const mid = await writeImage(engine.content, engine.images, { config: baseConfig({ history: h(1) }), layers: [l1] });
        const top = await writeImage(engine.content, engine.images, { config: baseConfig({ history: h(2) }), layers: [l1, l2], parentId: mid.id, tags: ['top'] });
        const other = await writeImage(engine.content, engine.images, { config: baseConfig({ history: h(2), author: 'x' }), layers: [l1, l2], parentId: mid.id, tags: ['other'] });
        return { mid, top, other };
      });
      expect(removeImage(engine, 'top')).toEqual([{ untagged: 'top:latest' }, { deleted: top.id }]);
      expect(engine.images.get(mid.id)).toBeDefined(); // still the parent of `other`
      const [c1, c2] = engine.images.layers(other.id).map((l) => l.chainId);
      expect(removeImage(engine, 'other')).toEqual([{ untagged: 'other:latest' }, { deleted: other.id }, { deleted: c2 }, { deleted: mid.id }, { deleted: c1 }]);
      await engine.gc.collect();
      expect(await engine.content.list()).toEqual([]);
    } finally {
      engine.close();
      dir.cleanup();
    }
  });
});
