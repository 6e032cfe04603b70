import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../tmp.ts';
import { call, connect, request, startUi, type UiHost } from './ui-host.ts';

/**
 * Cookies ignore ports: every other service on 127.0.0.1 is sent the browser host's cookie. That
 * cookie alone must not open the engine: the WebSocket also needs the instance's token (which the
 * page keeps in its per-port sessionStorage), and the host answers only to its own name, so a
 * DNS-rebound page (Host: attacker.example:PORT) gets nothing either. Real HTTP and WebSocket
 * requests against a real `strata ui`.
 */
describe('security: the browser host session is bound to its instance', () => {
  const tmp = tempDir();
  let host: UiHost;

  beforeAll(async () => {
    host = await startUi(join(tmp.path, 'store'));
  });
  afterAll(async () => {
    await host?.stop();
    tmp.cleanup();
  });

  it('names the cookie after its port, and its value is not the token', () => {
    const [name, value] = host.cookie.split('=');
    expect(name).toBe(`strata_session_${host.port}`);
    expect(value).toMatch(/^[0-9a-f]{48}$/);
    expect(value).not.toBe(host.token);
    // The token goes on to the page in the fragment, which browsers never send.
    expect(host.location).toBe(`/#token=${host.token}`);
  });

  it('refuses a WebSocket that has the cookie but not the token (what another local service would hold)', async () => {
    await expect(connect(host, { token: '' })).rejects.toThrow(/403/);
    await expect(connect(host, { token: 'ab'.repeat(24) })).rejects.toThrow(/403/);
    // The cookie's value in the token's place opens nothing either.
    await expect(connect(host, { token: host.cookie.split('=')[1]! })).rejects.toThrow(/403/);
  });

  it('refuses a WebSocket from another local origin, even with cookie and token', async () => {
    await expect(connect(host, { headers: { origin: 'http://127.0.0.1:1' } })).rejects.toThrow(/403/);
    await expect(connect(host, { headers: { origin: 'http://evil.example' } })).rejects.toThrow(/403/);
  });

  it('answers only to its own name (DNS rebinding): 127.0.0.1:PORT or localhost:PORT', async () => {
    const page = `http://127.0.0.1:${host.port}/`;
    expect((await request(page, { cookie: host.cookie })).status).not.toBe(401);
    expect((await request(page, { cookie: host.cookie, host: `localhost:${host.port}` })).status).not.toBe(401);
    expect((await request(page, { cookie: host.cookie, host: `attacker.example:${host.port}` })).status).toBe(421);
    expect((await request(page, { cookie: host.cookie, host: '127.0.0.1' })).status).toBe(421);
    expect((await request(`${page}?token=${host.token}`, { host: `attacker.example:${host.port}` })).status).toBe(421);
    await expect(connect(host, { headers: { host: `attacker.example:${host.port}`, origin: `http://attacker.example:${host.port}` } })).rejects.toThrow(/403/);
    await expect(connect(host, { headers: { host: `attacker.example:${host.port}` } })).rejects.toThrow(/403/);
  });

  it('opens with cookie, token and its own origin, and answers', async () => {
    for (const origin of [`http://127.0.0.1:${host.port}`, `http://localhost:${host.port}`]) {
      const ws = await connect(host, { headers: { origin } });
      const info = await call(ws, { t: 'invoke', seq: 1, name: 'app.info', params: {} });
      expect(info.envelope.ok).toBe(true);
      ws.close();
    }
  });
});
