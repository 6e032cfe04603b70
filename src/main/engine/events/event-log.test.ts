import { describe, expect, it } from 'vitest';
import { Engine } from '../engine.ts';
import { useTempEngine } from '../../../../test/fixtures/engine.ts';
import { nowNano, PRUNE_EVERY, RETENTION, type StoreEvent } from './event-log.ts';
import { toChangeEvent } from './change-bus.ts';

describe('the event log', () => {
  const t = useTempEngine();

  it('refuses an event outside the transaction of its change, and rolls back with it', () => {
    const { engine } = t;
    expect(() => engine.events.record({ type: 'image', action: 'tag', id: 'x' })).toThrow(/outside the transaction/);
    expect(() =>
      engine.db.transaction(() => {
        engine.events.record({ type: 'image', action: 'tag', id: 'x' });
        throw new Error('change failed');
      })(),
    ).toThrow('change failed');
    expect(engine.events.read()).toEqual([]);
    engine.events.announce({ type: 'image', action: 'save', id: 'sha256:a', attributes: { name: 'sha256:a' } });
    const [saved] = engine.events.read();
    expect(saved).toMatchObject({ seq: expect.any(Number), type: 'image', action: 'save', id: 'sha256:a', attributes: { name: 'sha256:a' } });
    // Nanoseconds survive the round trip through SQLite exactly (beyond 2^53).
    expect(typeof saved!.timeNano).toBe('bigint');
    expect(saved!.timeNano > nowNano() - 60_000_000_000n && saved!.timeNano <= nowNano()).toBe(true);
  });

  it('keeps the last 10,000 events and none older than 7 days', () => {
    const { engine } = t;
    const old = nowNano() - RETENTION.maxAgeNs - 1_000_000_000n;
    engine.db.prepare("INSERT INTO events(time_nano, type, action, actor_id) VALUES (?, 'image', 'tag', 'ancient')").run(old);
    engine.db.transaction(() => {
      for (let i = 0; i < RETENTION.maxRows + 200; i++) engine.events.record({ type: 'image', action: 'tag', id: `i${i}` });
    }).immediate();
    const count = (engine.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    // Pruned every PRUNE_EVERY events, so at most that many over between two prunes.
    expect(count).toBeGreaterThanOrEqual(RETENTION.maxRows);
    expect(count).toBeLessThan(RETENTION.maxRows + PRUNE_EVERY);
    expect(engine.db.prepare("SELECT 1 FROM events WHERE actor_id = 'ancient'").get()).toBeUndefined();
    expect(engine.events.read({ afterSeq: engine.events.lastSeq() - 1 })[0]!.id).toBe(`i${RETENTION.maxRows + 199}`);
  });

  it('tells a second connection about every commit in order, by seq, through the feed', async () => {
    const { engine, dir } = t;
    const other = Engine.open({ root: engine.root });
    try {
      const seen: StoreEvent[] = [];
      const off = other.feed.subscribe((e) => seen.push(e));
      for (let i = 0; i < 5; i++) engine.events.announce({ type: 'container', action: 'create', id: `c${i}` });
      for (let i = 0; i < 100 && seen.length < 5; i++) await new Promise((r) => setTimeout(r, 20));
      off();
      expect(seen.map((e) => e.id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
      expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((a, b) => a - b));
      expect(dir.path).toBeTruthy();
    } finally {
      other.close();
    }
  });

  it('maps docker events to what the views refresh', () => {
    const e = (type: StoreEvent['type'], action: string, attributes: Record<string, string> = {}): StoreEvent => ({ seq: 1, type, action, id: 'x', attributes, timeNano: 0n });
    expect(toChangeEvent(e('image', 'tag', { name: 'a:1' }))).toEqual({ kind: 'image', action: 'tagged', id: 'x', ref: 'a:1' });
    expect(toChangeEvent(e('image', 'delete'))).toEqual({ kind: 'image', action: 'removed', id: 'x' });
    expect(toChangeEvent(e('image', 'save'))).toBeUndefined();
    expect(toChangeEvent(e('container', 'die'))).toEqual({ kind: 'container', action: 'stopped', id: 'x' });
    expect(toChangeEvent(e('container', 'exec_start: sh'))).toEqual({ kind: 'container', action: 'changed', id: 'x' });
    expect(toChangeEvent(e('builder', 'prune'))).toEqual({ kind: 'build-cache', action: 'pruned' });
    expect(toChangeEvent(e('registry', 'logout'))).toEqual({ kind: 'registry', action: 'logout', id: 'x' });
  });
});
