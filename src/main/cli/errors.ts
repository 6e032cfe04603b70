/**
 * The one place the CLI turns an error into what docker prints and the status it exits with.
 * Commands throw (or hand a caught error here with the surface it came from); nothing else in
 * the CLI chooses a prefix or an exit code for an error.
 */
import { UsageError } from './args.ts';
// The error classes' own small modules: every command reports errors, few run the sandbox or a build.
import { ExecError } from '../engine/runtime/exec-error.ts';
import { BuildError } from '../engine/build/build-error.ts';
import { StrataError } from '../../shared/errors.ts';
import { BadPatternError, DaemonError, ImageNotFoundError, InvalidFilterError, NoSuchContainerError } from '../engine/daemon-errors.ts';

/**
 * What docker's daemon would have refused (the CLI prints those `Error response from daemon: …`):
 * a missing image or container, a conflict, a name in use, a filter or pattern the engine cannot take.
 * Errors of the CLI's own checks (a bad reference to tag, a path for cp) keep `Error: …`.
 */
function fromDaemon(err: unknown): boolean {
  if (err instanceof InvalidFilterError || err instanceof BadPatternError) return true;
  if (err instanceof ImageNotFoundError || err instanceof NoSuchContainerError || err instanceof DaemonError) return true;
  return err instanceof StrataError && !(err instanceof UsageError) && (err.code === 'conflict' || err.code === 'already-exists');
}

/**
 * Where the error surfaced, which decides docker's wording:
 * - `command`: the command failed as a whole (`Error: …`, or `Error response from daemon: …` for
 *   what docker's daemon would have refused, see fromDaemon);
 * - `client`: the CLI's own set-up failed before any engine was asked (a context): `Error: …`;
 * - `daemon`: one item of a many-item verb (start, stop, rm) failed, the others go on;
 * - `start`: `run`/`start` could not start the container's process;
 * - `exec`: `exec` could not start its process;
 * - `build`: the build failed (BuildKit's `ERROR: failed to solve: …`).
 */
export type ErrorSurface = 'command' | 'client' | 'daemon' | 'start' | 'exec' | 'build';

export interface CliFailure {
  text: string;
  status: number;
}

/**
 * What docker prints for `err` at `surface`, and the status the command exits with: docker's 125
 * for the CLI's own usage errors, the process's 125/126/127 when it could not start, else 1.
 */
export function describeError(err: unknown, surface: ErrorSurface = 'command'): CliFailure {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError) return { text: `${message}\n`, status: err.status };
  if (err instanceof ExecError && surface === 'start') {
    return { text: `strata: Error response from daemon: failed to create task for container: ${message}\n`, status: err.exitCode };
  }
  if (err instanceof StrataError && surface === 'start') {
    // The engine refused to start it (a port already allocated …): docker's daemon error, 125.
    return { text: `strata: Error response from daemon: ${message}\n`, status: 125 };
  }
  if (err instanceof ExecError && surface === 'exec') {
    return { text: `OCI runtime exec failed: exec failed: unable to start container process: ${message}: unknown\n`, status: err.exitCode };
  }
  if (err instanceof BuildError) {
    // A message that is already BuildKit's whole error (a base image that cannot be resolved) names no line.
    const where = err.line && !message.startsWith('dockerfile parse error') && !message.startsWith('failed to solve: ') ? `Dockerfile:${err.line}: ` : '';
    return { text: `ERROR: failed to solve: ${where}${message.replace(/^failed to solve: /, '')}\n`, status: 1 };
  }
  if (surface === 'daemon' || (surface === 'command' && fromDaemon(err))) return { text: `Error response from daemon: ${message}\n`, status: 1 };
  return { text: `Error: ${message}\n`, status: 1 };
}

/** Prints `err` as docker would and returns the exit status. */
export function reportError(stderr: NodeJS.WritableStream, err: unknown, surface: ErrorSurface = 'command'): number {
  const failure = describeError(err, surface);
  if (process.env.STRATA_DEBUG && err instanceof Error && !(err instanceof UsageError)) stderr.write(`${err.stack}\n`);
  stderr.write(failure.text);
  return failure.status;
}
