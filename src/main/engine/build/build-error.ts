/** A failed build as the CLI and the UI show it: one line of reason, the Dockerfile line when known. */
import { StrataError, errorCode, type ErrorCode } from '../../../shared/errors.ts';
import { DockerfileParseError } from './parser/errors.ts';

/** A failed build, at a Dockerfile line when known; its code is the cause's (a missing base image stays not-found). */
export class BuildError extends StrataError {
  readonly line: number | undefined;
  readonly exitCode: number | undefined;
  constructor(message: string, line?: number, exitCode?: number, cause?: unknown) {
    super(cause === undefined ? 'invalid' : codeOfCause(cause), message, {
      cause, ...(line !== undefined || exitCode !== undefined ? { details: { ...(line !== undefined ? { line } : {}), ...(exitCode !== undefined ? { exitCode } : {}) } } : {}),
    });
    this.line = line;
    this.exitCode = exitCode;
  }
}

/** A RUN step's process exited non-zero: the Dockerfile's command failed, not the engine. */
export class RunFailedError extends StrataError {
  readonly exitCode: number;
  constructor(args: string[], exitCode: number) {
    super('invalid', `process "${args.join(' ')}" did not complete successfully: exit code: ${exitCode}`, { details: { exitCode } });
    this.exitCode = exitCode;
  }
}

export function toBuildError(err: unknown): BuildError {
  if (err instanceof BuildError) return err;
  if (err instanceof DockerfileParseError) return new BuildError(err.message, err.startLine, undefined, err);
  return new BuildError((err as Error).message ?? String(err), undefined, undefined, err);
}

/** A plain Error inside a build is the Dockerfile's fault more often than the engine's. */
export function codeOfCause(cause: unknown): ErrorCode {
  const code = errorCode(cause);
  return code === 'internal' && !(cause instanceof StrataError) ? 'invalid' : code;
}

export function located(err: unknown, line: number): BuildError {
  if (err instanceof BuildError) return err.line ? err : new BuildError(err.message, line, err.exitCode, err);
  if (err instanceof RunFailedError) return new BuildError(err.message, line, err.exitCode, err);
  if (err instanceof DockerfileParseError) return new BuildError(err.message, err.startLine, undefined, err);
  return new BuildError((err as Error).message ?? String(err), line, undefined, err);
}
