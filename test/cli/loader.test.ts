/**
 * Commands load on first use (src/main/cli/loader.ts): every registered command still answers
 * `--help` (through the routing table made fresh, then read back), a stale table never routes to
 * the wrong command, and `--version` / one command's `--help` in a real process load neither the
 * engine nor the other commands — from the sources and through the bundle (scripts/build-cli.ts).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCommands, cacheDir, findCommand } from '../../src/main/cli/loader.ts';
import type { Command } from '../../src/main/cli/command.ts';
import { tempDir } from '../tmp.ts';
import { modulesLoaded as loadedBy } from './modules-loaded.ts';
import { bundledCheckout, sourcesOfChunks, strataIn } from './bundled-checkout.ts';
import { strata } from './run.ts';


describe('lazy command loading', () => {
  const tmp = tempDir('strata-loader-');
  const saved = process.env.STRATA_CACHE_DIR;
  let commands: Command[];
  beforeAll(async () => {
    process.env.STRATA_CACHE_DIR = join(tmp.path, 'cache');
    commands = await allCommands();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.STRATA_CACHE_DIR;
    else process.env.STRATA_CACHE_DIR = saved;
    tmp.cleanup();
  });

  const tableFile = (): string => {
    const files = readdirSync(cacheDir()).filter((f) => /^commands-.*\.json$/.test(f));
    expect(files).toHaveLength(1);
    return join(cacheDir(), files[0]!);
  };

  it('prints every command\'s help, with the table made fresh and then read back', async () => {
    expect(commands.length).toBeGreaterThan(30);
    for (const pass of ['fresh', 'cached']) {
      for (const c of commands) {
        const r = await strata(join(tmp.path, 'root'), [...c.path, '--help']);
        expect({ pass, path: c.path, code: r.code, stderr: r.stderr }).toEqual({ pass, path: c.path, code: 0, stderr: '' });
        expect(r.stdout.startsWith(`Usage:  ${c.usage}\n`)).toBe(true);
      }
      if (pass === 'fresh') expect(JSON.parse(readFileSync(tableFile(), 'utf8')).routes.length).toBe(commands.length);
    }
  });

  it('routes every path and alias to the registry\'s own command', async () => {
    for (const c of commands) {
      for (const path of [c.path, ...(c.aliases ?? [])]) {
        const found = await findCommand([...path, 'arg']);
        expect(found?.command, path.join(' ')).toBe(commands.find((k) => k.path.join(' ') === found?.command.path.join(' ')));
        expect(found?.command.path.length).toBeGreaterThanOrEqual(1);
        expect(found?.rest).toEqual(['arg']);
      }
    }
    expect(await findCommand(['no-such-command'])).toBeUndefined();
  });

  it('a stale table that names the wrong module is made again, and the right command runs', async () => {
    await findCommand(['images']);
    const file = tableFile();
    const table = JSON.parse(readFileSync(file, 'utf8')) as { routes: { path: string[]; module: string; exportName: string }[] };
    const images = table.routes.find((r) => r.path.join(' ') === 'images')!;
    const history = table.routes.find((r) => r.path.join(' ') === 'history')!;
    images.exportName = history.exportName;
    writeFileSync(file, JSON.stringify(table));
    const found = await findCommand(['images', '-a']);
    expect(found?.command.path).toEqual(['images']);
    expect(found?.rest).toEqual(['-a']);
    const remade = JSON.parse(readFileSync(file, 'utf8')) as typeof table;
    expect(remade.routes.find((r) => r.path.join(' ') === 'images')!.exportName).not.toBe(history.exportName);
  });

  const modulesLoaded = (args: string[]) => loadedBy(tmp.path, join(tmp.path, 'root'), args);

  it('--version loads no command, no engine and no native module', () => {
    const { stdout, modules } = modulesLoaded(['--version']);
    expect(stdout).toMatch(/^strata version /);
    expect(modules.filter((m) => /\/commands\/|\/engine\/engine\.ts|better-sqlite3|tar-stream/.test(m))).toEqual([]);
  });

  it('one command\'s --help loads that command\'s module only, and does not open the store', () => {
    modulesLoaded(['images']); // makes the table in this cache dir
    const { stdout, modules } = modulesLoaded(['build', '--help']);
    expect(stdout).toMatch(/^Usage: {2}strata build/);
    const commandModules = modules.filter((m) => m.includes('/src/main/cli/commands/')).map((m) => m.replace(/.*\/commands\//, ''));
    expect(commandModules).toEqual(['build.ts']);
    // The command's own imports load (the builder needs SQLite), the store is not opened.
    expect(modules.filter((m) => /\/engine\/engine\.ts/.test(m))).toEqual([]);
  });

  it('images opens the store without loading the sandbox, snapshots, tar or HTTP code', () => {
    const { stdout, modules } = modulesLoaded(['images']);
    expect(stdout).toMatch(/^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\n$/);
    expect(modules.filter((m) => /runtime\/sandbox|snapshot\/snapshotter|tar-stream|\/build\/builder/.test(m))).toEqual([]);
    // node:http's namespace evaluates the bundled undici (≈ 70 ms): a local listing never needs it
    expect(modules.filter((m) => /^node:(http|https|http2|tls)$/.test(m))).toEqual([]);
  });
});

describe('lazy command loading through the bundle', () => {
  const tmp = tempDir('strata-loader-bundle-');
  let checkout: string;
  beforeAll(() => {
    checkout = bundledCheckout(tmp.path);
  }, 180_000);
  afterAll(() => tmp.cleanup());

  /** The source modules of the chunks a bundled `strata ARGS` loaded, and the builtins and packages. */
  function loaded(args: string[]): { stdout: string; sources: string[]; modules: string[] } {
    const r = strataIn(checkout, ['--root', join(tmp.path, 'root'), ...args]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.ran).toBe('bundle');
    return { stdout: r.stdout, sources: sourcesOfChunks(r.modules), modules: r.modules };
  }

  it('--version loads no command, no engine and no native module', () => {
    const { stdout, sources, modules } = loaded(['--version']);
    expect(stdout).toMatch(/^strata version /);
    expect(sources).toContain('src/main/cli/main.ts');
    expect(sources.filter((m) => /\/commands\/|\/engine\/engine\.ts/.test(m))).toEqual([]);
    expect(modules.filter((m) => /better-sqlite3|tar-stream|^node:(crypto|child_process)$/.test(m))).toEqual([]);
  });

  it('images loads its own command module, and no sandbox, snapshots, tar or HTTP code', () => {
    const { stdout, sources, modules } = loaded(['images']);
    expect(stdout).toMatch(/^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\n$/);
    expect(sources.filter((m) => m.includes('/commands/'))).toEqual(['src/main/cli/commands/image-list.ts']);
    expect(sources).toContain('src/main/engine/engine.ts');
    expect(sources.filter((m) => /runtime\/sandbox|snapshot\/snapshotter|\/build\/builder/.test(m))).toEqual([]);
    expect(modules.filter((m) => /tar-stream|^node:(http|https|http2|tls|zlib)$/.test(m))).toEqual([]);
    // better-sqlite3's JavaScript as one bundled file, not its fifteen (its addon is not a module the hook sees).
    const sqlite = modules.filter((m) => /\/better-sqlite3(\/|\.cjs$)/.test(m)).map((m) => m.replace(/^file:\/\/.*?\/out\/cli\//, 'out/cli/'));
    expect(sqlite).toEqual(['out/cli/better-sqlite3.cjs']);
  });

  /** The checkout's own modules a `strata ARGS` run from the sources loaded (STRATA_NO_BUNDLE). */
  function loadedFromSources(args: string[]): string[] {
    const r = strataIn(checkout, ['--root', join(tmp.path, 'root'), ...args], { STRATA_NO_BUNDLE: '1' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.ran).toBe('sources');
    const prefix = `file://${checkout}/`;
    return r.modules.filter((m) => m.startsWith(`${prefix}src/`)).map((m) => m.slice(prefix.length));
  }

  // A common chunk takes the modules its members import unless an earlier group took them: grouped
  // in the wrong order, the store's modules went into the builder's, the registry's and the API
  // server's chunks, and a listing loaded twice the code it runs.
  it.each([[['images']], [['system', 'df', '-v']], [['ps', '-a']]])('%j loads the chunks of the modules the sources load, no more', (args) => {
    loadedFromSources(args); // the first run makes the sources' command table
    const fromSources = loadedFromSources(args);
    expect(fromSources).toContain('src/main/engine/engine.ts');
    expect(loaded(args).sources.sort()).toEqual(fromSources.sort());
  });

  it('a command\'s --help loads no SQLite when the command\'s module does not need it', () => {
    const { stdout, sources, modules } = loaded(['image', 'ls', '--help']);
    expect(stdout).toMatch(/^Usage: {2}strata image ls/);
    expect(sources.filter((m) => m.includes('/commands/'))).toEqual(['src/main/cli/commands/image-list.ts']);
    expect(modules.filter((m) => /better-sqlite3/.test(m))).toEqual([]);
  });
});
