import { StrataError } from '../../../shared/errors.ts';

/**
 * A process that could not start, with docker's wording and exit status: 125 (no command),
 * 126 (cannot run), 127 (not found).
 */
export class ExecError extends StrataError {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(exitCode === 127 ? 'not-found' : exitCode === 126 ? 'permission-denied' : 'invalid', message, { details: { exitCode } });
    this.exitCode = exitCode;
  }
}
