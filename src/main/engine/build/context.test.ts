import { mkdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/tmp.ts';
import { cleanSourcePath, contextTree, matchSources, openContext, sourceChecksum, walkSource, type DigestCache } from './context.ts';

describe('build context', () => {
  const tmp = tempDir('strata-context-');
  afterAll(() => tmp.cleanup());
  const dir = join(tmp.path, 'ctx');
  mkdirSync(join(dir, 'src', 'lib'), { recursive: true });
  mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(dir, 'a.go'), 'a');
  writeFileSync(join(dir, 'b.go'), 'b');
  writeFileSync(join(dir, 'src', 'main.c'), 'main');
  writeFileSync(join(dir, 'src', 'lib', 'keep.txt'), 'keep');
  writeFileSync(join(dir, 'src', 'lib', 'drop.txt'), 'drop');
  writeFileSync(join(dir, 'node_modules', 'x', 'index.js'), 'x');
  writeFileSync(join(dir, '.dockerignore'), 'node_modules\nsrc/lib\n!src/lib/keep.txt\n');
  symlinkSync('../../etc/passwd', join(dir, 'escape'));

  it('cleans source paths so they cannot leave the context', () => {
    expect(cleanSourcePath('../../etc/passwd')).toBe('etc/passwd');
    expect(cleanSourcePath('./src/')).toBe('src');
    expect(cleanSourcePath('/')).toBe('.');
  });

  it('matches globs per path segment and honours .dockerignore with exceptions', () => {
    const tree = contextTree(openContext(dir));
    expect(matchSources(tree, '*.go')).toEqual(['a.go', 'b.go']);
    expect(matchSources(tree, 'nomatch*')).toEqual([]);
    expect(() => matchSources(tree, 'node_modules')).toThrow(/"\/node_modules": not found/);
    expect(walkSource(tree, 'src').map((e) => e.rel)).toEqual(['', 'lib', 'lib/keep.txt', 'main.c']);
    // A symlink pointing outside resolves inside the context, where nothing is.
    expect(() => matchSources(tree, 'escape')).toThrow(/not found/);
  });

  it('checksums content and metadata, not mtimes', async () => {
    const tree = contextTree(openContext(dir));
    const before = await sourceChecksum(tree, walkSource(tree, 'src'));
    writeFileSync(join(dir, 'src', 'main.c'), 'main');
    expect((await sourceChecksum(tree, walkSource(tree, 'src'))).digest).toBe(before.digest);
    writeFileSync(join(dir, 'src', 'main.c'), 'main2');
    const after = await sourceChecksum(tree, walkSource(tree, 'src'));
    expect(after.digest).not.toBe(before.digest);
    expect(after.files['src/main.c']).not.toBe(before.files['src/main.c']);
  });

  /** A DigestCache in memory whose clock reads `at` milliseconds (the real clock when undefined). */
  const memoryCache = (at?: () => number): DigestCache & { entries: Map<string, string> } => {
    const entries = new Map<string, string>();
    return {
      entries,
      get: (path, stamp) => entries.get(`${path}\0${stamp}`),
      set: (path, stamp, digest) => void entries.set(`${path}\0${stamp}`, digest),
      ...(at ? { now: at } : {}),
    };
  };

  it('remembers a digest only once the file is older than its clock can be trusted for', async () => {
    const tree = contextTree(openContext(dir));
    const file = walkSource(tree, 'a.go');
    writeFileSync(join(dir, 'a.go'), 'a');
    // Just written: a rewrite within the same clock tick could keep every field of its stamp.
    const fresh = memoryCache();
    await sourceChecksum(tree, file, fresh);
    expect(fresh.entries.size).toBe(0);
    // Seconds later the stamp is trusted, and the next build reads it instead of the file.
    const later = memoryCache(() => Date.now() + 10_000);
    const first = await sourceChecksum(tree, file, later);
    expect(later.entries.size).toBe(1);
    expect((await sourceChecksum(tree, file, later)).digest).toBe(first.digest);
  });

  it('hashes a file again when it changed with the same size and its mtime put back', async () => {
    const tree = contextTree(openContext(dir));
    const path = join(dir, 'b.go');
    writeFileSync(path, 'one');
    const mtime = statSync(path).mtime;
    const cache = memoryCache(() => Date.now() + 10_000);
    const before = await sourceChecksum(tree, walkSource(tree, 'b.go'), cache);
    writeFileSync(path, 'two');
    utimesSync(path, mtime, mtime);
    const after = await sourceChecksum(tree, walkSource(tree, 'b.go'), cache);
    expect(after.files['b.go']).not.toBe(before.files['b.go']);
    writeFileSync(path, 'b');
  });

  it('rejects an invalid .dockerignore and a missing Dockerfile', () => {
    const bad = join(tmp.path, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(bad, '.dockerignore'), '!\n');
    expect(() => openContext(bad)).toThrow('failed to parse .dockerignore: illegal exclusion pattern: "!"');
    expect(() => openContext(tmp.path)).toThrow(/failed to read dockerfile/);
  });
});
