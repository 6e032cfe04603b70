// @vitest-environment happy-dom
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import ContainersView from './ContainersView.vue';
import { i18n, setLocale } from '../../i18n/index.ts';
import { setApi } from '../../api.ts';
import { useAppStore } from '../../stores/app.ts';
import { createApi } from '../../../../shared/client.ts';
import type { PushMessage, Transport } from '../../../../shared/contract.ts';
import { Engine } from '../../../../main/engine/engine.ts';
import { createHandlers, features } from '../../../../main/host/handlers.ts';
import { HostSession } from '../../../../main/host/session.ts';
import { sandboxUnavailable } from '../../../../main/engine/runtime/sandbox.ts';
import { ko } from '../../i18n/ko.ts';
import { tempDir } from '../../../../../test/tmp.ts';

/** The containers view over a real engine, its host session called directly (JSON both ways, like IPC). */
describe('containers view: what the sandbox can do', () => {
  const tmp = tempDir();
  const engine = Engine.open({ root: join(tmp.path, 'store') });
  const listeners = new Set<(m: PushMessage) => void>();
  const session = new HostSession(createHandlers(engine, { host: 'browser' }), (m) => listeners.forEach((l) => l(JSON.parse(JSON.stringify(m)))));
  const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  const transport: Transport = {
    host: 'browser',
    invoke: async (name, params) => plain(await session.invoke(name, plain(params))),
    streamOpen: async (id, name, params) => plain(await session.stream(id, name, plain(params))),
    streamCancel: (id) => session.cancel(id),
    streamInput: (id, data) => session.input(id, data),
    onPush: (l) => (listeners.add(l), () => listeners.delete(l)),
  };
  afterAll(() => {
    setLocale('en');
    session.dispose();
    engine.close();
    tmp.cleanup();
  });

  it('features() reports the probed sandbox, with the reason when it cannot run', () => {
    const reason = sandboxUnavailable();
    expect(features({ host: 'browser' })).toMatchObject({ containers: reason === undefined, terminal: reason === undefined });
    expect(features({ host: 'browser' }).containersUnavailable).toBe(reason);
  });

  it('shows the unavailable screen with the reason when the host says containers cannot run', async () => {
    setActivePinia(createPinia());
    setApi(createApi(transport));
    setLocale('ko');
    const app = useAppStore();
    await app.load();
    app.info = { ...app.info!, features: { ...app.info!.features, containers: false, containersUnavailable: 'bubblewrap (bwrap) is not installed' } };
    const w = mount(ContainersView, { global: { plugins: [i18n] } });
    await flushPromises();
    expect(w.get('[data-testid="empty-state"] h2').text()).toBe(ko.containers.unavailable.title);
    expect(w.get('[data-testid="containers-unavailable-reason"]').text()).toBe('이유: bubblewrap (bwrap) is not installed');
    expect(w.find('[data-testid="run-button"]').exists()).toBe(false);
    w.unmount();
  });

  it('offers to run containers where the sandbox works', async (ctx) => {
    if (sandboxUnavailable()) ctx.skip(`the sandbox cannot run here: ${sandboxUnavailable()}`);
    setActivePinia(createPinia());
    setApi(createApi(transport));
    setLocale('en');
    await useAppStore().load();
    const w = mount(ContainersView, { global: { plugins: [i18n] } });
    await flushPromises();
    expect(w.find('[data-testid="containers-unavailable-reason"]').exists()).toBe(false);
    expect(w.find('[data-testid="run-button"]').exists()).toBe(true);
    w.unmount();
  });
});
