// @vitest-environment happy-dom
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { en } from './en.ts';
import { ko } from './ko.ts';
import { i18n, setLocale, systemLocale } from './index.ts';
import App from '../App.vue';
import { setApi } from '../api.ts';
import { useAppStore, type View } from '../stores/app.ts';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import NodeWebSocket from 'ws';
import { get as httpGet } from 'node:http';
import { createApi, webSocketTransport } from '../../../shared/client.ts';
import { tempDir } from '../../../../test/tmp.ts';
import { resolve } from 'node:path';

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

function leaf(obj: object, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

describe('message catalogues', () => {
  it('have exactly the same keys in English and Korean, none empty', () => {
    const enKeys = keys(en).sort();
    const koKeys = keys(ko).sort();
    expect(koKeys).toEqual(enKeys);
    for (const k of enKeys) {
      expect(String(leaf(en, k)).trim(), `en ${k}`).not.toBe('');
      expect(String(leaf(ko, k)).trim(), `ko ${k}`).not.toBe('');
    }
  });

  it('use the same placeholders in both languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of keys(en)) expect(names(String(leaf(ko, k))), k).toEqual(names(String(leaf(en, k))));
  });

  it('every message compiles and formats (no vue-i18n syntax errors)', () => {
    for (const locale of ['en', 'ko'] as const) {
      setLocale(locale);
      for (const k of keys(en)) {
        const out = i18n.global.t(k, { count: 1, size: '1kB', n: 1, path: '/p', key: '1', code: 0 });
        expect(out, `${locale} ${k}`).not.toBe(k);
      }
    }
    setLocale('en');
  });

  it('follows the system locale', () => {
    expect(systemLocale(['ko-KR', 'en-US'])).toBe('ko');
    expect(systemLocale(['de-DE', 'en-GB'])).toBe('en');
    expect(systemLocale(['fr-FR'])).toBe('en');
  });
});

/**
 * The real views against a real engine: a `strata ui` host on a temporary store (images made with
 * the CLI), reached over its WebSocket exactly as the browser does.
 */
describe('views render no raw keys (real engine over the browser host)', () => {
  const tmp = tempDir();
  const root = join(tmp.path, 'store');
  let host: ChildProcess;

  beforeAll(async () => {
    // happy-dom's URL cannot resolve import.meta.url here: find bin/strata from the working directory (the repo).
    const strata = resolve('bin', 'strata');
    for (const [name, tag] of [['a', 'alpha:1'], ['b', 'beta:1']] as const) {
      const dir = join(tmp.path, name);
      mkdirSync(dir);
      writeFileSync(join(dir, `${name}.txt`), name.repeat(100));
      execFileSync('tar', ['-cf', join(tmp.path, `${name}.tar`), '-C', dir, '.']);
      execFileSync(strata, ['--root', root, 'import', join(tmp.path, `${name}.tar`), tag]);
    }
    host = spawn(strata, ['ui', '--no-open', '--root', root], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = new URL(await new Promise<string>((resolve) => {
      let out = '';
      host.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Open (http\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
    }));
    // The first visit with the URL's token sets the session cookie (server.test.ts checks that exchange).
    const cookie = await new Promise<string>((resolve, reject) => {
      httpGet(url, (res) => {
        res.resume();
        resolve((res.headers['set-cookie']?.[0] ?? '').split(';')[0]!);
      }).on('error', reject);
    });
    const origin = `http://127.0.0.1:${url.port}`;
    // The page's WebSocket sends its cookie and Origin by itself; Node's needs them spelled out.
    class PageSocket extends NodeWebSocket {
      constructor(address: string) {
        super(address, { headers: { cookie, origin } });
      }
    }
    setApi(createApi(webSocketTransport(`ws://127.0.0.1:${url.port}/ws?token=${url.searchParams.get('token')}`, PageSocket as unknown as typeof WebSocket)));
  });

  afterAll(() => {
    host?.kill('SIGTERM');
    tmp.cleanup();
  });

  const views: View[] = ['images', 'image', 'build', 'containers', 'disk'];
  for (const locale of ['en', 'ko'] as const) {
    it(`every main view in ${locale}`, async () => {
      setLocale(locale);
      const pinia = createPinia();
      setActivePinia(pinia);
      const wrapper = mount(App, { global: { plugins: [pinia, i18n] }, attachTo: document.body });
      const app = useAppStore(pinia);
      const all = keys(en);
      // A key missing from the catalogue renders as itself: record every lookup that missed.
      const missing: string[] = [];
      i18n.global.setMissingHandler((_locale, key) => {
        missing.push(key);
        return key;
      });
      for (const view of views) {
        if (view === 'image') app.openImage('beta:1');
        else app.open(view);
        // Let the view's requests go out over the socket and come back.
        for (let i = 0; i < 10; i++) {
          await flushPromises();
          await new Promise((r) => setTimeout(r, 30));
        }
        const text = wrapper.text();
        const raw = all.filter((k) => text.includes(k));
        expect(raw, `${locale} ${view}`).toEqual([]);
        expect(missing, `${locale} ${view}: keys not in the catalogue`).toEqual([]);
        if (locale === 'ko') expect(/[가-힣]/.test(text), `${view} shows Korean`).toBe(true);
        if (view === 'images') expect(text).toContain('beta');
        if (view === 'image') expect(text).toContain('beta:1');
      }
      i18n.global.setMissingHandler(null);
      wrapper.unmount();
    });
  }
});
