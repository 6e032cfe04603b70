/**
 * The detached runner of a container (`run -d`, `start` without `-a`): started by
 * ContainerService.startDetached, it runs the container in its own session, says "ok" (or
 * "error CODE MESSAGE") on stdout once, records the exit and removes an `--rm` container.
 * Usage: node monitor.ts ROOT CONTAINER_ID
 */
import { Engine } from '../engine.ts';
import { ExecError } from '../runtime/sandbox.ts';

async function main(root: string, id: string): Promise<number> {
  const engine = Engine.open({ root });
  try {
    let proc;
    try {
      proc = await engine.containers.start(id);
    } catch (err) {
      const code = err instanceof ExecError ? err.exitCode : 125;
      process.stdout.write(`error ${code} ${(err as Error).message.replace(/\n/g, ' ')}\n`);
      if (engine.containers.get(id).config.AutoRemove) await engine.containers.remove(id, { force: true });
      return code;
    }
    process.stdout.write('ok\n');
    process.stdout.on('error', () => {});
    proc.end();
    const res = await proc.exited.catch(() => ({ exitCode: 125 }));
    if (engine.containers.get(id).config.AutoRemove) await engine.containers.remove(id, { force: true });
    return res.exitCode;
  } finally {
    engine.close();
  }
}

if (import.meta.main) {
  process.on('SIGHUP', () => {});
  process.exitCode = await main(process.argv[2]!, process.argv[3]!);
}
