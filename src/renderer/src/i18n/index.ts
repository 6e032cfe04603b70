/**
 * English and Korean catalogues. The language follows the system locale until the user picks
 * one, which is remembered. Every user-visible string lives in en.ts / ko.ts (ko is typed
 * against en, so a missing key does not compile; i18n.test.ts checks both ways at run time).
 */
import { createI18n } from 'vue-i18n';
import { en } from './en.ts';
import { ko } from './ko.ts';

export const LOCALES = ['en', 'ko'] as const;
export type Locale = (typeof LOCALES)[number];
const STORAGE_KEY = 'strata.locale';

export function systemLocale(languages: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]): Locale {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if ((LOCALES as readonly string[]).includes(base!)) return base as Locale;
  }
  return 'en';
}

function storedLocale(): Locale | undefined {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return (LOCALES as readonly string[]).includes(v ?? '') ? (v as Locale) : undefined;
  } catch {
    return undefined;
  }
}

export const initialLocale: Locale = storedLocale() ?? systemLocale();

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale,
  fallbackLocale: 'en',
  messages: { en, ko },
  missingWarn: false,
  fallbackWarn: false,
  datetimeFormats: {
    en: { long: { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' } },
    ko: { long: { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' } },
  },
  numberFormats: {
    en: { integer: { maximumFractionDigits: 0 }, percent: { style: 'percent', maximumFractionDigits: 1 } },
    ko: { integer: { maximumFractionDigits: 0 }, percent: { style: 'percent', maximumFractionDigits: 1 } },
  },
});

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Storage may be unavailable (private windows); the choice then lasts for this session.
  }
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}
