/** RUN (BuildKit's convert_runmount.go and dispatchRun): the command in the sandbox over the stage's layers. */
import type { HistoryEntry, RunInstruction } from '../instructions/index.ts';
import { cfg, emit, withDefaultPath, type BuildRun, type Prepared, type StageState } from './state.ts';

export async function runStep(run: BuildRun, state: StageState, cmd: RunInstruction, entry: HistoryEntry, scope: Record<string, string>): Promise<Prepared> {
  return {
    cmd, entry, apply: () => {},
    inputs: { instruction: entry.createdBy, source: cmd.code, args: scope, scope },
    execute: async () => {
      const n = run.progress.n;
      // The sandbox and snapshot code load on a miss only: a cached RUN needs none of it.
      const [{ runInSandbox }, { takeLimitedNotice }] = await Promise.all([import('../run.ts'), import('../../snapshot/idmap.ts')]);
      // Rootless without subordinate IDs: a USER's files are the user's; said once, with the fix.
      const limited = takeLimitedNotice();
      if (limited) emit(run, { type: 'warning', message: limited });
      const layer = await runInSandbox(run.opt.engine, {
        layers: state.layers, cmd, shell: cfg(state).Shell?.length ? cfg(state).Shell! : ['/bin/sh', '-c'],
        env: withDefaultPath(state.env), cwd: cfg(state).WorkingDir || '/', user: cfg(state).User ?? '', scratch: run.opt.scratch,
        signal: run.opt.opts.signal, ...(run.opt.opts.network ? { network: run.opt.opts.network } : {}),
        allowHostNetwork: run.opt.opts.allow?.includes('network.host') ?? false,
        onOutput: (stream, text) => emit(run, { type: 'log', n, stream, text }),
      });
      return layer ? { layer, files: layer.files } : {};
    },
  };
}
