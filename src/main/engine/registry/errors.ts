import type { HttpResponse } from './http.ts';
import { readBody } from './http.ts';
import { StrataError, type ErrorCode } from '../../../shared/errors.ts';

/** One entry of a distribution error body: `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"…"}]}`. */
export interface RegistryErrorDetail {
  code: string;
  message: string;
}

/**
 * An error answer from a registry, worded like docker: the error codes of the body as
 * distribution's errcode prints them (`manifest unknown: manifest unknown`), or
 * `received unexpected HTTP status: 500 Internal Server Error` when the body says nothing.
 */
export class RegistryError extends StrataError {
  readonly status: number;
  readonly errors: RegistryErrorDetail[];
  constructor(status: number, statusText: string, errors: RegistryErrorDetail[]) {
    const message = errors.length > 0 ? errors.map(formatDetail).join('; ') : `received unexpected HTTP status: ${status} ${statusText}`;
    super(codeOfStatus(status), message, { details: { status, errors: errors.map((e) => e.code) } });
    this.status = status;
    this.errors = errors;
  }

  hasCode(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

/** The class of an HTTP status, as containerd's remotes map a registry's answer. */
function codeOfStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'permission-denied';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'resource-exhausted';
  if (status === 400 || status === 405 || status === 413 || status === 416) return 'invalid';
  if (status >= 500) return 'unavailable';
  return 'internal';
}

/** distribution's errcode: the code lower-cased with spaces, then the message. */
function formatDetail(e: RegistryErrorDetail): string {
  const code = e.code.toLowerCase().replaceAll('_', ' ');
  return e.message ? `${code}: ${e.message}` : code;
}

/** Reads an error response into a RegistryError (the body is small JSON, or anything). */
export async function registryError(res: HttpResponse): Promise<RegistryError> {
  let errors: RegistryErrorDetail[] = [];
  try {
    const body = res.body.readableEnded ? Buffer.alloc(0) : await readBody(res, 64 * 1024);
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
    if (Array.isArray(parsed.errors)) {
      errors = parsed.errors.map((e) => ({ code: String(e.code ?? 'UNKNOWN'), message: typeof e.message === 'string' ? e.message : '' }));
    }
  } catch {
    /* not a distribution error body */
  }
  return new RegistryError(res.status, res.statusText, errors);
}

/** The registry asked for credentials we do not have or refused the ones we sent. */
export class UnauthorizedError extends StrataError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}
