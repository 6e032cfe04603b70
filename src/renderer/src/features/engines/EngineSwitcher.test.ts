// @vitest-environment happy-dom
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import EngineSwitcher from './EngineSwitcher.vue';
import ServiceToggle from './ServiceToggle.vue';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { i18n, setLocale } from '../../i18n/index.ts';
import { setApi } from '../../api.ts';
import { useAppStore } from '../../stores/app.ts';
import { createApi } from '../../../../shared/client.ts';
import type { PushMessage, Transport } from '../../../../shared/contract.ts';
import { Engine } from '../../../../main/engine/engine.ts';
import { createHandlers, type Handlers } from '../../../../main/host/handlers.ts';
import { HostSession } from '../../../../main/host/session.ts';
import { createContext } from '../../../../main/providers/contexts.ts';
import { createApiServer, listenUnix } from '../../../../main/api-server/server.ts';
import type { Server } from 'node:http';
import { ko } from '../../i18n/ko.ts';
import { en } from '../../i18n/en.ts';
import { tempDir } from '../../../../../test/tmp.ts';

/**
 * The sidebar's engine switcher over a real host session. The engine beside Strata's store is a real
 * Engine API: Strata's own API server (what `strata system service` serves) on another store, found
 * through DOCKER_HOST; a docker context
 * whose socket does not exist shows as not reachable.
 */
describe('engine switcher', () => {
  const tmp = tempDir('strata-switch-');
  let other: Engine;
  let server: Server;
  const socket = join(tmp.path, 'run', 'strata.sock');
  let engine: Engine;
  let handlers: Handlers;
  let session: HostSession;
  const listeners = new Set<(m: PushMessage) => void>();
  const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  let dockerEnv: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    other = Engine.open({ root: join(tmp.path, 'other') });
    server = createApiServer(other);
    await listenUnix(server, socket);
    const env = {
      HOME: tmp.path, DOCKER_CONFIG: join(tmp.path, 'docker'), XDG_CONFIG_HOME: join(tmp.path, 'config'), DOCKER_HOST: `unix://${socket}`,
      XDG_RUNTIME_DIR: join(tmp.path, 'xdg-run'),
    };
    dockerEnv = { ...env, PATH: '/nonexistent' };
    createContext({ name: 'gone', description: '', host: `unix://${join(tmp.path, 'none.sock')}`, skipTlsVerify: false }, env);
    engine = Engine.open({ root: join(tmp.path, 'store') });
    handlers = createHandlers(engine, { host: 'browser', env });
    session = new HostSession(handlers, (m) => listeners.forEach((l) => l(plain(m))));
    const transport: Transport = {
      host: 'browser',
      invoke: async (name, params) => plain(await session.invoke(name, plain(params))),
      streamOpen: async (id, name, params) => plain(await session.stream(id, name, plain(params))),
      streamCancel: (id) => session.cancel(id),
      streamInput: (id, data) => session.input(id, data),
      onPush: (l) => (listeners.add(l), () => listeners.delete(l)),
    };
    setActivePinia(createPinia());
    setApi(createApi(transport));
  }, 60_000);

  afterAll(async () => {
    setLocale('en');
    session?.dispose();
    handlers?.close();
    engine?.close();
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    other?.close();
    tmp.cleanup();
  });

  it('lists the store and the engines found with their state, and switches the views to one', async () => {
    setLocale('ko');
    const app = useAppStore();
    await app.load();
    expect(app.notOnEngine).toBeUndefined();
    const w = mount(EngineSwitcher, { global: { plugins: [i18n] } });
    for (let i = 0; i < 500 && !w.find('[data-testid="engine-option-default"]').exists(); i += 1) {
      await new Promise((r) => setTimeout(r, 20));
      await flushPromises();
    }
    const store = w.get('[data-testid="engine-option-default"]');
    expect(store.text()).toBe(`${ko.engines.store} — ${ko.engines.daemonless}`);
    const docker = w.get('[data-testid="engine-option-DOCKER_HOST"]');
    expect(docker.text()).toMatch(/^DOCKER_HOST — 엔진 .+, API 1\.41/);
    expect((docker.element as HTMLOptionElement).disabled).toBe(false);
    const gone = w.get('[data-testid="engine-option-gone"]');
    expect(gone.text()).toBe(`컨텍스트 gone — ${ko.engines.state.unreachable}`);
    expect((gone.element as HTMLOptionElement).disabled).toBe(true);
    expect(gone.attributes('title')).toContain('Is the docker daemon running?');

    await w.get('[data-testid="engine-select"]').setValue('DOCKER_HOST');
    for (let i = 0; i < 50 && app.info?.engine.id !== 'DOCKER_HOST'; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(app.info?.engine).toMatchObject({ id: 'DOCKER_HOST', kind: 'engine-api' });
    expect(app.info?.features).toMatchObject({ pull: true, build: true, import: false });
    expect(app.notOnEngine).toBe(ko.engines.unsupported.replace('{engine}', 'DOCKER_HOST'));
    setLocale('en');
    expect(en.engines.unsupported).toContain('{engine}');
    w.unmount();
  }, 60_000);

  it('the service toggle serves the Docker API from the app and names the line for docker', async () => {
    const w = mount(ServiceToggle, { global: { plugins: [i18n] } });
    for (let i = 0; i < 200 && (w.get('[data-testid="service-checkbox"]').element as HTMLInputElement).disabled; i += 1) {
      await new Promise((r) => setTimeout(r, 10));
      await flushPromises();
    }
    await w.get('[data-testid="service-checkbox"]').setValue(true);
    for (let i = 0; i < 200 && !w.find('[data-testid="service-command"]').exists(); i += 1) {
      await new Promise((r) => setTimeout(r, 10));
      await flushPromises();
    }
    expect(w.get('[data-testid="service-command"]').text()).toBe('docker context use strata');
    const sock = join(tmp.path, 'xdg-run', 'strata', 'strata.sock');
    expect(w.get('[data-testid="service-socket"]').text()).toContain(`unix://${sock}`);
    if (existsSync('/usr/bin/docker')) {
      // The context it made is docker's: the CLI reaches the app's store through it.
      // (not execFileSync: the service answers from this very process)
      const { stdout } = await promisify(execFile)('/usr/bin/docker', ['--context', 'strata', 'version', '--format', '{{.Server.Os}}'], { env: dockerEnv, encoding: 'utf8', timeout: 30_000 });
      expect(stdout.trim()).toBe('linux');
    }
    await w.get('[data-testid="service-checkbox"]').setValue(false);
    for (let i = 0; i < 200 && w.find('[data-testid="service-command"]').exists(); i += 1) {
      await new Promise((r) => setTimeout(r, 10));
      await flushPromises();
    }
    expect(w.find('[data-testid="service-command"]').exists()).toBe(false);
    expect(existsSync(sock)).toBe(false);
    w.unmount();
  }, 60_000);
});
