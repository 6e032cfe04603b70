/**
 * Run by idmap.test.ts as an ordinary user with a subordinate range (and as root, for the
 * comparison): stores a base image whose files have several owners, builds the issue's
 * Dockerfile (USER nobody cannot write root's /tmp) and one that succeeds, runs a container as
 * nobody, then removes the whole store; prints what it saw as one JSON line.
 *   node idmap-run.ts DIR
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import * as tar from 'tar-stream';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { build, type BuildEvent } from '../../src/main/engine/build/builder.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { idMapping } from '../../src/main/engine/snapshot/idmap.ts';
import { removeTree } from '../../src/main/engine/snapshot/rootfs.ts';
import { commitContainer } from '../../src/main/engine/container/commit.ts';
import { copyIn, copyOut } from '../../src/main/engine/container/copy.ts';
import { exportRootfs } from '../../src/main/engine/container/export.ts';
import { BUSYBOX, storeImage, writeTar } from '../fixtures/busybox.ts';

const dir = process.argv[2]!;
const why = sandboxUnavailable();
if (why) {
  console.log(JSON.stringify({ skipped: why }));
  process.exit(0);
}
const store = join(dir, 'store');
const engine = Engine.open({ root: store });

/** A busybox base like the issue's: /tmp is root's 0755, a private home of uid 1000, one of nobody. */
async function storeBase(): Promise<void> {
  await writeTar(join(dir, 'base.tar'), [
    { type: 'dir', name: 'bin/' },
    { type: 'hostfile', name: 'bin/busybox', source: BUSYBOX! },
    ...['sh', 'id', 'ls', 'touch', 'mkdir', 'echo', 'cat', 'chown', 'stat'].map((a) => ({ type: 'symlink' as const, name: `bin/${a}`, target: 'busybox' })),
    { type: 'dir', name: 'etc/' },
    { type: 'file', name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/home/nobody:/bin/false\n' },
    { type: 'file', name: 'etc/group', content: 'root:x:0:\napp:x:1000:\nnogroup:x:65534:\n' },
    { type: 'dir', name: 'home/' },
    { type: 'dir', name: 'home/app/', mode: 0o700, uid: 1000, gid: 1000 },
    { type: 'file', name: 'home/app/secret', content: 's\n', mode: 0o600, uid: 1000, gid: 1000 },
    { type: 'dir', name: 'home/nobody/', uid: 65534, gid: 65534 },
    { type: 'dir', name: 'tmp/', mode: 0o755 },
  ]);
  await storeImage(engine, [join(dir, 'base.tar')], { tags: ['idmap-base'] });
}

async function buildText(name: string, dockerfile: string): Promise<{ imageId?: string; error?: string; logs: string }> {
  const context = join(dir, name);
  mkdirSync(context, { recursive: true });
  writeFileSync(join(context, 'Dockerfile'), dockerfile);
  const events: BuildEvent[] = [];
  try {
    const r = await build(engine, { context, tags: [name], onEvent: (e) => events.push(e) });
    return { imageId: r.imageId, logs: logsOf(events) };
  } catch (err) {
    return { error: (err as Error).message, logs: logsOf(events) };
  }
}

const logsOf = (events: BuildEvent[]): string => events.map((e) => (e.type === 'log' ? e.text : '')).join('');

async function run(image: string, user: string, script: string): Promise<{ code: number; output: string }> {
  // One stream for both outputs (stderr into stdout inside), so lines keep the order they were written in.
  const c = engine.containers.create({ image, cmd: ['sh', '-c', `exec 2>&1; ${script}`], user });
  const p = await engine.containers.start(c.id);
  const out: string[] = [];
  p.onData((d) => out.push(d.toString()));
  p.end();
  const code = (await p.exited).exitCode;
  await engine.containers.remove(c.id);
  return { code, output: out.join('') };
}

/** Owners in a tar stream: `path uid:gid` for the paths asked for. */
async function tarOwners(stream: NodeJS.ReadableStream, paths: string[]): Promise<string[]> {
  const extract = tar.extract();
  const out: string[] = [];
  const done = buffer(stream.pipe(extract) as unknown as NodeJS.ReadableStream).catch(() => undefined);
  for await (const e of extract) {
    const name = e.header.name.replace(/\/$/, '');
    if (paths.includes(name)) out.push(`${name} ${e.header.uid}:${e.header.gid}`);
    e.resume();
  }
  await done;
  return out.sort();
}

/**
 * A running container: exec as nobody and as root, cp into nobody's directory and out of app's
 * private one, export, then commit: everything with the image's owners and docker's permissions.
 */
async function containerFiles(): Promise<Record<string, unknown>> {
  const c = engine.containers.create({ image: 'idmap-ok', cmd: ['sh', '-c', 'echo started; read x'], user: '0' });
  const main = await engine.containers.start(c.id);
  await new Promise<void>((resolve) => main.onData((d) => d.toString().includes('started') && resolve()));
  const exec = async (user: string, script: string): Promise<string> => {
    const p = await engine.containers.exec(c.id, { args: ['sh', '-c', script], user });
    const out: string[] = [];
    p.onData((d) => out.push(d.toString()));
    p.end();
    await p.exited;
    return out.join('');
  };
  const execNobody = await exec('nobody', 'touch /etc/x; touch /home/nobody/by-exec && echo made');
  writeFileSync(join(dir, 'in.txt'), 'in\n');
  const view = await engine.containers.rootfs(c.id);
  copyIn(view, join(dir, 'in.txt'), '/home/nobody/');
  const outFile = join(dir, 'secret-out');
  await copyOut(view, '/home/app/secret', outFile);
  const execRoot = await exec('0', 'stat -c "%u:%g %n" /home/nobody /home/nobody/in.txt /home/nobody/by-exec');
  const exported = await tarOwners(exportRootfs(view), ['home/app/secret', 'home/nobody/by-exec', 'home/nobody/in.txt']);
  main.write('\n');
  main.end();
  await main.exited;
  const img = await commitContainer(engine, c.id, { reference: 'idmap-committed' });
  const committed = engine.images.layerFiles(engine.images.layers(img.id).at(-1)!.diffId).map((f) => `${f.type} ${f.path} ${f.uid}:${f.gid}`);
  await engine.containers.remove(c.id);
  return { execNobody, execRoot, copiedOut: readFileSync(outFile, 'utf8'), copiedOutMode: (statSync(outFile).mode & 0o777).toString(8), exported, committed };
}

try {
  await storeBase();
  const issue = await buildText('idmap-issue', 'FROM idmap-base\nRUN echo hi > /hi.txt && id > /id.txt\nUSER nobody\nRUN touch /tmp/nobody-file\nCMD ["cat","/hi.txt"]\n');
  const ok = await buildText('idmap-ok', [
    'FROM idmap-base',
    'RUN echo hi > /hi.txt && id > /id.txt',
    'USER nobody',
    'RUN touch /home/nobody/f && mkdir -m 700 /home/nobody/private && echo p > /home/nobody/private/p',
    'USER app',
    'RUN echo more >> /home/app/secret && touch /home/app/mine',
    '',
  ].join('\n'));
  const layers = ok.imageId
    ? engine.images.layers(ok.imageId).slice(1).map((l) => engine.images.layerFiles(l.diffId).map((f) => `${f.type} ${f.path} ${f.uid}:${f.gid} ${f.mode.toString(8)}`))
    : [];
  // Owners as root sees them (a non-root user's own namespace shows other owners as the overflow ID).
  const owners = ok.imageId ? await run('idmap-ok', '0', 'stat -c "%u:%g %a %n" /etc/passwd /hi.txt /home/nobody/f /home/nobody/private/p /home/app /home/app/secret') : undefined;
  const asNobody = ok.imageId ? await run('idmap-ok', 'nobody', 'id; echo x >> /etc/passwd; cat /home/app/secret; touch /home/nobody/g && echo made') : undefined;
  const files = ok.imageId ? await containerFiles() : undefined;
  engine.close();
  removeTree(store);
  console.log(JSON.stringify({ files, uid: process.getuid?.(), mapping: idMapping().mode, issue, ok: { error: ok.error, logs: ok.logs }, layers, owners, asNobody, storeRemoved: !existsSync(store) }));
} catch (err) {
  engine.close();
  throw err;
}
