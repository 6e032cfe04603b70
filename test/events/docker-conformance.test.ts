/**
 * The same operations on a real dockerd and on a Strata store give the same events: type, action,
 * actor and attributes, in the same order (IDs that differ by nature, such as container IDs and
 * committed images, compared by their first appearance).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { saveImages, selectImages } from '../../src/main/engine/archive/save.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';

function dockerMissing(): string | undefined {
  if (!['/usr/bin/dockerd', '/usr/sbin/dockerd'].some(existsSync) || !existsSync('/usr/bin/docker')) return 'docker.io (dockerd and docker) is not installed';
  if (process.getuid?.() !== 0) return 'dockerd needs root here';
  return busyboxMissing() ?? sandboxUnavailable();
}

interface Message { status?: string; id?: string; from?: string; Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> } }

/** Messages of image and container events, every 64-hex ID replaced by its order of first appearance. */
function normalise(jsonLines: string): Message[] {
  const ids = new Map<string, string>();
  const rename = (s: string): string => s.replace(/(sha256:)?[0-9a-f]{64}/g, (m) => {
    if (!ids.has(m)) ids.set(m, `ID${ids.size + 1}`);
    return ids.get(m)!;
  });
  return jsonLines.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Message)
    .filter((m) => m.Type === 'image' || m.Type === 'container')
    .map((m) => {
      const attributes = Object.fromEntries(Object.entries(m.Actor.Attributes).filter(([k]) => k !== 'execDuration').map(([k, v]) => [k, rename(v)]));
      const { status, id, from, Type, Action } = m;
      return JSON.parse(rename(JSON.stringify({ status, id, from, Type, Action, Actor: { ID: m.Actor.ID, Attributes: attributes } }))) as Message;
    });
}

const unixNow = (): string => (Date.now() / 1000).toFixed(3);

describe.skipIf(dockerMissing())('events against a real dockerd', () => {
  const tmp = tempDir();
  const sock = join(tmp.path, 'docker.sock');
  const archive = join(tmp.path, 'busybox.tar');
  let dockerd: ChildProcess;

  beforeAll(async () => {
    const source = Engine.open({ root: join(tmp.path, 'source') });
    try {
      await writeBusyboxRootfs(join(tmp.path, 'rootfs.tar'));
      await storeImage(source, [join(tmp.path, 'rootfs.tar')], { tags: ['busybox:latest'] });
      await new Promise<void>((resolve, reject) => {
        const out = createWriteStream(archive);
        out.on('finish', resolve).on('error', reject);
        void saveImages(source, selectImages(source, ['busybox:latest']), out).catch(reject);
      });
    } finally {
      source.close();
    }
    dockerd = spawn('dockerd', [
      '--iptables=false', '--ip6tables=false', '--bridge=none', '--data-root', join(tmp.path, 'docker'), '--exec-root', join(tmp.path, 'exec'),
      '-H', `unix://${sock}`, '--pidfile', join(tmp.path, 'docker.pid'),
    ], { stdio: 'ignore' });
    for (let i = 0; i < 100 && spawnSync('docker', ['-H', `unix://${sock}`, 'version'], { stdio: 'ignore' }).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  });

  afterAll(async () => {
    if (dockerd && dockerd.exitCode === null) {
      const exited = new Promise((r) => dockerd.once('exit', r));
      dockerd.kill('SIGTERM');
      await exited;
    }
    tmp.cleanup();
  });

  it('load, tag, rmi, run, commit, rm and rmi announce what docker announces', () => {
    const ops: string[][] = [
      ['load', '-i', archive], ['tag', 'busybox:latest', 'x:1'], ['rmi', 'x:1'],
      ['run', '--name', 'c1', 'busybox', 'true'], ['commit', '-m', 'hi', 'c1', 'y:2'], ['rm', 'c1'], ['rmi', 'y:2', 'busybox'],
    ];
    const run = (cmd: string, prefix: string[], args: string[]): string => {
      const r = spawnSync(cmd, [...prefix, ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const docker = ['-H', `unix://${sock}`];
    const strata = ['--root', join(tmp.path, 'strata')];
    const strataBin = join(repoRoot, 'bin', 'strata');

    const dockerSince = unixNow();
    for (const op of ops) run('docker', docker, op[0] === 'run' ? ['run', '--network', 'none', ...op.slice(1)] : op);
    const dockerEvents = run('docker', docker, ['events', '--since', dockerSince, '--until', unixNow(), '--format', '{{json .}}']);

    const strataSince = unixNow();
    for (const op of ops) run(strataBin, strata, op);
    const strataEvents = run(strataBin, strata, ['events', '--since', strataSince, '--until', unixNow(), '--format', 'json']);

    const expected = normalise(dockerEvents);
    expect(expected.map((m) => `${m.Type} ${m.Action}`)).toContain('container commit');
    expect(normalise(strataEvents)).toEqual(expected);
  });
});
