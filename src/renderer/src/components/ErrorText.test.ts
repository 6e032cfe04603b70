// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import ErrorBanner from './ErrorBanner.vue';
import { i18n, setLocale } from '../i18n/index.ts';
import { ApiError } from '../../../shared/client.ts';
import { ERROR_CODES } from '../../../shared/errors.ts';
import { errorKey, uiError } from '../errors.ts';
import { en } from '../i18n/en.ts';
import { ko } from '../i18n/ko.ts';

function banner(err: unknown) {
  return mount(ErrorBanner, { props: { error: uiError(err) }, global: { plugins: [i18n] } });
}

describe('errors in the UI', () => {
  afterEach(() => setLocale('en'));

  it('has a sentence in both languages for every code the engine can send', () => {
    for (const code of ERROR_CODES) {
      const [, key] = errorKey(code).split('.') as [string, string];
      expect(en.errors[key as keyof typeof en.errors], code).toBeTruthy();
      expect(ko.errors[key as keyof typeof ko.errors], code).toBeTruthy();
    }
  });

  it('leads with the Korean sentence for the code, the engine text only as detail', () => {
    setLocale('ko');
    const w = banner(new ApiError({ code: 'unauthorized', message: 'no basic auth credentials' }));
    expect(w.get('[data-testid="error-summary"]').text()).toBe(ko.errors.unauthorized);
    expect(w.get('[data-testid="error-summary"]').text()).not.toMatch(/[A-Za-z]{3,}/);
    expect(w.get('[data-testid="error-detail"]').text()).toBe('no basic auth credentials');
    // The engine's English stays folded until asked for.
    expect(w.get('[data-testid="error-original"]').attributes('open')).toBeUndefined();
  });

  it('names the cause and the next step from the engine\'s data, in Korean without English words', () => {
    setLocale('ko');
    const cases: [unknown, string][] = [
      [{ code: 'invalid', message: 'invalid reference format: repository name must be lowercase', details: { reason: 'reference-format' } }, ko.errors.why.referenceFormat],
      [{ code: 'unavailable', message: 'Get "https://nohost.invalid/v2/": dial tcp: lookup nohost.invalid: no such host', details: { reason: 'no-such-host', host: 'nohost.invalid' } }, ko.errors.why.noSuchHost.replace('{host}', 'nohost.invalid')],
      [{ code: 'not-found', message: 'manifest unknown: manifest unknown', details: { status: 404, errors: ['MANIFEST_UNKNOWN'] } }, ko.errors.why.manifestUnknown],
      [{ code: 'invalid', message: 'dockerfile parse error on line 2: unknown instruction: FORM', details: { line: 2 } }, ko.errors.why.dockerfileLine.replace('{line}', '2')],
      [{ code: 'invalid', message: 'process "/bin/sh -c false" did not complete successfully: exit code: 1', details: { line: 3, exitCode: 1 } }, ko.errors.why.runFailed.replace('{line}', '3').replace('{code}', '1')],
    ];
    for (const [err, want] of cases) {
      const summary = banner(new ApiError(err as never)).get('[data-testid="error-summary"]').text();
      expect(summary).toBe(want);
      expect(summary.replace(/my-app:v1|nohost\.invalid|Dockerfile|DNS/g, '')).not.toMatch(/[A-Za-z]{3,}/);
    }
  });

  it('falls back to the internal sentence for a value without a code', () => {
    const w = banner(new Error('boom'));
    expect(w.get('[data-testid="error-summary"]').text()).toBe(en.errors.internal);
    expect(w.get('[data-testid="error-detail"]').text()).toBe('boom');
  });

  it('turns an unknown code from the host into internal, never an empty message', () => {
    const w = banner(new ApiError({ code: 'teapot' as never, message: 'short and stout' }));
    expect(w.get('[data-testid="error-summary"]').text()).toBe(en.errors.internal);
  });
});
