/**
 * How the UI holds an error: the engine's code and its one-line text (as they crossed the
 * contract). Views show the code's localised sentence first and the engine's words as detail,
 * so the Korean UI never leads with engine English.
 */
import { toErrorData, type ErrorCode, type ErrorData } from '../../shared/errors.ts';

export type UiError = ErrorData;

/** Any caught value as a UiError (an ApiError keeps the host's code and details). */
export function uiError(err: unknown): UiError {
  return toErrorData(err);
}

const KEYS: Record<ErrorCode, string> = {
  invalid: 'invalid',
  'not-found': 'notFound',
  'already-exists': 'alreadyExists',
  conflict: 'conflict',
  unauthorized: 'unauthorized',
  'permission-denied': 'permissionDenied',
  unavailable: 'unavailable',
  canceled: 'canceled',
  'deadline-exceeded': 'deadlineExceeded',
  'resource-exhausted': 'resourceExhausted',
  unsupported: 'unsupported',
  'data-loss': 'dataLoss',
  internal: 'internal',
};

/** The catalogue key of a code's sentence (`errors.notFound`). */
export function errorKey(code: ErrorCode): string {
  return `errors.${KEYS[code]}`;
}

/**
 * The most specific sentence for an error: what went wrong and what to do next. It reads the
 * engine's data (details.reason, a registry's error codes, a Dockerfile line, an exit code), never
 * its English message; anything else gets its code's sentence.
 */
export function errorSentence(e: UiError): { key: string; args: Record<string, unknown> } {
  const d = e.details ?? {};
  const registry = Array.isArray(d.errors) ? (d.errors as unknown[]).map(String) : [];
  if (d.reason === 'reference-format') return { key: 'errors.why.referenceFormat', args: {} };
  if (d.reason === 'outside-root') return { key: 'errors.why.outsideRoot', args: { root: String(d.root ?? '') } };
  if (d.reason === 'no-such-host') return { key: 'errors.why.noSuchHost', args: { host: String(d.host ?? '') } };
  if (registry.includes('MANIFEST_UNKNOWN')) return { key: 'errors.why.manifestUnknown', args: {} };
  if (registry.includes('NAME_UNKNOWN')) return { key: 'errors.why.nameUnknown', args: {} };
  if (typeof d.line === 'number' && typeof d.exitCode === 'number') return { key: 'errors.why.runFailed', args: { line: d.line, code: d.exitCode } };
  if (typeof d.line === 'number' && e.code === 'invalid') return { key: 'errors.why.dockerfileLine', args: { line: d.line } };
  return { key: errorKey(e.code), args: {} };
}
