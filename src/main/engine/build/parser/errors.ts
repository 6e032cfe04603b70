import { StrataError } from '../../../../shared/errors.ts';
/** An error tied to a range of Dockerfile lines (1-based, inclusive). */
export class DockerfileParseError extends StrataError {
  override name = 'DockerfileParseError';
  /** The bare reason, e.g. `unknown instruction: FOO`. */
  readonly reason: string;
  readonly startLine: number;
  readonly endLine: number;

  constructor(reason: string, startLine: number, endLine: number = startLine) {
    // BuildKit's wording, so messages read the same as `docker build`.
    super('invalid', `dockerfile parse error on line ${startLine}: ${reason}`);
    this.reason = reason;
    this.startLine = startLine;
    this.endLine = Math.max(endLine, startLine);
  }

  /** `Dockerfile:7: unknown instruction: FOO`, for compact CLI output. */
  describe(fileName = 'Dockerfile'): string {
    return `${fileName}:${this.startLine}: ${this.reason}`;
  }
}

/** Attaches a line range to any error; errors that already carry one keep it. */
export function withLocation(err: unknown, startLine: number, endLine: number = startLine): DockerfileParseError {
  if (err instanceof DockerfileParseError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new DockerfileParseError(reason, startLine, endLine);
}
