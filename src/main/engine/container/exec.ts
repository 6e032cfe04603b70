import type { RootfsView } from '../snapshot/rootfs.ts';
import { launch, prepareExec, resolveCommand, type SandboxProcess } from '../runtime/sandbox.ts';
import type { ResolvedUser } from '../runtime/user.ts';
import { StrataError } from '../../../shared/errors.ts';

/**
 * `exec`: a new process joins a running container (its namespaces and its mounted rootfs) under
 * the same confinement as the container's first process (runtime/sandbox.ts prepareExec); the
 * command is found on the container's PATH first, with docker's errors.
 */
export async function execInContainer(spec: {
  sandboxPid: number; initPid: number; upperDir: string; view: RootfsView; args: string[]; env: string[]; cwd: string; user: ResolvedUser; tty: boolean;
  size?: { cols: number; rows: number };
}): Promise<SandboxProcess> {
  if (spec.args.length === 0) throw new StrataError('invalid', 'exec: no command specified');
  const path = resolveCommand(spec.view, spec.args[0]!, spec.env);
  const prepared = prepareExec({
    sandboxPid: spec.sandboxPid, mainPid: spec.initPid, upperDir: spec.upperDir, user: spec.user, path,
    process: { args: spec.args, env: spec.env, cwd: spec.cwd },
  });
  return launch(prepared, { tty: spec.tty, ...(spec.size ? { size: spec.size } : {}) });
}
