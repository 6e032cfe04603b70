/**
 * The store's change feed across real processes on one store: `strata events` following while
 * another `strata` process changes the store, `--since` replaying what nobody watched, and a writer
 * killed mid-transaction leaving neither its change nor its event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { saveImages, selectImages } from '../../src/main/engine/archive/save.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';

const STRATA = join(repoRoot, 'bin', 'strata');
/** docker's event line: time with nanoseconds, type, action, actor ID, attributes. */
const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(?:Z|[+-]\d\d:\d\d) (\S+) (.+?) (\S*)(?: \((.*)\))?$/;

function cli(root: string, ...args: string[]): string {
  const r = spawnSync(STRATA, ['--root', root, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`strata ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** "type action name" of each printed line, for order checks. */
function summaries(out: string): string[] {
  return out.trim().split('\n').filter(Boolean).map((l) => {
    const m = LINE.exec(l);
    if (!m) throw new Error(`not docker's event line: ${l}`);
    const name = /(?:^|, )name=([^,]*)/.exec(m[4] ?? '')?.[1] ?? '';
    return `${m[1]} ${m[2]} ${name}`.trim();
  });
}

/** Blocks until the wall clock has moved into the next whole second. */
function sleepPastSecond(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000 - (Date.now() % 1000) + 20);
}

function unixNow(): string {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1e6).padStart(9, '0')}`;
}

/** Waits until `proc` printed something matching `pattern` (or fails after `ms`). */
function waitForOutput(proc: ChildProcess, pattern: RegExp, ms = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got:\n${out}`)), ms);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
  });
}

describe.skipIf(busyboxMissing())('the change feed across processes', () => {
  const tmp = tempDir();
  const archive = join(tmp.path, 'busybox.tar');

  beforeAll(async () => {
    const source = Engine.open({ root: join(tmp.path, 'source') });
    try {
      await writeBusyboxRootfs(join(tmp.path, 'rootfs.tar'));
      await storeImage(source, [join(tmp.path, 'rootfs.tar')], { tags: ['busybox:latest'], config: { config: { Env: ['PATH=/bin'], Cmd: ['sh'], Labels: { tier: 'base' } } } });
      await new Promise<void>((resolve, reject) => {
        const out = createWriteStream(archive);
        out.on('finish', resolve).on('error', reject);
        void saveImages(source, selectImages(source, ['busybox:latest']), out).catch(reject);
      });
    } finally {
      source.close();
    }
  });

  afterAll(() => tmp.cleanup());

  it('strata events prints, in order, each change another process makes, and stops on SIGINT', async () => {
    const root = join(tmp.path, 'follow');
    const since = unixNow();
    const events = spawn(STRATA, ['--root', root, 'events', '--since', since], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const running = sandboxUnavailable() === undefined;
      cli(root, 'load', '-i', archive);
      cli(root, 'tag', 'busybox', 'bb:v1');
      if (running) {
        cli(root, 'run', '--name', 'c1', 'busybox', 'true');
        cli(root, 'commit', 'c1', 'bb:committed');
        cli(root, 'rm', 'c1');
      }
      cli(root, 'rmi', 'bb:v1');
      cli(root, 'image', 'prune', '-af');
      const out = await waitForOutput(events, /image prune/);
      const seen = summaries(out);
      const expected = [
        'image load sha256:', 'image tag bb:v1',
        ...(running ? ['container create c1', 'container attach c1', 'container start c1', 'container die c1', 'image tag bb:committed', 'container commit c1', 'container destroy c1'] : []),
        'image untag sha256:', 'image delete sha256:', 'layer delete', 'image prune',
      ];
      // Each expected event, in this order (prune adds untag/delete lines between them).
      let at = 0;
      for (const e of expected) {
        const found = seen.findIndex((s, i) => i >= at && s.startsWith(e));
        expect(found, `"${e}" after line ${at} in:\n${seen.join('\n')}`).toBeGreaterThanOrEqual(at);
        at = found + 1;
      }
      expect(out).toMatch(/ image tag sha256:[0-9a-f]{64} \(name=bb:v1, tier=base\)\n/);
      if (running) expect(out).toMatch(/ container die [0-9a-f]{64} \(execDuration=\d+, exitCode=0, image=busybox, name=c1, tier=base\)\n/);
      const exited = new Promise<number | null>((resolve) => events.once('exit', (code) => resolve(code)));
      events.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      events.kill('SIGKILL');
    }
  });

  it('--since replays what was recorded while nothing watched; --until ends the stream', () => {
    const root = join(tmp.path, 'replay');
    const before = unixNow();
    cli(root, 'load', '-i', archive);
    cli(root, 'tag', 'busybox', 'later:1');
    const json = cli(root, 'events', '--since', before, '--until', unixNow(), '--format', 'json', '--filter', 'event=tag');
    const messages = json.trim().split('\n').map((l) => JSON.parse(l) as { Type: string; Action: string; Actor: { Attributes: Record<string, string> }; timeNano: number });
    expect(messages.map((m) => `${m.Type} ${m.Action} ${m.Actor.Attributes.name}`)).toEqual(['image tag later:1']);
    expect(json).toMatch(/"scope":"local","time":\d{10},"timeNano":\d{19}}\n$/);
    // docker's relative form and its filters: the load is an image event, the tag filtered out by event=.
    // docker sends a relative --until in whole seconds (GetTimestamp), so `0s` is the start of this
    // second; an event recorded within it is after `0s`, as with docker. Wait for the next second.
    sleepPastSecond();
    const relative = cli(root, 'events', '--since', '10m', '--until', '0s', '--filter', 'type=image', '--filter', 'event=load');
    expect(summaries(relative)).toEqual([expect.stringMatching(/^image load sha256:/)]);
    expect(cli(root, 'events', '--since', '10m', '--until', '0s', '--filter', 'image=later')).toMatch(/ image tag .*name=later:1/);
    const bad = spawnSync(STRATA, ['--root', root, 'events', '--since', 'yesterday-ish'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/parsing time|failed to parse/);
  });

  it('a build announces its cache rows and its tag; builder prune announces what it reclaimed', () => {
    const root = join(tmp.path, 'build');
    cli(root, 'load', '-i', archive);
    const context = join(tmp.path, 'context');
    mkdirSync(context, { recursive: true });
    writeFileSync(join(context, 'Dockerfile'), 'FROM busybox\nCOPY f /f\n');
    writeFileSync(join(context, 'f'), 'x\n');
    const since = unixNow();
    cli(root, 'build', '-t', 'built:1', context);
    cli(root, 'builder', 'prune', '-af');
    const out = cli(root, 'events', '--since', since, '--until', unixNow(), '--filter', 'type=builder', '--filter', 'type=image');
    const seen = summaries(out);
    expect(seen.filter((l) => l.startsWith('builder cache')).length).toBeGreaterThan(0);
    expect(seen.indexOf('image tag built:1')).toBeGreaterThan(seen.findIndex((l) => l.startsWith('builder cache')));
    expect(seen.at(-1)).toBe('builder prune');
    expect(out).toMatch(/ builder cache sha256:[0-9a-f]{64} \(description=COPY f \/f/);
    expect(out).toMatch(/ builder prune  \(reclaimed=\d+\)\n$/);
  });

  it('--until in the future follows until then and exits', async () => {
    const root = join(tmp.path, 'window');
    cli(root, 'load', '-i', archive);
    const until = (Date.now() / 1000 + 4).toFixed(3);
    // --since now as well: the tag below may commit before the process has started following.
    const events = spawn(STRATA, ['--root', root, 'events', '--since', unixNow(), '--until', until], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    events.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => events.once('exit', (code) => resolve(code)));
    cli(root, 'tag', 'busybox', 'window:1');
    expect(await exited).toBe(0);
    expect(Date.now() / 1000).toBeGreaterThanOrEqual(Number(until) - 0.05);
    expect(summaries(out)).toEqual(['image tag window:1']);
  });

  it('a writer killed mid-transaction leaves neither the change nor its event', async () => {
    const root = join(tmp.path, 'crash');
    cli(root, 'load', '-i', archive);
    // A writer that tags inside a transaction and then hangs there until killed (or commits with `commit`).
    const writer = join(tmp.path, 'writer.ts');
    writeFileSync(writer, `
      import { Engine } from ${JSON.stringify(join(repoRoot, 'src/main/engine/engine.ts'))};
      const engine = Engine.open({ root: process.argv[2] });
      engine.db.transaction(() => {
        engine.images.tag('busybox', process.argv[3]);
        process.stdout.write('inside\\n');
        if (process.argv[4] !== 'commit') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
      }).immediate();
      engine.close();
    `);
    const run = (tag: string, mode: string): ChildProcess => spawn(process.execPath, [writer, root, tag, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const killed = run('crash:1', 'hang');
    await waitForOutput(killed, /inside/);
    const gone = new Promise((resolve) => killed.once('exit', resolve));
    killed.kill('SIGKILL');
    await gone;
    const committed = run('kept:1', 'commit');
    await new Promise((resolve) => committed.once('exit', resolve));

    const engine = Engine.open({ root });
    try {
      const tags = engine.events.read().filter((e) => e.action === 'tag').map((e) => e.attributes.name);
      expect(engine.images.tryResolve('crash:1')).toBeUndefined();
      expect(engine.images.tryResolve('kept:1')).toBeDefined();
      expect(tags).toEqual(['kept:1']);
    } finally {
      engine.close();
    }
  });
});
