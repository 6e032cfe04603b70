/** How the docker client words an engine's refusals (the commands routed through a Provider share these). */
import { StrataError } from '../../shared/errors.ts';

/**
 * docker's client wording for an engine's refusal: a missing object it looked up by name is
 * "Error: No such image: x" (the client's own message), anything else "Error response from daemon: …".
 */
export function daemonMessage(err: unknown): string {
  const e = err as Error;
  if (e instanceof StrataError && e.details?.status !== undefined) return `Error response from daemon: ${e.message}`;
  return `Error: ${e.message}`;
}

/** The docker client names a missing object as the user wrote it ("No such image: x", not "x:latest"). */
export function notFoundMessage(err: unknown, object: 'image' | 'container', name: string): string {
  const e = err as Error;
  return e instanceof StrataError && e.code === 'not-found' ? `Error: No such ${object}: ${name}` : daemonMessage(err);
}
