/**
 * One error model for the engine, the CLI, the IPC contract, the UI and the Engine API service,
 * after containerd's errdefs: a small set of codes that callers branch on (never on a message),
 * carried by one base class, surviving wrapping (`cause`) and crossing process boundaries as
 * plain data (`{ code, message, details }`). Each surface maps the code once: the CLI to docker's
 * text and exit status, the API service to an HTTP status, the UI to an i18n key.
 *
 * This file is the bottom layer: plain TypeScript, no Node or DOM imports.
 */

export const ERROR_CODES = [
  /** The request is malformed: a bad reference, flag, filter, Dockerfile, archive. */
  'invalid',
  /** The named thing does not exist (image, container, blob, file, registry manifest). */
  'not-found',
  /** It exists already (a name in use, a container with that name). */
  'already-exists',
  /** The state does not allow it: in use by a container, running, locked. */
  'conflict',
  /** The registry (or another service) wants credentials, or refused the ones given. */
  'unauthorized',
  /** The operating system refused (file or socket permissions). */
  'permission-denied',
  /** Something needed is not reachable now: a registry, an engine, a helper; try again later. */
  'unavailable',
  /** The work was cancelled (Ctrl-C, a closed window, a disconnected client). */
  'canceled',
  /** It took longer than allowed. */
  'deadline-exceeded',
  /** The disk (or another resource) is full. */
  'resource-exhausted',
  /** This engine, sandbox or platform cannot do it. */
  'unsupported',
  /** Input from outside (an archive, an image, a build context, a registry) is hostile or corrupt. */
  'data-loss',
  /** Anything else: a bug or an unexpected failure. */
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Plain-data form of an error: what crosses IPC, the browser host's socket and worker threads. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export interface StrataErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The base of every error the engine means to raise. `name` stays the subclass's own. */
export class StrataError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: StrataErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }

  toJSON(): ErrorData {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Node's system error codes, as the class a caller branches on. */
const SYSTEM_CODES: Record<string, ErrorCode> = {
  ENOENT: 'not-found',
  ENOTDIR: 'not-found',
  EEXIST: 'already-exists',
  EACCES: 'permission-denied',
  EPERM: 'permission-denied',
  EROFS: 'permission-denied',
  ENOSPC: 'resource-exhausted',
  EDQUOT: 'resource-exhausted',
  ENOMEM: 'resource-exhausted',
  E2BIG: 'invalid',
  ELOOP: 'invalid',
  EBUSY: 'conflict',
  ECONNREFUSED: 'unavailable',
  ECONNRESET: 'unavailable',
  EHOSTUNREACH: 'unavailable',
  ENETUNREACH: 'unavailable',
  ENOTFOUND: 'unavailable',
  EAI_AGAIN: 'unavailable',
  ETIMEDOUT: 'deadline-exceeded',
  ABORT_ERR: 'canceled',
};

/**
 * The code of any thrown value: a StrataError's own, a plain `{ code }` object that crossed a
 * boundary, a Node system error, an AbortError; walks `cause` so wrapping keeps the class.
 */
export function errorCode(err: unknown): ErrorCode {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const o = e as { code?: unknown; name?: unknown; cause?: unknown };
    if (isErrorCode(o.code)) return o.code;
    if (typeof o.code === 'string' && SYSTEM_CODES[o.code]) return SYSTEM_CODES[o.code]!;
    if (o.name === 'AbortError' || o.name === 'TimeoutError') return o.name === 'AbortError' ? 'canceled' : 'deadline-exceeded';
    e = o.cause;
  }
  return 'internal';
}

/** The details along the cause chain, merged: a wrapper's own keys win over its cause's (a build's line, a registry's codes). */
export function errorDetails(err: unknown): Record<string, unknown> | undefined {
  let merged: Record<string, unknown> | undefined;
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const o = e as { details?: unknown; cause?: unknown };
    if (o.details && typeof o.details === 'object') merged = { ...(o.details as Record<string, unknown>), ...merged };
    e = o.cause;
  }
  return merged;
}

/** Any thrown value as plain data, one line of message as the CLI prints it. */
export function toErrorData(err: unknown): ErrorData {
  const message = err instanceof Error ? err.message : String(err);
  const details = errorDetails(err);
  return { code: errorCode(err), message: message.split('\n')[0]!, ...(details ? { details } : {}) };
}

/** HTTP status for the Engine API service, as moby's errdefs maps its classes. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  'not-found': 404,
  'already-exists': 409,
  conflict: 409,
  unauthorized: 401,
  'permission-denied': 403,
  unavailable: 503,
  canceled: 499,
  'deadline-exceeded': 504,
  'resource-exhausted': 507,
  unsupported: 501,
  'data-loss': 400,
  internal: 500,
};
