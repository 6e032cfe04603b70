/**
 * What a listing loads: `images` and `system df [-v]` in a real process, over a store with images,
 * a container with a writable layer and published ports, and a stray blob, load none of the
 * built-in modules and none of the engine's code that only other commands use (crypto, sockets,
 * child processes, streams, compression, tar, the snapshotter and sandbox). Each of those costs
 * every listing milliseconds of start-up; they are taken on use by the code that needs them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { storeImage, writeTar } from '../fixtures/busybox.ts';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';
import { modulesLoaded as loadedBy } from './modules-loaded.ts';


/** Built-in modules a listing has no use for. */
const UNNEEDED_BUILTINS = /^node:(crypto|net|dgram|tls|https?|http2|child_process|stream|stream\/promises|zlib|worker_threads|fs\/promises)$/;
/** The engine's (and packages') code for other commands. */
const UNNEEDED_CODE = /tar-stream|\/snapshot\/(snapshotter|unpack|userns|rootfs)\.ts|\/layer\/layer-ingest\.ts|\/runtime\/(sandbox|user|opaque|bwrap)|\/network\/port-forwarder\.ts|\/build\/builder/;

describe('what a listing loads', () => {
  const tmp = tempDir('strata-listing-modules-');
  const root = join(tmp.path, 'root');

  beforeAll(async () => {
    const engine = Engine.open({ root });
    try {
      const tar = async (name: string, bytes: number): Promise<string> => {
        const p = join(tmp.path, `${name}.tar`);
        await writeTar(p, [{ type: 'file', name, content: randomBytes(bytes) }]);
        return p;
      };
      const base = await tar('base', 5000);
      await storeImage(engine, [base, await tar('a', 3000)], { tags: ['app:1', 'registry.example:5000/team/app:2'] });
      await storeImage(engine, [base, await tar('b', 7000)], { tags: ['other:latest'] });
      const c = engine.containers.create({ image: 'app:1', portBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } });
      mkdirSync(engine.containers.upperDir(c.id), { recursive: true });
      writeFileSync(join(engine.containers.upperDir(c.id), 'written'), randomBytes(2000));
      await engine.content.put(randomBytes(1000)); // a blob no row names: counted as reclaimable
    } finally {
      engine.close();
    }
    modulesLoaded(['images']); // the first run makes the command table (importing every command)
  });
  afterAll(() => tmp.cleanup());

  const modulesLoaded = (args: string[]) => loadedBy(tmp.path, root, args);

  it.each([
    [['images'], /^app +1 /m],
    [['image', 'ls', '--format', '{{json .}}'], /"Repository":"registry.example:5000\/team\/app"/],
    [['system', 'df'], /^Containers +1 +0 +2kB/m],
    [['system', 'df', '-v'], /^Reclaimable by 'strata system gc' +\d/m],
    [['system', 'df', '-v', '--format', 'json'], /"Images":\[/],
  ])('%j loads no crypto, sockets, child processes, streams, tar or snapshot code', (args, printed) => {
    const { stdout, modules } = modulesLoaded(args);
    expect(stdout).toMatch(printed);
    expect(modules.filter((m) => UNNEEDED_BUILTINS.test(m))).toEqual([]);
    expect(modules.filter((m) => UNNEEDED_CODE.test(m))).toEqual([]);
  });

  /** Whether `strata ARGS` (stdin a pipe, as from a script) read `process.stdin`, which makes the stream. */
  const touchesStdin = (args: string[]): boolean => {
    const record = join(tmp.path, 'stdin-touched');
    const hook = join(tmp.path, 'stdin-hook.cjs');
    writeFileSync(hook, `const d = Object.getOwnPropertyDescriptor(process, 'stdin');
let touched = false;
Object.defineProperty(process, 'stdin', { configurable: true, enumerable: d.enumerable, get() { touched = true; return d.get.call(this); } });
process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(record)}, String(touched)));
`);
    spawnSync(process.execPath, ['--no-warnings', '--require', hook, join(repoRoot, 'src/main/cli/main.ts'), '--root', root, ...args], {
      input: '', env: { ...process.env, STRATA_CACHE_DIR: join(tmp.path, 'cache') },
    });
    return readFileSync(record, 'utf8') === 'true';
  };

  it('makes no standard input stream for a command that does not read it (Node builds one on first use, ≈ 7 ms)', () => {
    expect(touchesStdin(['images'])).toBe(false);
    expect(touchesStdin(['system', 'df', '-v'])).toBe(false);
    expect(touchesStdin(['load'])).toBe(true); // reads the archive from stdin: the check sees a use
  });
});
