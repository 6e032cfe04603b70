/**
 * Run by container-files.test.ts as an unprivileged user (the rootless store): the container
 * places links to a file of that user at `<path>.strata-tmp`, then `cp` into it, a Files-tab save,
 * and exports while it swaps a file for a link run; prints what happened to the user's files.
 *   node container-files-rootless.ts DIR
 */
import { readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { copyIn } from '../../src/main/engine/container/copy.ts';
import { exportRootfs } from '../../src/main/engine/container/export.ts';
import { storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';

const dir = process.argv[2]!;
const why = sandboxUnavailable();
if (why) {
  console.log(JSON.stringify({ skipped: why }));
  process.exit(0);
}
const engine = Engine.open({ root: join(dir, 'store') });
const victim = join(dir, 'victim');
const secret = join(dir, 'secret');
const marker = `ROOTLESS-SECRET-${process.pid}-0123456789`;
writeFileSync(victim, 'user original\n');
chmodSync(victim, 0o644);
writeFileSync(secret, marker);

async function run(script: string): Promise<string> {
  const c = engine.containers.create({ image: 'base', cmd: ['sh', '-c', script] });
  const p = await engine.containers.start(c.id);
  p.end();
  await p.exited;
  return c.id;
}

try {
  await writeBusyboxRootfs(join(dir, 'base.tar'));
  await storeImage(engine, [join(dir, 'base.tar')], { tags: ['base'] });
  const id = await run(`echo old > /etc/a; chmod 6777 /etc/a; ln -s ${victim} /etc/a.strata-tmp; ln -s ${victim} /etc/b.strata-tmp`);
  const src = join(dir, 'src');
  writeFileSync(src, 'from the host\n');
  const view = await engine.containers.rootfs(id);
  copyIn(view, src, '/etc/b');
  view.write('/etc/a', 'saved\n');
  const contents = { a: view.readText('/etc/a'), b: view.readText('/etc/b') };
  // A running container swapping /f between a file and a link to the user's secret.
  const benign = 'b'.repeat(marker.length);
  const racer = engine.containers.create({
    image: 'base', cmd: ['sh', '-c', `while :; do ln -s ${secret} /t1; mv -f /t1 /f; printf %s ${benign} > /t2; mv -f /t2 /f; done`],
  });
  const proc = await engine.containers.start(racer.id);
  await new Promise((r) => setTimeout(r, 300));
  let leaked = 0;
  try {
    for (let i = 0; i < 20; i++) {
      const chunks: Buffer[] = [];
      for await (const c of exportRootfs(await engine.containers.rootfs(racer.id))) chunks.push(c as Buffer);
      if (Buffer.concat(chunks).includes(marker)) leaked++;
    }
  } finally {
    proc.kill('SIGKILL');
    await proc.exited.catch(() => {});
  }
  console.log(JSON.stringify({
    uid: process.getuid?.(), victim: readFileSync(victim, 'utf8'), victimMode: statSync(victim).mode & 0o7777, contents, leaked,
  }));
} finally {
  engine.close();
}
