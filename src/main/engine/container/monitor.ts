/**
 * The detached runner of a container (`run -d`, `start` without `-a`): started by
 * ContainerService.startDetached, it runs the container in its own session, says "ok" (or
 * "error CODE MESSAGE" when the process could not start, "fail KIND MESSAGE" for other errors) on stdout once, records the exit and removes an `--rm` container.
 * Usage: node monitor.ts ROOT CONTAINER_ID
 */
import { Engine } from '../engine.ts';
import { ExecError } from '../runtime/sandbox.ts';
import { errorCode } from '../../../shared/errors.ts';

async function main(root: string, id: string): Promise<number> {
  const engine = Engine.open({ root });
  try {
    let proc;
    try {
      proc = await engine.containers.start(id);
    } catch (err) {
      const code = err instanceof ExecError ? err.exitCode : 125;
      const message = (err as Error).message.replace(/\n/g, ' ');
      // A start error of the engine's own (a port already allocated …) keeps its code.
      process.stdout.write(err instanceof ExecError ? `error ${code} ${message}\n` : `fail ${errorCode(err)} ${message}\n`);
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
