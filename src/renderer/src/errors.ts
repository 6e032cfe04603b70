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
