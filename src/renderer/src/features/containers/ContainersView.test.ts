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
import { busyboxMissing, storeImage, writeBusyboxRootfs } from '../../../../../test/fixtures/busybox.ts';
import { portDriverUnavailable } from '../../../../main/engine/network/port-forwarder.ts';
import { createServer } from 'node:net';
import { request } from 'node:http';

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

  it('runs a container with a published port from the dialog and shows the ports in the table', async (ctx) => {
    const why = sandboxUnavailable() ?? busyboxMissing() ?? portDriverUnavailable();
    if (why) ctx.skip(why);
    await writeBusyboxRootfs(join(tmp.path, 'base.tar'));
    await storeImage(engine, [join(tmp.path, 'base.tar')], { tags: ['web'], config: { config: { Cmd: ['sh', '-c', 'mkdir /www && echo desktop > /www/index.html && exec httpd -f -p 80 -h /www'] } } });
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    setActivePinia(createPinia());
    setApi(createApi(transport));
    setLocale('ko');
    await useAppStore().load();
    const w = mount(ContainersView, { global: { plugins: [i18n] } });
    try {
      await flushPromises();
      await w.find('[data-testid="run-button"]').trigger('click');
      const image = w.find('[data-testid="run-image"]');
      await image.setValue('web');
      await image.trigger('change');
      await w.find('[data-testid="run-ports"]').setValue(`127.0.0.1:${port}:80`);
      expect(w.text()).toContain(ko.containers.run.ports);
      await w.find('form').trigger('submit');
      let cell = '';
      for (const deadline = Date.now() + 20_000; cell === '' && Date.now() < deadline; ) {
        await flushPromises();
        await new Promise((r) => setTimeout(r, 50));
        cell = w.find('[data-testid="container-ports"]').exists() ? w.find('[data-testid="container-ports"]').text() : '';
      }
      expect(cell).toBe(`127.0.0.1:${port}->80/tcp`);
      expect(w.find('thead').text()).toContain(ko.containers.col.ports);
      const body = await new Promise<string>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', (e) => resolve(e.message));
        req.end();
      });
      expect(body).toBe('desktop\n');
    } finally {
      w.unmount();
      for (const c of engine.containers.list({ all: true })) await engine.containers.remove(c.id, { force: true });
    }
  });
});

