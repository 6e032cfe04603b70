import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { storeImage, writeTar } from '../../../../test/fixtures/busybox.ts';
import { useTempEngine } from '../../../../test/fixtures/engine.ts';
import { errorCode } from '../../../shared/errors.ts';

describe('references: what services hold', () => {
  const fx = useTempEngine();

  const image = async (name: string) => {
    const p = join(fx.dir.path, `${name}.tar`);
    await writeTar(p, [{ type: 'file', name, content: name.repeat(100) }]);
    return storeImage(fx.engine, [p], { tags: [name] });
  };

  it('refuses a column the store does not have, and a second registration of one kind', () => {
    const refs = fx.engine.references;
    let err: unknown;
    try {
      refs.register({ kind: 'typo', layers: { table: 'build_cache', column: 'diffid' } });
    } catch (e) {
      err = e;
    }
    expect(errorCode(err)).toBe('invalid');
    expect(String(err)).toMatch(/no column build_cache\.diffid/);
    expect(() => refs.register({ kind: 'sql', layers: { table: 'layers; DROP TABLE images', column: 'diff_id' } })).toThrow(/no column/);
    expect(() => refs.register({ kind: 'chains', chains: { table: 'container_layers', column: 'chain' } })).toThrow(/no column container_layers\.chain/);
    expect(() => refs.register({ kind: 'container' })).toThrow(/already registered/);
  });

  it('keeps the layers a registered column names through a collection, and lets them go once unregistered', async () => {
    const img = await image('kept');
    const diffId = (fx.engine.db.prepare('SELECT diff_id FROM image_layers WHERE image_id = ?').get(img.id) as { diff_id: string }).diff_id;
    fx.engine.db.exec('CREATE TABLE pins (diff_id TEXT)');
    fx.engine.db.prepare('INSERT INTO pins VALUES (?)').run(diffId);
    const unregister = fx.engine.references.register({ kind: 'pins', layers: { table: 'pins', column: 'diff_id' } });
    fx.engine.images.remove('kept');
    expect((await fx.engine.gc.collect()).layersRemoved).toEqual([]);
    unregister();
    expect((await fx.engine.gc.collect()).layersRemoved).toEqual([diffId]);
  });

  it("counts an image's users for rmi and system df from every registration", async () => {
    const img = await image('used');
    const unregister = fx.engine.references.register({
      kind: 'test users',
      imageUsers: (id) => (id === img.id ? [{ id: 'c'.repeat(64), running: true }] : []),
      imageUseCounts: () => new Map([[img.id, 1]]),
    });
    expect(fx.engine.images.usersOf(img.id)).toEqual([{ id: 'c'.repeat(64), running: true }]);
    expect(fx.engine.references.imageUseCounts().get(img.id)).toBe(1);
    expect(() => fx.engine.images.remove('used')).toThrow(/container cccccccccccc is using/);
    unregister();
    expect(fx.engine.images.usersOf(img.id)).toEqual([]);
  });
});
