/**
 * ADD of a local tar is unpacked with the layer tar's checks: no entry is written, chmod'ed or
 * read through a symlink of the archive (a victim folder and file outside the context stand for
 * the host), and a `../` entry is a one-line build error — in the engine, in the CLI (no stack
 * trace) and through the browser host's build handler (the host keeps running).
 */
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suiteName } from '../fixtures/skip.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { build, BuildError } from '../../src/main/engine/build/builder.ts';
import { createHandlers } from '../../src/main/host/handlers.ts';
import { HostSession } from '../../src/main/host/session.ts';
import { imageFiles, imageTree } from '../build/helpers.ts';
import { storeImage } from '../fixtures/busybox.ts';
import { NOBODY, nobodyUnavailable, runStrata, securityTemp, STACK_TRACE, writeRawTar, type RawEntry } from './helpers.ts';

const SECRET = 'host secret\n';

interface Scene {
  dir: string;
  ctx: string;
  victimDir: string;
  victimFile: string;
}

/** A context whose Dockerfile ADDs `evil.tar`, next to a victim folder and file owned by `owner`. */
async function scene(base: string, name: string, entries: (s: Scene) => RawEntry[], owner = 0): Promise<Scene> {
  const dir = join(base, name);
  const s: Scene = { dir, ctx: join(dir, 'ctx'), victimDir: join(dir, 'victim'), victimFile: join(dir, 'victim', 'secret') };
  mkdirSync(s.ctx, { recursive: true });
  mkdirSync(s.victimDir);
  writeFileSync(s.victimFile, SECRET, { mode: 0o600 });
  writeFileSync(join(s.ctx, 'Dockerfile'), 'FROM scratch\nADD evil.tar /out/\n');
  await writeRawTar(join(s.ctx, 'evil.tar'), entries(s));
  if (owner) for (const p of [dir, s.ctx, s.victimDir, s.victimFile]) chownSync(p, owner, owner);
  return s;
}

/** The victim is exactly as the scene made it. */
function expectVictimIntact(s: Scene): void {
  expect(readFileSync(s.victimFile, 'utf8')).toBe(SECRET);
  expect(statSync(s.victimFile).mode & 0o7777).toBe(0o600);
  expect(existsSync(join(s.victimDir, 'planted'))).toBe(false);
}

const attacks: { what: string; entries: (s: Scene) => RawEntry[]; refused?: RegExp }[] = [
  {
    what: 'a symlink to a host folder, then a file through it',
    entries: (s) => [{ name: 'a', type: 'symlink', linkname: s.victimDir }, { name: 'a/planted', content: 'pwned\n' }],
    refused: /refusing entry that traverses a symlink: a\/planted/,
  },
  {
    what: 'a symlink to a host file, then a regular file of the same name (overwrite and chmod 6777)',
    entries: (s) => [{ name: 'f', type: 'symlink', linkname: s.victimFile }, { name: 'f', content: 'pwned\n', mode: 0o6777 }],
  },
  {
    what: 'a hardlink through a symlinked host folder',
    entries: (s) => [{ name: 'd', type: 'symlink', linkname: s.victimDir }, { name: 'h', type: 'link', linkname: 'd/secret' }],
    refused: /refusing entry that traverses a symlink: d\/secret/,
  },
  {
    what: 'a hardlink to a symlink of a host file (its content must not be copied in)',
    entries: (s) => [{ name: 's', type: 'symlink', linkname: s.victimFile }, { name: 'h', type: 'link', linkname: 's' }],
  },
  {
    what: 'a hardlink to a symlinked host folder, then a file through the hardlink',
    entries: (s) => [{ name: 's', type: 'symlink', linkname: s.victimDir }, { name: 'h', type: 'link', linkname: 's' }, { name: 'h/planted', content: 'pwned\n' }],
    refused: /refusing entry that traverses a symlink: h\/planted/,
  },
];

describe('ADD of a hostile local tar (engine, as the current user)', () => {
  const tmp = securityTemp('strata-sec-add-');
  let engine: Engine;
  beforeAll(() => {
    engine = Engine.open({ root: join(tmp.path, 'root') });
  });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });

  attacks.forEach((a, i) => {
    it(`${a.refused ? 'refuses' : 'neutralises'} ${a.what}`, async () => {
      const s = await scene(tmp.path, `attack-${i}`, a.entries);
      const res = await build(engine, { context: s.ctx }).then((r) => r, (e: unknown) => e);
      expectVictimIntact(s);
      if (a.refused) {
        expect(res).toBeInstanceOf(BuildError);
        expect((res as BuildError).message).toMatch(a.refused);
        expect((res as BuildError).message).toMatch(/^failed to unpack evil\.tar: /);
        return;
      }
      expect(res).not.toBeInstanceOf(Error);
      const id = (res as { imageId: string }).imageId;
      const files = await imageFiles(engine, id);
      expect([...files.values()]).not.toContain(SECRET);
      const tree = imageTree(engine, id);
      if (tree.has('out/h')) expect(tree.get('out/h')).toMatchObject({ type: 'symlink', linkTarget: s.victimFile });
      if (tree.has('out/f')) expect(files.get('out/f')).toBe('pwned\n');
    });
  });

  it('fails in one short line on a path too long for the filesystem', async () => {
    const deep = `${Array.from({ length: 30 }, () => 'd'.repeat(200)).join('/')}/f`;
    const s = await scene(tmp.path, 'long', () => [{ name: deep, content: 'x' }]);
    const err = await build(engine, { context: s.ctx }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toBe(`failed to unpack evil.tar: path too long for this filesystem: ${'d'.repeat(80)}…`);
  });

  it('refuses a ../ entry with one line naming the archive', async () => {
    const s = await scene(tmp.path, 'dotdot', () => [{ name: '../planted', content: 'pwned\n' }]);
    const err = await build(engine, { context: s.ctx }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toBe('failed to unpack evil.tar: refusing path that escapes the root: ../planted');
    expect(existsSync(join(s.dir, 'planted'))).toBe(false);
  });
});

describe('image layers go through the same check', () => {
  const tmp = securityTemp('strata-sec-layer-hardlink-');
  afterAll(() => tmp.cleanup());

  it('refuses a layer that writes through a hardlink to a symlink (the snapshot used to write the host)', async () => {
    const engine = Engine.open({ root: join(tmp.path, 'root') });
    try {
      const s = await scene(tmp.path, 'layer', () => []);
      const layer = join(tmp.path, 'layer.tar');
      await writeRawTar(layer, [{ name: 's', type: 'symlink', linkname: s.victimDir }, { name: 'h', type: 'link', linkname: 's' }, { name: 'h/planted', content: 'pwned\n' }]);
      await expect(storeImage(engine, [layer], { tags: ['evil:1'] })).rejects.toThrow(/refusing entry that traverses a symlink: h\/planted/);
      expectVictimIntact(s);
    } finally {
      engine.close();
    }
  });
});

describe('ADD of a tar with a ../ entry at the surfaces', () => {
  const tmp = securityTemp('strata-sec-add-surface-');
  afterAll(() => tmp.cleanup());

  it('the CLI prints one error line, no stack trace, and exits 1', async () => {
    const s = await scene(tmp.path, 'cli', () => [{ name: 'ok', content: 'ok' }, { name: '../planted', content: 'pwned\n' }]);
    const r = await runStrata(['--root', join(tmp.path, 'root'), 'build', s.ctx]);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stderr).toContain('ERROR: failed to solve: Dockerfile:2: failed to unpack evil.tar: refusing path that escapes the root: ../planted\n');
    expect(existsSync(join(s.dir, 'planted'))).toBe(false);
  });

  it('the browser host\'s build handler answers with the error and the host keeps serving', async () => {
    const s = await scene(tmp.path, 'host', () => [{ name: '../planted', content: 'pwned\n' }]);
    const engine = Engine.open({ root: join(tmp.path, 'host-root') });
    // In the browser host (and Electron main) an uncaught error ends the process.
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => void uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const session = new HostSession(createHandlers(engine, { host: 'browser' }), () => {});
      const res = await session.stream('s1', 'build.run', { path: s.ctx, dockerfile: 'Dockerfile', tags: [], buildArgs: {}, target: '', noCache: false });
      expect(res).toMatchObject({ ok: false, error: { message: expect.stringMatching(/refusing path that escapes the root: \.\.\/planted/) } });
      // Still serving: the next request is answered.
      expect(await session.invoke('images.list', {})).toMatchObject({ ok: true });
      await new Promise((r) => setTimeout(r, 200));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      engine.close();
    }
  });
});

describe.skipIf(nobodyUnavailable())(suiteName('ADD of a hostile local tar as the unprivileged user 65534 (CLI)', nobodyUnavailable()), () => {
  let tmp: { path: string; cleanup: () => void };
  beforeAll(() => {
    tmp = securityTemp('strata-sec-add-nobody-', NOBODY);
  });
  afterAll(() => tmp?.cleanup());

  attacks.forEach((a, i) => {
    it(`${a.refused ? 'refuses' : 'neutralises'} ${a.what}`, async () => {
      const s = await scene(tmp.path, `attack-${i}`, a.entries, NOBODY);
      const r = await runStrata(['--root', join(tmp.path, 'root'), 'build', s.ctx], { user: NOBODY });
      expect(r.timedOut).toBe(false);
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expectVictimIntact(s);
      if (a.refused) {
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(a.refused);
      } else expect(r.code, r.stderr).toBe(0);
    });
  });
});
