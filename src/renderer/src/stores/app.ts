import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { AppInfo } from '../../../shared/contract.ts';
import { useApi } from '../api.ts';
import { i18n, setLocale, type Locale } from '../i18n/index.ts';
import { type UiError, uiError } from '../errors.ts';

export type View = 'images' | 'image' | 'build' | 'containers' | 'disk';
export type Theme = 'light' | 'dark' | 'system';
const THEME_KEY = 'strata.theme';

function storedTheme(): Theme {
  try {
    const t = localStorage.getItem(THEME_KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

/** The shell: which view is open, the host's capabilities, theme and language. */
export const useAppStore = defineStore('app', () => {
  const api = useApi();
  const info = ref<AppInfo | null>(null);
  const view = ref<View>('images');
  /** The image the detail view shows (an ID or a reference). */
  const imageRef = ref('');
  const theme = ref<Theme>(storedTheme());
  const locale = ref<Locale>(i18n.global.locale.value as Locale);
  const error = ref<UiError | null>(null);
  /** The views show a Docker/Podman engine: what only Strata's store can do is disabled with this reason. */
  const notOnEngine = computed(() => (info.value?.engine.kind === 'engine-api' ? i18n.global.t('engines.unsupported', { engine: info.value.engine.description }) : undefined));

  async function load(): Promise<void> {
    try {
      info.value = await api.call('app.info', {});
    } catch (err) {
      error.value = uiError(err);
    }
  }

  function open(next: View): void {
    view.value = next;
  }

  function openImage(ref: string): void {
    imageRef.value = ref;
    view.value = 'image';
  }

  function setTheme(next: Theme): void {
    theme.value = next;
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      // not remembered without storage
    }
  }

  function changeLocale(next: Locale): void {
    setLocale(next);
    locale.value = next;
  }

  return { info, view, imageRef, theme, locale, error, notOnEngine, load, open, openImage, setTheme, changeLocale };
});
