/**
 * Runs attack scripts in the sandbox the way users do — `run` (a container) and a build's RUN —
 * and prints what each saw as one JSON line. sandbox.test.ts runs it in-process as root and,
 * through setpriv, as an unprivileged user (rootless), so both paths face the same attacks.
 *   node sandbox-probe.ts DIR '[{"via":"run"|"build","script":"…","network":"host"?,"user":"65534"?}]'
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { build, type BuildEvent } from '../../src/main/engine/build/builder.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import type { NetworkMode } from '../../src/main/engine/runtime/policy.ts';
import { storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';

export interface Probe {
  via: 'run' | 'build' | 'exec';
  script: string;
  network?: NetworkMode;
  /** `build --network`. */
  buildNetwork?: 'host' | 'none';
  /** `build --allow`. */
  allow?: string[];
  user?: string;
}
export interface ProbeResult { code: number; output: string }

async function inContainer(engine: Engine, p: Probe): Promise<ProbeResult> {
  const exec = p.via === 'exec';
  const c = engine.containers.create({
    image: 'probe-base', cmd: ['sh', '-c', exec ? 'echo ready; sleep 60' : p.script],
    ...(p.network ? { network: p.network } : {}), ...(p.user && !exec ? { user: p.user } : {}),
  });
  const main = await engine.containers.start(c.id);
  const chunks: Buffer[] = [];
  let proc = main;
  if (exec) {
    await new Promise<void>((resolve) => main.onData((d) => d.toString().includes('ready') && resolve()));
    proc = await engine.containers.exec(c.id, { args: ['sh', '-c', p.script], ...(p.user ? { user: p.user } : {}) });
  }
  proc.onData((d) => chunks.push(Buffer.from(d)));
  proc.end();
  const code = (await proc.exited).exitCode;
  if (exec) main.kill('SIGKILL');
  await main.exited;
  await engine.containers.remove(c.id, { force: true });
  return { code, output: Buffer.concat(chunks).toString() };
}

async function inBuild(engine: Engine, dir: string, p: Probe): Promise<ProbeResult> {
  const ctx = join(dir, `ctx-${Math.random().toString(36).slice(2)}`);
  mkdirSync(ctx);
  const from = `FROM probe-base\n${p.user ? `USER ${p.user}\n` : ''}`;
  writeFileSync(join(ctx, 'Dockerfile'), `${from}RUN ${p.network === 'host' ? '--network=host ' : ''}${JSON.stringify(['sh', '-c', p.script])}\n`);
  let output = '';
  const onEvent = (e: BuildEvent): void => {
    if (e.type === 'log') output += e.text;
  };
  try {
    await build(engine, { context: ctx, noCache: true, onEvent, ...(p.buildNetwork ? { network: p.buildNetwork } : {}), ...(p.allow ? { allow: p.allow } : {}) });
    return { code: 0, output };
  } catch (err) {
    return { code: 1, output: output + (err as Error).message };
  }
}

const [dir, json] = process.argv.slice(2) as [string, string];
const why = sandboxUnavailable();
if (why) {
  console.log(JSON.stringify({ skipped: why }));
  process.exit(0);
}
const engine = Engine.open({ root: join(dir, 'store') });
try {
  await writeBusyboxRootfs(join(dir, 'base.tar'));
  await storeImage(engine, [join(dir, 'base.tar')], { tags: ['probe-base'] });
  const results: ProbeResult[] = [];
  for (const p of JSON.parse(json) as Probe[]) results.push(p.via === 'build' ? await inBuild(engine, dir, p) : await inContainer(engine, p));
  console.log(JSON.stringify({ uid: process.getuid?.(), results }));
} finally {
  engine.close();
}
