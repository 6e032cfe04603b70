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
