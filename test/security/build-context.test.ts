/**
 * The build context's boundary: a symlink inside it never reaches a file `.dockerignore`
 * excludes (BuildKit never sends those), `COPY --from` never writes or reads the host through
 * an image's symlinks, and the UI's Dockerfile save never writes through a link while accepting
 * ordinary names such as `..foo`. A victim folder next to the context stands for the host.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suiteName } from '../fixtures/skip.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { build, BuildError } from '../../src/main/engine/build/builder.ts';
import { createHandlers } from '../../src/main/host/handlers.ts';
import { HostSession } from '../../src/main/host/session.ts';
import { storeImage } from '../fixtures/busybox.ts';
import { imageFiles, imageTree } from '../build/helpers.ts';
import { NOBODY, nobodyUnavailable, runStrata, securityTemp, writeRawTar } from './helpers.ts';

const SECRET = 'ignored secret\n';

describe('symlinks in the context and .dockerignore', () => {
  const tmp = securityTemp('strata-sec-ignore-');
  let engine: Engine;
  beforeAll(() => {
    engine = Engine.open({ root: join(tmp.path, 'root') });
  });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });

  /** A context with an ignored `secret` file and `secrets/` folder, links to them, and `dockerfile`. */
  function context(name: string, dockerfile: string, ignore: string): string {
    const ctx = join(tmp.path, name);
    mkdirSync(join(ctx, 'secrets'), { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
    writeFileSync(join(ctx, '.dockerignore'), ignore);
    writeFileSync(join(ctx, 'secret'), SECRET);
    writeFileSync(join(ctx, 'secrets', 'key'), SECRET);
    writeFileSync(join(ctx, 'public'), 'public\n');
    symlinkSync('secret', join(ctx, 'link'));
    symlinkSync('/secret', join(ctx, 'abs-link'));
    symlinkSync('secrets', join(ctx, 'dir-link'));
    symlinkSync('public', join(ctx, 'public-link'));
    return ctx;
  }

  const attempts: [string, string][] = [
    ['a relative link to an ignored file', 'COPY link /out'],
    ['an absolute link (resolved in the context) to an ignored file', 'COPY abs-link /out'],
    ['a link to an ignored folder', 'COPY dir-link/ /out/'],
    ['a path through a link into an ignored folder', 'COPY dir-link/key /out'],
  ];
  for (const [what, copy] of attempts) {
    it(`does not copy ${what}`, async () => {
      for (const ignore of ['secret\nsecrets\n', '*\n!Dockerfile\n!link\n!abs-link\n!dir-link\n']) {
        const ctx = context(`c-${attempts.findIndex((a) => a[1] === copy)}-${ignore.length}`, `FROM scratch\n${copy}\n`, ignore);
        const err = await build(engine, { context: ctx }).then(() => undefined, (e: unknown) => e);
        expect(err, `${copy} with ${JSON.stringify(ignore)}`).toBeInstanceOf(BuildError);
        expect((err as BuildError).message).toMatch(/not found/);
      }
    });
  }

  it('does not match an ignored file through a link with a wildcard; copies links and non-ignored targets', async () => {
    const ctx = context('wildcards', 'FROM scratch\nCOPY *link /w/\nCOPY public-link /p\nCOPY . /all/\n', 'secret\nsecrets\n');
    const res = await build(engine, { context: ctx });
    const files = await imageFiles(engine, res.imageId);
    expect([...files.values()]).not.toContain(SECRET);
    expect(files.get('p')).toBe('public\n');
    expect(files.get('w/public-link')).toBe('public\n');
    // The links themselves travel as links (their targets stay out).
    expect(imageTree(engine, res.imageId).get('all/link')).toMatchObject({ type: 'symlink', linkTarget: 'secret' });
  });
});

describe('symlinks that point at the host', () => {
  const tmp = securityTemp('strata-sec-host-links-');
  afterAll(() => tmp.cleanup());

  it('resolve inside the context: COPY of a linked folder or file never reads the host', async () => {
    const engine = Engine.open({ root: join(tmp.path, 'root') });
    try {
      const victim = join(tmp.path, 'victim');
      mkdirSync(victim);
      writeFileSync(join(victim, 'secret'), SECRET);
      const ctx = join(tmp.path, 'ctx');
      mkdirSync(ctx);
      symlinkSync(victim, join(ctx, 'host-dir'));
      symlinkSync(join(victim, 'secret'), join(ctx, 'host-file'));
      symlinkSync('../victim', join(ctx, 'up-dir'));
      for (const copy of ['COPY host-dir/ /x/', 'COPY host-file /x', 'COPY up-dir/secret /x', 'COPY host-dir/secret /x', 'COPY host-d*/ /x/']) {
        writeFileSync(join(ctx, 'Dockerfile'), `FROM scratch\n${copy}\n`);
        const res = await build(engine, { context: ctx }).then((r) => r, (e: unknown) => e);
        if (res instanceof BuildError) expect(res.message, copy).toMatch(/not found|no source files/);
        else expect([...(await imageFiles(engine, (res as { imageId: string }).imageId)).values()], copy).not.toContain(SECRET);
      }
    } finally {
      engine.close();
    }
  });
});

describe('a heredoc whose name is a path', () => {
  const tmp = securityTemp('strata-sec-heredoc-');
  afterAll(() => tmp.cleanup());

  it('is written inside the build\'s scratch folder, never at ../../ on the host', async () => {
    const engine = Engine.open({ root: join(tmp.path, 'root') });
    try {
      const ctx = join(tmp.path, 'a', 'b', 'ctx');
      mkdirSync(ctx, { recursive: true });
      // build-tmp/<id>/heredoc-N is four levels below the store root; climb well past it.
      const escape = `${'../'.repeat(12)}${tmp.path.slice(1)}/planted`;
      writeFileSync(join(ctx, 'Dockerfile'), `FROM scratch\nCOPY <<${escape} /x\npwned\n${escape}\n`);
      const res = await build(engine, { context: ctx });
      expect(existsSync(join(tmp.path, 'planted'))).toBe(false);
      expect((await imageFiles(engine, res.imageId)).get('x')).toBe('pwned\n');
    } finally {
      engine.close();
    }
  });
});

describe('COPY --from an image whose symlinks point at the host', () => {
  const tmp = securityTemp('strata-sec-copy-from-');
  let engine: Engine;
  beforeAll(() => {
    engine = Engine.open({ root: join(tmp.path, 'root') });
  });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });

  it('never writes below a folder an upper layer replaced with a symlink, nor copies a host file for a hardlink to a symlink', async () => {
    const victim = join(tmp.path, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'secret'), SECRET, { mode: 0o600 });
    const lower = join(tmp.path, 'lower.tar');
    const upper = join(tmp.path, 'upper.tar');
    await writeRawTar(lower, [{ name: 'a/', type: 'directory' }, { name: 'a/planted', content: 'pwned\n' }]);
    await writeRawTar(upper, [
      { name: 'a', type: 'symlink', linkname: victim },
      { name: 's', type: 'symlink', linkname: join(victim, 'secret') },
      { name: 'h', type: 'link', linkname: 's' },
    ]);
    await storeImage(engine, [lower, upper], { tags: ['links:1'] });
    const ctx = join(tmp.path, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY --from=links:1 / /out/\n');
    const res = await build(engine, { context: ctx });
    expect(existsSync(join(victim, 'planted'))).toBe(false);
    expect(readFileSync(join(victim, 'secret'), 'utf8')).toBe(SECRET);
    const tree = imageTree(engine, res.imageId);
    expect(tree.has('out/a/planted')).toBe(false);
    expect(tree.get('out/h')).toMatchObject({ type: 'symlink', linkTarget: join(victim, 'secret') });
    expect([...(await imageFiles(engine, res.imageId)).values()]).not.toContain(SECRET);
  });
});

describe('the UI\'s Dockerfile save and names', () => {
  const tmp = securityTemp('strata-sec-ui-save-');
  let engine: Engine;
  let session: HostSession;
  beforeAll(() => {
    engine = Engine.open({ root: join(tmp.path, 'root') });
    session = new HostSession(createHandlers(engine, { host: 'browser' }), () => {});
  });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });

  it('never writes through an in-context symlink to outside the context', async () => {
    const victim = join(tmp.path, 'victim');
    writeFileSync(victim, SECRET);
    for (const [name, target] of [['abs', victim], ['rel', '../victim'], ['dir', tmp.path]] as const) {
      const ctx = join(tmp.path, `ctx-${name}`);
      mkdirSync(ctx);
      if (name === 'dir') {
        symlinkSync(target, join(ctx, 'sub'));
        await session.invoke('build.writeDockerfile', { path: ctx, dockerfile: 'sub/victim', text: 'FROM pwned\n' });
      } else {
        symlinkSync(target, join(ctx, 'Dockerfile'));
        await session.invoke('build.writeDockerfile', { path: ctx, dockerfile: 'Dockerfile', text: 'FROM pwned\n' });
      }
      expect(readFileSync(victim, 'utf8'), `through ${name}`).toBe(SECRET);
    }
  });

  it('saves through a link that stays inside the context, where the build reads it', async () => {
    const ctx = join(tmp.path, 'ctx-inside');
    mkdirSync(join(ctx, 'docker'), { recursive: true });
    writeFileSync(join(ctx, 'docker', 'Dockerfile.real'), 'FROM scratch\n');
    symlinkSync('docker/Dockerfile.real', join(ctx, 'Dockerfile'));
    expect(await session.invoke('build.writeDockerfile', { path: ctx, dockerfile: 'Dockerfile', text: 'FROM scratch\nLABEL saved=1\n' })).toEqual({ ok: true, value: null });
    expect(readFileSync(join(ctx, 'docker', 'Dockerfile.real'), 'utf8')).toBe('FROM scratch\nLABEL saved=1\n');
    expect(await session.invoke('build.context', { path: ctx, dockerfile: 'Dockerfile' })).toMatchObject({ ok: true, value: { dockerfileText: 'FROM scratch\nLABEL saved=1\n' } });
  });

  it('accepts `..foo` as a name and refuses `../foo`', async () => {
    const ctx = join(tmp.path, 'ctx-dots');
    mkdirSync(ctx);
    expect(await session.invoke('build.writeDockerfile', { path: ctx, dockerfile: '..foo', text: 'FROM scratch\n' })).toEqual({ ok: true, value: null });
    expect(readFileSync(join(ctx, '..foo'), 'utf8')).toBe('FROM scratch\n');
    expect(await session.invoke('build.context', { path: ctx, dockerfile: '..foo' })).toMatchObject({ ok: true, value: { dockerfile: '..foo', dockerfileText: 'FROM scratch\n' } });
    const out = await session.invoke('build.writeDockerfile', { path: ctx, dockerfile: '../foo', text: 'FROM scratch\n' });
    expect(out).toMatchObject({ ok: false, error: { code: 'invalid', message: 'the Dockerfile (../foo) must be within the build context' } });
    expect(existsSync(join(tmp.path, 'foo'))).toBe(false);
  });
});

describe.skipIf(nobodyUnavailable())(suiteName('an ignored file behind a link, as the unprivileged user 65534 (CLI)', nobodyUnavailable()), () => {
  let tmp: { path: string; cleanup: () => void };
  beforeAll(() => {
    tmp = securityTemp('strata-sec-ignore-nobody-', NOBODY);
  });
  afterAll(() => tmp?.cleanup());

  it('fails with "not found"', async () => {
    const ctx = join(tmp.path, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY link /out\n');
    writeFileSync(join(ctx, '.dockerignore'), 'secret\n');
    writeFileSync(join(ctx, 'secret'), SECRET);
    symlinkSync('secret', join(ctx, 'link'));
    const r = await runStrata(['--root', join(tmp.path, 'root'), 'build', ctx], { user: NOBODY });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"\/link": not found/);
  });
});
