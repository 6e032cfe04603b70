import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine.ts';
import { tempDir } from '../../../../test/tmp.ts';
import { BuildCache, fileChanges, inputsKey, stepKey, type StepInputs } from './cache.ts';

describe('build cache', () => {
  const tmp = tempDir('strata-cache-');
  const engine = Engine.open({ root: join(tmp.path, 'root') });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });
  const copy = (digest: string): StepInputs => ({ instruction: 'COPY app.js .', source: 'COPY app.js .', args: {}, checksum: digest, files: { 'app.js': digest } });

  it('keys a step by parent, instruction, args and content', () => {
    const a = copy(`sha256:${'3f'.repeat(32)}`);
    expect(stepKey('p', a)).toBe(stepKey('p', { ...a }));
    expect(stepKey('p', a)).not.toBe(stepKey('q', a));
    expect(stepKey('p', a)).not.toBe(stepKey('p', { ...a, checksum: 'x' }));
    expect(stepKey('p', a)).not.toBe(stepKey('p', { ...a, args: { X: '1' } }));
    // Args outside the key (scope) only serve explanations.
    expect(stepKey('p', a)).toBe(stepKey('p', { ...a, scope: { X: '1' } }));
    expect(inputsKey(a)).toBe(stepKey('', a));
  });

  it('explains a miss from what was built on the same parent', () => {
    const cache = new BuildCache(engine.db, engine.events);
    const before = copy(`sha256:${'3f'.repeat(32)}`);
    cache.put({ key: stepKey('parent', before), parentKey: 'parent', kind: 'copy', description: 'COPY app.js . # buildkit', diffId: null, historyCreated: '2024-01-01T00:00:00Z', inputs: before, size: 0, durationMs: 1 });
    expect(cache.explainMiss('parent', 'copy', copy(`sha256:${'9a'.repeat(32)}`))).toBe('app.js changed (sha256 3f…→9a…)');
    expect(cache.explainMiss('parent', 'copy', { ...before, instruction: 'COPY app.js /x', source: 'COPY app.js /x' })).toBe('instruction text changed');
    expect(cache.explainMiss('other', 'copy', before)).toMatch(/^not in cache/);
    expect(cache.diskUsage().map((d) => d.description)).toEqual(['COPY app.js . # buildkit']);
    expect(cache.prune(true).keys).toHaveLength(1);
    expect(cache.diskUsage()).toEqual([]);
  });

  it('lists added, removed and changed files', () => {
    expect(fileChanges({ a: 'sha256:aa11', b: 'sha256:bb' }, { a: 'sha256:cc22', c: 'sha256:dd' })).toEqual(['a changed (sha256 aa…→cc…)', 'c added', 'b removed']);
  });
});
