/**
 * Starting Strata on a machine that is not set up yet: `bin/strata` on a Node older than 24 says
 * what to run instead of printing a stack, and `strata ui` opens the default browser only when
 * there is a display and `--no-open` was not given.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';
import { browserOpener } from '../../src/main/cli/commands/ui.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Debian's own Node (20 on bookworm) when it is older than 24, the case a fresh clone meets. */
function oldSystemNode(): string | undefined {
  const r = spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' });
  const major = Number(/^v(\d+)/.exec(r.stdout ?? '')?.[1]);
  return major > 0 && major < 24 ? r.stdout.trim() : undefined;
}

describe("bin/strata's compile cache without a writable home", () => {
  // A HOME no one can create directories in (a service user's /nonexistent; here a path under a
  // regular file, which refuses even root), and a private TMPDIR.
  const notADir = join(tmp.path, 'not-a-dir');
  writeFileSync(notADir, '');
  const env = (tmpdir: string): NodeJS.ProcessEnv => {
    const { NODE_COMPILE_CACHE: _n, STRATA_CACHE_DIR: _s, XDG_CACHE_HOME: _x, ...rest } = process.env;
    return { ...rest, HOME: join(notADir, 'home'), TMPDIR: tmpdir, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' };
  };
  const uid = process.getuid?.() ?? 0;

  it('keeps it in a private directory of its own under TMPDIR, and reads it back on the next run', () => {
    const tmpdir = join(tmp.path, 'tmp-private');
    mkdirSync(tmpdir);
    const first = spawnSync(join(repoRoot, 'bin', 'strata'), ['--version'], { encoding: 'utf8', env: env(tmpdir), timeout: 60_000 });
    expect(first.stdout).toBe('strata version 0.1.0\n');
    const dir = join(tmpdir, `strata-cache-${uid}`);
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toContain('node-compile-cache');
    const second = spawnSync(join(repoRoot, 'bin', 'strata'), ['--version'], { encoding: 'utf8', env: env(tmpdir), timeout: 60_000 });
    expect(second.stderr).toMatch(/\[compile cache\] reading cache from .*strata-cache-\d+.* success/);
  });

  it('never writes through a link someone left at that name', () => {
    const tmpdir = join(tmp.path, 'tmp-link');
    const elsewhere = join(tmp.path, 'elsewhere');
    mkdirSync(tmpdir);
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(tmpdir, `strata-cache-${uid}`));
    const r = spawnSync(join(repoRoot, 'bin', 'strata'), ['--version'], { encoding: 'utf8', env: env(tmpdir), timeout: 60_000 });
    expect(r.stdout).toBe('strata version 0.1.0\n');
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});

describe('bin/strata before set-up', () => {
  // A copy of the launcher in a checkout with no .toolchain/: it falls back to the system Node.
  const checkout = join(tmp.path, 'checkout');
  mkdirSync(join(checkout, 'bin'), { recursive: true });
  copyFileSync(join(repoRoot, 'bin', 'strata'), join(checkout, 'bin', 'strata'));

  it('on a Node older than 24 it says to run scripts/setup.sh and exits 1', ({ skip }) => {
    if (!oldSystemNode()) skip('needs a system Node older than 24 at /usr/bin/node (Debian\'s nodejs)');
    const r = spawnSync(join(checkout, 'bin', 'strata'), ['images'], { encoding: 'utf8', env: { ...process.env, PATH: '/usr/bin:/bin' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`strata needs Node 24 or newer (found: ${oldSystemNode()}). Run: bash ${checkout}/scripts/setup.sh\n`);
    expect(r.stdout).toBe('');
  });

  it('with no Node at all it says the same', () => {
    const emptyPath = join(tmp.path, 'empty-path');
    mkdirSync(emptyPath);
    const r = spawnSync('/bin/bash', [join(checkout, 'bin', 'strata'), 'images'], { encoding: 'utf8', env: { PATH: emptyPath } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('strata needs Node 24 or newer (found: no node). Run: bash ');
  });
});

describe('strata ui opens the default browser', () => {
  it('picks the platform opener, and none on Linux without a display', () => {
    const url = 'http://127.0.0.1:1/?token=t';
    expect(browserOpener(url, { DISPLAY: ':0' }, 'linux')).toEqual(['xdg-open', url]);
    expect(browserOpener(url, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toEqual(['xdg-open', url]);
    expect(browserOpener(url, {}, 'linux')).toBeUndefined();
    expect(browserOpener(url, {}, 'darwin')).toEqual(['open', url]);
    expect(browserOpener(url, {}, 'win32')).toEqual(['cmd', '/c', 'start', '""', url]);
  });

  // The user's browser is stood in for by an `xdg-open` first on PATH that records the URL it got.
  const bin = join(tmp.path, 'opener-bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" >> "$STRATA_TEST_OPENED"\n`);
  chmodSync(join(bin, 'xdg-open'), 0o755);
  const hosts: ChildProcess[] = [];
  afterAll(() => {
    for (const h of hosts) h.kill('SIGTERM');
  });

  /** Starts `strata ui`, returns its URL and the file the stand-in browser writes. */
  async function startUi(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ url: string; opened: string }> {
    const opened = join(tmp.path, `${name}.opened`);
    const proc = spawn(join(repoRoot, 'bin', 'strata'), ['ui', '--root', join(tmp.path, name), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...env, PATH: `${bin}:${process.env.PATH}`, STRATA_TEST_OPENED: opened },
    });
    hosts.push(proc);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Open (http\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      proc.once('exit', (code) => reject(new Error(`strata ui exited with ${code}: ${out}`)));
    });
    return { url, opened };
  }

  const withoutDisplay = (): NodeJS.ProcessEnv => {
    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    return env;
  };

  it('with a display it opens the printed URL', async () => {
    const { url, opened } = await startUi('display', [], { ...withoutDisplay(), DISPLAY: ':99' });
    await expect.poll(() => existsSync(opened) && readFileSync(opened, 'utf8'), { timeout: 10_000 }).toBe(`${url}\n`);
  });

  it('with --no-open, or with no display, it opens nothing', async () => {
    const noOpen = await startUi('no-open', ['--no-open'], { ...withoutDisplay(), DISPLAY: ':99' });
    const headless = await startUi('headless', [], withoutDisplay());
    // A control host started after these two opens at once, so theirs would have been seen by now.
    const control = await startUi('control', [], { ...withoutDisplay(), DISPLAY: ':99' });
    await expect.poll(() => existsSync(control.opened), { timeout: 10_000 }).toBe(true);
    expect(existsSync(noOpen.opened)).toBe(false);
    expect(existsSync(headless.opened)).toBe(false);
  });
});
