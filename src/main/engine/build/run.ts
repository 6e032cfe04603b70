/**
 * RUN: the command executes in the sandbox on the stage's layers (overlayfs over read-only
 * snapshots, a fresh writable layer); the writable layer's change set becomes the step's layer.
 * Nothing is committed unless the process exits 0; the writable layer is thrown away either way.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import type { Stores } from '../stores.ts';
import type { LayerInput } from '../image/image-service.ts';
import { removeTree, runProcess, sandboxUnavailable } from '../runtime/sandbox.ts';
import { Snapshotter } from '../snapshot/snapshotter.ts';
import { layerFromUpper } from '../snapshot/changes.ts';
import { resolveRunCommand, type RunInstruction } from './instructions/index.ts';
import { StrataError } from '../../../shared/errors.ts';
import { RunFailedError } from './build-error.ts';
import type { WrittenLayer } from './copy.ts';
import { runScratchPrefix } from './owner.ts';

export interface RunRequest {
  /** The stage's layers, lowest first. */
  layers: readonly LayerInput[];
  cmd: RunInstruction;
  shell: string[];
  env: string[];
  cwd: string;
  /** The image's USER (a name or `uid[:gid]`), resolved by the sandbox in the image's passwd. */
  user: string;
  /** A directory of the build's own for the writable layer. */
  scratch: string;
  /** `build --network`, for RUN steps without `--network`. */
  network?: 'host' | 'none' | 'default';
  /** `build --allow network.host`: a step's own `--network=host` is honoured. */
  allowHostNetwork?: boolean;
  signal?: AbortSignal | undefined;
  onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
}

// Defined beside BuildError (a small module the CLI's error reporting loads); exported here as before.
export { RunFailedError };

function lineWriter(stream: 'stdout' | 'stderr', onOutput: RunRequest['onOutput']): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      onOutput(stream, chunk.toString('utf8'));
      cb();
    },
  });
}

/** Runs one RUN step; resolves to its layer (the change set of the writable layer). */
export async function runInSandbox(engine: Stores, req: RunRequest): Promise<WrittenLayer | undefined> {
  const why = sandboxUnavailable();
  if (why) throw new StrataError('unsupported', `RUN cannot run here: ${why}`);
  if (req.cmd.mounts.length > 0) throw new StrataError('unsupported', 'RUN --mount is not supported yet');
  const resolved = resolveRunCommand(req.cmd, req.shell);
  const lowerDirs = await new Snapshotter(engine).lowerDirsForLayers(req.layers);
  const dir = join(req.scratch, `run-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  const upperDir = join(dir, 'upper');
  const workDir = join(dir, 'work');
  mkdirSync(upperDir, { recursive: true, mode: 0o755 });
  mkdirSync(workDir, { recursive: true });
  try {
    const pipe = resolved.pipeFile ? writePipeFile(upperDir, resolved.pipeFile) : undefined;
    const result = await runProcess({
      lowerDirs, upperDir, workDir,
      process: { args: pipe?.args ?? resolved.args, env: req.env, cwd: req.cwd, ...(req.user ? { user: req.user } : {}) },
      network: runNetwork(req.cmd.network, req.network, req.allowHostNetwork ?? false),
      scratchPrefix: runScratchPrefix(basename(req.scratch)),
      stdout: lineWriter('stdout', req.onOutput),
      stderr: lineWriter('stderr', req.onOutput),
      ...(req.signal ? { signal: req.signal } : {}),
    });
    if (req.signal?.aborted) throw new StrataError('canceled', 'build cancelled');
    if (result.exitCode !== 0) throw new RunFailedError(resolved.args, result.exitCode);
    if (pipe) rmSync(join(upperDir, pipe.top), { recursive: true, force: true });
    // Like BuildKit, a RUN that changed nothing still adds a layer (the empty tar).
    const layer = await layerFromUpper(engine, lowerDirs, upperDir);
    return { blobDigest: layer.blob.digest, blobSize: layer.blob.size, compression: layer.compression, diffId: layer.diffId, size: layer.size, diffSize: layer.diffSize, files: layer.files };
  } finally {
    // removeTree, not rmSync: overlayfs leaves `work/work` mode 000, which a non-root user can't
    // descend into until it is opened up again.
    removeTree(dir);
  }
}

/**
 * RUN's network: `build --network host`, or `RUN --network=host` in a build that allows it
 * (`--allow network.host`, BuildKit's entitlement: a Dockerfile is untrusted and may not opt
 * itself into the host's network), share the host's; anything else is a network namespace with
 * only a loopback. BuildKit's default is a bridged network; with no bridge here, isolation wins
 * over reaching the internet (docs/containers.md).
 */
export function runNetwork(step: string, build: string | undefined, allowHost: boolean): 'host' | 'none' {
  if (step === 'host' && !allowHost && build !== 'host') throw new StrataError('permission-denied', 'network.host is not allowed');
  const mode = step === 'default' ? (build ?? 'none') : step;
  return mode === 'host' ? 'host' : 'none';
}

/**
 * A `#!` heredoc runs as a script file. BuildKit mounts it at /dev/pipes, but the sandbox mounts
 * a fresh /dev, so it is written at the top of the writable layer instead and removed before the
 * diff. Returns the argv to run and the directory to remove.
 */
function writePipeFile(upperDir: string, pipe: { path: string; data: string }): { args: string[]; top: string } {
  const top = '.strata-heredoc';
  const name = pipe.path.slice(pipe.path.lastIndexOf('/') + 1);
  mkdirSync(join(upperDir, top), { recursive: true });
  writeFileSync(join(upperDir, top, name), pipe.data, { mode: 0o755 });
  return { args: [`/${top}/${name}`], top };
}
