/**
 * Run by rootless.test.ts as an unprivileged user: creates a store, runs a container that changes
 * files (a deletion, an opaque directory), commits it and runs the result; prints what it saw.
 *   node rootless-run.ts DIR
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { commitContainer } from '../../src/main/engine/container/commit.ts';
import { storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';

const dir = process.argv[2]!;
const why = sandboxUnavailable();
if (why) {
  console.log(JSON.stringify({ skipped: why }));
  process.exit(0);
}
const engine = Engine.open({ root: join(dir, 'store') });
const output: string[] = [];
async function run(image: string, script: string): Promise<{ id: string; code: number }> {
  const c = engine.containers.create({ image, cmd: ['sh', '-c', script] });
  const p = await engine.containers.start(c.id);
  p.onData((d) => output.push(d.toString()));
  p.end();
  return { id: c.id, code: (await p.exited).exitCode };
}
try {
  await writeBusyboxRootfs(join(dir, 'base.tar'));
  await storeImage(engine, [join(dir, 'base.tar')], { tags: ['rootless-base'] });
  const first = await run('rootless-base', 'id -u; rm /etc/group; rm -rf /root; mkdir /root; echo hi > /root/x');
  const diff = (await engine.containers.changes(first.id)).map((c) => `${c.kind} ${c.path}`);
  const img = await commitContainer(engine, first.id, { reference: 'rootless-out' });
  const files = engine.images.layerFiles(engine.images.layers(img.id).at(-1)!.diffId).map((f) => `${f.type} ${f.path} ${f.uid}:${f.gid}`);
  const second = await run('rootless-out', 'stat -c "%u:%g %n" /root/x; test -e /etc/group || echo no-group');
  // overlayfs leaves a mode-000 work dir behind; removal must still work without root.
  await engine.containers.remove(first.id);
  const removed = !existsSync(engine.containers.dirOf(first.id));
  console.log(JSON.stringify({ uid: process.getuid?.(), codes: [first.code, second.code], diff, files, output: output.join(''), removed }));
} finally {
  engine.close();
}
