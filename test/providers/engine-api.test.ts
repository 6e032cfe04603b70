import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';
import { DOCKER, dockerdMissing, startDockerd, type Dockerd, type DockerResult } from '../fixtures/dockerd.ts';
import { EngineApiProvider, probe } from '../../src/main/providers/engine-api/provider.ts';
import { StrataProvider } from '../../src/main/providers/strata/provider.ts';
import { discoverEngines } from '../../src/main/providers/discovery.ts';
import type { DockerHistoryItem, DockerImageSummary } from '../../src/shared/docker-api.ts';
import { strata, type CliResult } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { repoRoot } from '../paths.ts';

/**
 * `strata -H unix://SOCK …` against a real dockerd prints what `/usr/bin/docker -H unix://SOCK …`
 * prints, byte for byte, for every command routed through the Engine API provider. Both sides read
 * one engine, loaded with archives Strata made.
 */
async function tarEntries(path: string): Promise<string[]> {
  const out: string[] = [];
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const hash = createHash('sha256');
    stream.on('data', (c: unknown) => { hash.update(c as Buffer); });
    stream.on('end', () => {
      out.push(`${header.name} ${header.type} ${header.size} ${hash.digest('hex')}`);
      next();
    });
  });
  await pipeline(createReadStream(path), extract);
  return out;
}

const skip = dockerdMissing() ?? busyboxMissing();

describe.skipIf(skip)('Engine API provider against a real dockerd', () => {
  let d: Dockerd;
  const tmp = tempDir('strata-provider-');
  const store = join(tmp.path, 'store');
  const archives: Record<'busybox' | 'app' | 'appOld', string> = { busybox: '', app: '', appOld: '' };
  let host: string[];

  const s = (args: string[], stdin = ''): Promise<CliResult> => strata(store, [...host, ...args], stdin);
  const dk = (args: string[], input?: string): Promise<DockerResult> => d.docker(args, { allowFailure: true, ...(input !== undefined ? { input } : {}) });

  /** Same stdout and exit status. Relative times may tick between the two runs: docker runs on both sides of strata. */
  async function same(args: string[], options: { stderr?: boolean } = {}): Promise<CliResult> {
    // Docker's relative times ("Up 3 seconds", "5 seconds ago") move while the commands run:
    // Strata's output must equal docker's from just before or just after it. On a loaded machine
    // the three processes can span more than a second, so that bracket is tried up to three times.
    let mine: CliResult, match: CliResult;
    for (let round = 1; ; round++) {
      const before = await dk(args);
      mine = await s(args);
      const after = mine.stdout === before.stdout ? before : await dk(args);
      match = mine.stdout === before.stdout ? before : after;
      if (mine.stdout === match.stdout || round === 3) break;
    }
    expect(mine.stdout, `strata ${args.join(' ')}`).toBe(match.stdout);
    expect(mine.code, `exit status of ${args.join(' ')}: ${mine.stderr}`).toBe(match.code);
    if (options.stderr) expect(mine.stderr).toBe(match.stderr);
    return mine;
  }

  beforeAll(async () => {
    const engine = Engine.open({ root: join(tmp.path, 'source') });
    try {
      const base = join(tmp.path, 'busybox-rootfs.tar');
      await writeBusyboxRootfs(base);
      const small = join(tmp.path, 'small.tar');
      await writeTar(small, [{ type: 'file', name: 'hello.txt', content: 'hello\n' }]);
      const other = join(tmp.path, 'other.tar');
      await writeTar(other, [{ type: 'dir', name: 'opt/' }, { type: 'file', name: 'opt/tool', content: 'x'.repeat(3000), mode: 0o755 }]);
      const history = (created: string, by: string) => ({ created, created_by: by });
      const add = '/bin/sh -c #(nop) ADD file:0123456789abcdef in / ';
      await storeImage(engine, [base], { tags: ['busybox:latest'], config: { created: '2024-01-01T00:00:00Z', history: [history('2024-01-01T00:00:00Z', add), { ...history('2024-01-01T00:00:00Z', '/bin/sh -c #(nop)  CMD ["sh"]'), empty_layer: true }] } });
      await storeImage(engine, [base, small], { tags: ['app:1'], config: { created: '2024-02-01T00:00:00Z', history: [history('2024-01-01T00:00:00Z', add), history('2024-02-01T00:00:00Z', 'COPY hello.txt / # buildkit')] } });
      await storeImage(engine, [base, other], {
        tags: ['app:old'],
        config: { created: '2024-03-01T00:00:00Z', config: { Env: ['PATH=/bin'], Cmd: ['sh'], Labels: { app: 'old', 'x<y': 'a&b' } }, history: [history('2024-01-01T00:00:00Z', add), history('2024-03-01T00:00:00Z', `/bin/sh -c echo ${'long '.repeat(20)}`)] },
      });
    } finally {
      engine.close();
    }
    for (const [name, ref] of [['busybox', 'busybox:latest'], ['app', 'app:1'], ['appOld', 'app:old']] as const) {
      archives[name] = join(tmp.path, `${name}.tar`);
      const r = await strata(join(tmp.path, 'source'), ['save', '-o', archives[name], ref]);
      if (r.code !== 0) throw new Error(r.stderr);
    }
    d = await startDockerd();
    host = ['-H', `unix://${d.socket}`];
    for (const a of Object.values(archives)) await d.docker(['load', '-i', a]);
    // One container that wrote to stdout, stderr and its filesystem, and exited.
    await d.docker(['run', '--network', 'none', '--name', 'c1', 'busybox', 'sh', '-c', 'echo out; echo err >&2; echo two; mkdir /data; echo x > /data/f; rm /etc/passwd']);
  }, 120_000);

  afterAll(async () => {
    await d?.stop();
    tmp.cleanup();
  });

  it('images, with every filter and format', async () => {
    for (const args of [
      ['images'], ['image', 'ls'], ['images', '-a'], ['images', '--digests'], ['images', '--no-trunc'], ['images', '-q'], ['images', 'app'],
      ['images', 'app:old'], ['images', 'j*'], ['images', 'nothing'], ['images', '--filter', 'label=app=old'], ['images', '-f', 'label=x<y'],
      ['images', '--filter', 'before=app:old'], ['images', '--filter', 'since=busybox'], ['images', '--filter', 'dangling=true'], ['images', '--filter', 'dangling=false'],
      ['images', '--filter', 'reference=app:*'], ['images', '--filter', 'reference=*box'], ['images', '--format', '{{json .}}'],
      ['images', '--format', 'table {{.Repository}}:{{.Tag}}\t{{.Size}}\t{{.CreatedAt}}'], ['images', '--format', '{{.ID}} {{.VirtualSize}} {{.Containers}}'],
    ]) await same(args);
    expect((await same(['images'])).stdout).toContain('app          old');
    await same(['images', '--filter', 'bogus=1'], { stderr: true });
  });

  it('history and inspect', async () => {
    for (const args of [
      ['history', 'busybox'], ['history', 'app:old'], ['history', '--no-trunc', 'app:old'], ['history', '--human=false', 'app:1'], ['history', '-q', 'app:1'],
      ['history', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}', 'app:old'], ['image', 'history', 'app:1'],
      ['image', 'inspect', 'app:old'], ['image', 'inspect', 'busybox', 'app:1'], ['image', 'inspect', '-f', '{{.Id}} {{.Size}} {{json .Config.Labels}}', 'app:old'],
    ]) await same(args);
    const missing = await same(['image', 'inspect', 'nosuch:1'], { stderr: true });
    expect(missing.stderr).toBe('Error: No such image: nosuch:1\n');
    await same(['history', 'nosuch:1'], { stderr: true });
  });

  it('tag, rmi and image prune, each on the same engine state', async () => {
    expect((await s(['tag', 'busybox', 'mine:v1'])).code).toBe(0);
    expect((await dk(['images', '--format', '{{.Repository}}:{{.Tag}}', 'mine'])).stdout).toBe('mine:v1\n');
    const mine = await s(['rmi', 'mine:v1']);
    await dk(['tag', 'busybox', 'mine:v1']);
    expect(mine.stdout).toBe((await dk(['rmi', 'mine:v1'])).stdout);
    expect(mine.stdout).toBe('Untagged: mine:v1\n');
    // A removal that deletes layers, then the same archive back.
    const removed = await s(['rmi', 'app:old']);
    await d.docker(['load', '-i', archives.appOld]);
    expect(removed.stdout).toBe((await dk(['rmi', 'app:old'])).stdout);
    expect(removed.stdout).toMatch(/^Untagged: app:old\nDeleted: sha256:[0-9a-f]{64}\n/);
    await d.docker(['load', '-i', archives.appOld]);
    await same(['rmi', 'nosuch:1', 'also-missing'], { stderr: true });
    // Prune: app:old retagged away leaves it dangling; refused prompts reclaim nothing.
    await same(['image', 'prune'], { stderr: false });
    await d.docker(['tag', 'app:1', 'app:old']);
    const pruned = await s(['image', 'prune', '-f']);
    expect(pruned.stdout).toMatch(/^Deleted Images:\ndeleted: sha256:[0-9a-f]{64}\n/);
    await d.docker(['load', '-i', archives.appOld]);
    await d.docker(['tag', 'app:1', 'app:old']);
    expect(pruned.stdout).toBe((await dk(['image', 'prune', '-f'])).stdout);
    await d.docker(['load', '-i', archives.appOld]);
  });

  it('save writes the engine\'s archive; load prints docker\'s lines', async () => {
    const out = join(tmp.path, 'out');
    mkdirSync(out);
    expect((await s(['save', '-o', join(out, 'mine.tar'), 'app:1', 'busybox'])).code).toBe(0);
    await dk(['save', '-o', join(out, 'theirs.tar'), 'app:1', 'busybox']);
    // Two docker saves differ too: which directory holds a shared layer (the others link to it) and the
    // manifest's order follow map order. Compare what they say: configs, repositories, the layers' bytes.
    const summary = (entries: string[]): string[] => entries
      .filter((e) => !e.startsWith('manifest.json ') && !/\/layer\.tar symlink /.test(e))
      .map((e) => (/\/layer\.tar file /.test(e) ? `layer.tar ${e.split(' ').slice(2).join(' ')}` : e))
      .sort();
    const mineEntries = await tarEntries(join(out, 'mine.tar'));
    expect(mineEntries.length).toBeGreaterThan(4);
    expect(summary(mineEntries)).toEqual(summary(await tarEntries(join(out, 'theirs.tar'))));
    await dk(['rmi', 'app:old']);
    const loaded = await s(['load', '-i', archives.appOld]);
    await dk(['rmi', 'app:old']);
    expect(loaded.stdout).toBe((await dk(['load', '-i', archives.appOld])).stdout);
    expect(loaded.stdout).toBe('Loaded image: app:old\n');
  });

  it('system df, also -v, and containers: ps, logs, diff', async () => {
    for (const args of [
      ['system', 'df'], ['system', 'df', '-v'], ['system', 'df', '--format', '{{.Type}} {{.Size}} {{.Reclaimable}}'],
      ['ps'], ['ps', '-a'], ['ps', '-a', '--no-trunc'], ['ps', '-aq'], ['ps', '-a', '--filter', 'name=c1'], ['ps', '-a', '--filter', 'status=running'],
      ['ps', '-a', '--format', '{{.Names}} {{.Image}} {{.Command}} {{.State}}'], ['ps', '-a', '-s'], ['ps', '-n', '1'],
      ['logs', 'c1'], ['logs', '--tail', '1', 'c1'], ['logs', '-t', 'c1'],
    ]) await same(args);
    expect((await s(['logs', 'c1'])).stderr).toBe('err\n');
    // The engine's order of changes varies from call to call (docker prints it as it comes).
    const sorted = (out: string): string[] => out.split('\n').sort();
    const diff = await s(['diff', 'c1']);
    expect(sorted(diff.stdout)).toEqual(sorted((await dk(['diff', 'c1'])).stdout));
    expect(sorted(diff.stdout)).toEqual(sorted('A /data\nA /data/f\nC /etc\nD /etc/passwd\n'));
    await same(['logs', 'nosuch'], { stderr: true });
  });

  it('commit and rm', async () => {
    const committed = await s(['commit', '-m', 'from strata', 'c1', 'snap:1']);
    expect(committed.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect((await dk(['image', 'inspect', '-f', '{{.Comment}} {{index .RepoTags 0}}', committed.stdout.trim()])).stdout).toBe('from strata snap:1\n');
    await d.docker(['create', '--network', 'none', '--name', 'gone1', 'busybox']);
    await d.docker(['create', '--network', 'none', '--name', 'gone2', 'busybox']);
    const mine = await s(['rm', 'gone1', 'nosuch']);
    const theirs = await dk(['rm', 'gone2', 'nosuch']);
    expect(mine.stdout.replace('gone1', 'gone2')).toBe(theirs.stdout);
    expect(mine.stderr).toBe(theirs.stderr);
    expect(mine.code).toBe(theirs.code);
  });

  it('the Strata store and the engine give the same answers through the seam (images, history, inspect)', async () => {
    const engine = Engine.open({ root: join(tmp.path, 'source') });
    const api = await EngineApiProvider.connect({ host: `unix://${d.socket}` });
    try {
      const local = new StrataProvider(engine);
      const pick = (l: DockerImageSummary[]) => l.filter((i) => i.RepoTags?.some((t) => /^(busybox|app):/.test(t))).map((i) => [i.Id, [...(i.RepoTags ?? [])].sort(), i.Created, i.ParentId]);
      expect(pick(await local.listImages({ filters: { reference: ['app'] } }))).toEqual(pick(await api.listImages({ filters: { reference: ['app'] } })));
      for (const ref of ['busybox:latest', 'app:1']) {
        const strip = (h: DockerHistoryItem[]) => h.map((x) => [x.Created, x.CreatedBy, x.Comment]);
        expect(strip(await local.imageHistory(ref))).toEqual(strip(await api.imageHistory(ref)));
        const [a, b] = [await local.inspectImage(ref), await api.inspectImage(ref)];
        for (const key of ['Id', 'Created', 'Architecture', 'Os', 'RootFS']) expect(a[key], key).toEqual(b[key]);
      }
      await expect(api.inspectImage('nosuch:1')).rejects.toMatchObject({ code: 'not-found' });
    } finally {
      engine.close();
    }
  });

  it('probe: reachable with the negotiated version, unreachable, too old', async () => {
    expect(await probe({ host: `unix://${d.socket}` })).toMatchObject({ state: 'reachable', apiVersion: '1.41', version: expect.stringMatching(/^20\./) });
    expect(await probe({ host: `unix://${join(tmp.path, 'no.sock')}` })).toMatchObject({ state: 'unreachable', message: expect.stringContaining('Is the docker daemon running?') });
    // An engine older than 1.41 (Docker 19.03 speaks 1.40): a socket that answers /_ping as it does.
    const sock = join(tmp.path, 'old.sock');
    const old = createServer((req, res) => {
      res.writeHead(200, { 'API-Version': '1.40', 'Content-Type': 'text/plain' });
      res.end('OK');
    });
    await new Promise<void>((r) => old.listen(sock, r));
    try {
      const state = await probe({ host: `unix://${sock}` });
      expect(state).toMatchObject({ state: 'too-old', apiVersion: '1.40' });
      const r = await strata(store, ['-H', `unix://${sock}`, 'images']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('speaks Engine API 1.40: too old, Strata needs 1.41 or newer');
    } finally {
      await new Promise((r) => old.close(r));
    }
  });

  it('contexts in docker\'s format: strata creates, docker reads, --context and context use route there', async () => {
    const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR };
    const config = join(tmp.path, 'docker-config');
    process.env.DOCKER_CONFIG = config;
    process.env.XDG_CONFIG_HOME = join(tmp.path, 'xdg-config');
    process.env.XDG_RUNTIME_DIR = join(tmp.path, 'run');
    try {
      const created = await strata(store, ['context', 'create', 'engine1', '--description', 'the test engine', '--docker', `host=unix://${d.socket}`]);
      expect(created).toMatchObject({ code: 0, stdout: 'engine1\n', stderr: 'Successfully created context "engine1"\n' });
      const meta = JSON.parse(readFileSync(join(config, 'contexts', 'meta', createHash('sha256').update('engine1').digest('hex'), 'meta.json'), 'utf8'));
      expect(meta).toEqual({ Name: 'engine1', Metadata: { Description: 'the test engine' }, Endpoints: { docker: { Host: `unix://${d.socket}`, SkipTLSVerify: false } } });
      const env = { ...process.env, DOCKER_HOST: '' };
      const theirs = execFileSync(DOCKER, ['context', 'inspect', '-f', '{{.Endpoints.docker.Host}} {{json .Metadata}}', 'engine1'], { env, encoding: 'utf8' });
      expect(theirs.startsWith(`unix://${d.socket} `)).toBe(true);
      expect(theirs).toContain('"Description":"the test engine"');
      // (no relative times: an image committed seconds ago would tick between the two runs)
      const list = ['images', '--format', 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedAt}}\t{{.Size}}'];
      const viaDocker = execFileSync(DOCKER, ['--context', 'engine1', ...list], { env, encoding: 'utf8' });
      expect((await strata(store, ['--context', 'engine1', ...list])).stdout).toBe(viaDocker);
      // A context docker made is Strata's too.
      execFileSync(DOCKER, ['context', 'create', 'made-by-docker', '--docker', `host=unix://${d.socket}`], { env });
      expect((await strata(store, ['context', 'ls', '--format', '{{.Name}} {{.DockerEndpoint}}'])).stdout).toBe(
        `default strata://${store}\nengine1 unix://${d.socket}\nmade-by-docker unix://${d.socket}\n`,
      );
      // use: every command goes there until "default" (the Strata store) is chosen again
      expect((await strata(store, ['context', 'use', 'made-by-docker'])).code).toBe(0);
      expect((await strata(store, list)).stdout).toBe(viaDocker);
      expect((await strata(store, ['context', 'ls', '-q'])).stdout).toBe('default\nengine1\nmade-by-docker\n');
      expect((await strata(store, ['context', 'ls'])).stdout).toContain('made-by-docker *');
      await strata(store, ['context', 'use', 'default']);
      expect((await strata(store, list)).stdout).toBe('REPOSITORY   TAG       IMAGE ID   CREATED AT   SIZE\n');
      expect((await strata(store, ['--context', 'nosuch', 'images'])).stderr).toBe('Error: context "nosuch" does not exist\n');
      // Discovery: the contexts, and the rootless socket where docker would look.
      mkdirSync(join(tmp.path, 'run'));
      symlinkSync(d.socket, join(tmp.path, 'run', 'docker.sock'));
      const found = await discoverEngines({ ...process.env, DOCKER_HOST: `unix://${join(tmp.path, 'gone.sock')}` }, 20_000);
      expect(found.map((e) => [e.id, e.status.state])).toEqual(expect.arrayContaining([
        ['DOCKER_HOST', 'unreachable'], ['engine1', 'reachable'], ['docker-rootless', 'reachable'],
      ]));
      // the same endpoint is listed once
      expect(found.filter((e) => e.endpoint.host === `unix://${d.socket}`)).toHaveLength(1);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it.skipIf(!existsSync('/usr/bin/setpriv'))('a user the socket refuses gets permission denied and how to fix it', async () => {
    // The daemon's socket sits in a 0700 directory of root's: nobody may not connect.
    const cli = join(repoRoot, 'src/main/cli/main.ts');
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, '-H', `unix://${d.socket}`, 'images'], { env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent' } }, (err, _out, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
      });
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: permission denied while trying to connect to the Docker daemon socket at unix://${d.socket}: add yourself to the docker group (\`sudo usermod -aG docker $USER\`, then log in again) or use rootless Docker ($XDG_RUNTIME_DIR/docker.sock)\n`);
  });

  it('commands not routed yet say so', async () => {
    const r = await s(['kill', 'c1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error: "strata kill" is not supported against an Engine API provider yet\n');
  });
});
