/**
 * docker's pkg/jsonmessage off a terminal: how the docker CLI prints an engine's progress stream
 * (pull, push, build, load) when its output is a pipe or a file. A message with a count to show
 * (`Downloading [==>  ] 1MB/2MB`) is dropped; one with an empty progressDetail (`Pull complete`)
 * prints as `ID: Status`; build output (`stream`) prints as it came. Aux messages go to `onAux`.
 */
import type { Writable } from 'node:stream';
import type { DockerJsonMessage } from '../../shared/docker-api.ts';
import { StrataError } from '../../shared/errors.ts';

/**
 * An error message inside the stream: the docker CLI prints its text alone (no "Error response
 * from daemon"), and a build exits with its `code` (a failed RUN's status), else 1.
 */
export class StreamError extends StrataError {
  readonly status: number;

  constructor(message: string, status: number) {
    super('internal', message);
    this.status = status;
  }
}

/** jsonmessage's JSONProgress.String() is empty when there is nothing to count. */
function hasCount(m: DockerJsonMessage): boolean {
  const p = m.progressDetail;
  return p !== undefined && ((p.current ?? 0) > 0 || (p.total ?? 0) > 0);
}

/** One message as jsonmessage's Display prints it off a terminal. */
export function displayLine(m: DockerJsonMessage): string {
  if (hasCount(m)) return '';
  let out = '';
  if (m.id) out += `${m.id}: `;
  if (m.from) out += `(from ${m.from}) `;
  if (m.progress && m.progressDetail === undefined) return `${out}${m.status ?? ''} ${m.progress}`;
  if (m.stream) return `${out}${m.stream}`;
  return `${out}${m.status ?? ''}\n`;
}

/** DisplayJSONMessagesStream(…, isTerminal=false): prints each message; throws the first error message. */
export async function displayJsonMessages(messages: AsyncIterable<DockerJsonMessage>, out: Writable, onAux?: (aux: unknown) => void): Promise<void> {
  for await (const m of messages) {
    if (m.errorDetail || m.error !== undefined) {
      const detail = m.errorDetail ?? { message: m.error ?? '' };
      if (detail.code === 401) throw new StreamError('authentication is required', 1);
      throw new StreamError(detail.message, detail.code || 1);
    }
    if (m.aux !== undefined) {
      onAux?.(m.aux);
      continue;
    }
    const line = displayLine(m);
    if (line) out.write(line);
  }
}
