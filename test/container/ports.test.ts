/**
 * Port publishing end to end: the notes' nginx example done with busybox httpd, served through
 * the user-mode network helper (pasta, slirp4netns) to a real HTTP GET on the host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable, which } from '../../src/main/engine/runtime/sandbox.ts';
import { storeImage, writeBusyboxRootfs, writeTar, busyboxMissing } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { strata } from '../cli/run.ts';

const why = (): string | undefined => busyboxMissing() ?? sandboxUnavailable() ?? (which('pasta') ? undefined : 'passt (pasta) is not installed');

/** A port nothing listens on now (the kernel's pick). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** One GET; the body, or the error's code. */
function get(port: number, host = '127.0.0.1'): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}

/** GETs until httpd answers (it may still be starting when `run -d` returns); bounded. */
async function served(port: number, host = '127.0.0.1'): Promise<{ status?: number; body?: string; error?: string }> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await get(port, host);
    if (res.status !== undefined || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    // A zombie is gone for our purposes; /proc/PID/stat says Z.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('port publishing (-p, -P, port, ps)', () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  let blocker: Server | undefined;
  beforeAll(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    if (why()) return;
    const base = join(dir.path, 'base.tar');
    const www = join(dir.path, 'www.tar');
    await writeBusyboxRootfs(base);
    await writeTar(www, [{ type: 'dir', name: 'www/' }, { type: 'file', name: 'www/index.html', content: '<h1>Hello from Strata</h1>\n' }]);
    const engine = Engine.open({ root });
    await storeImage(engine, [base, www], {
      tags: ['web'],
      config: { config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['httpd', '-f', '-p', '80', '-h', '/www'], ExposedPorts: { '80/tcp': {} } } },
    });
    engine.close();
  });
  afterAll(async () => {
    if (!why()) {
      const left = (await strata(root, ['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      if (left.length > 0) await strata(root, ['rm', '-f', ...left]);
    }
    await new Promise((r) => (blocker ? blocker.close(r) : r(undefined)));
    dir.cleanup();
  });

  /** The helper a running container's ports go through (pid recorded in its directory). */
  function helperPid(id: string): number {
    const engine = Engine.open({ root });
    try {
      const file = join(engine.containers.dirOf(id), 'ports.json');
      return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid : 0;
    } finally {
      engine.close();
    }
  }

  it('serves a page on 127.0.0.1:PORT, shows it in port, ps and inspect, and leaves no helper after stop and rm', async ({ skip }) => {
    if (why()) skip(why());
    const port = await freePort();
    const run = await strata(root, ['run', '-d', '--name', 'build-nginx', '-p', `127.0.0.1:${port}:80`, 'web']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    const page = await served(port);
    expect(page).toEqual({ status: 200, body: '<h1>Hello from Strata</h1>\n' });

    expect(await strata(root, ['port', 'build-nginx'])).toEqual({ code: 0, stdout: `80/tcp -> 127.0.0.1:${port}\n`, stderr: '' });
    expect(await strata(root, ['port', 'build-nginx', '80/tcp'])).toEqual({ code: 0, stdout: `127.0.0.1:${port}\n`, stderr: '' });
    expect(await strata(root, ['port', 'build-nginx', '81'])).toEqual({ code: 1, stdout: '', stderr: "Error: No public port '81' published for build-nginx\n" });
    expect((await strata(root, ['ps', '--format', '{{.Names}} {{.Ports}}'])).stdout).toBe(`build-nginx 127.0.0.1:${port}->80/tcp\n`);
    const table = (await strata(root, ['ps'])).stdout.split('\n');
    expect(table[0]).toMatch(/STATUS\s+PORTS\s+NAMES/);
    expect(table[1]).toContain(`127.0.0.1:${port}->80/tcp   build-nginx`);
    const inspect = JSON.parse((await strata(root, ['container', 'inspect', 'build-nginx'])).stdout) as [{ HostConfig: Record<string, unknown>; NetworkSettings: Record<string, unknown>; Config: Record<string, unknown> }];
    expect(inspect[0].HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    expect(inspect[0].HostConfig.PublishAllPorts).toBe(false);
    expect(inspect[0].NetworkSettings.Ports).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    expect(inspect[0].Config.ExposedPorts).toEqual({ '80/tcp': {} });

    const helper = helperPid(id);
    expect(helper).toBeGreaterThan(0);
    expect(alive(helper)).toBe(true);
    expect((await strata(root, ['stop', '-t', '1', 'build-nginx'])).code).toBe(0);
    expect(alive(helper)).toBe(false);
    expect((await get(port)).error).toBe('ECONNREFUSED');
    // Stopped: nothing published (docker clears NetworkSettings.Ports), the bindings stay.
    expect(await strata(root, ['port', 'build-nginx'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await strata(root, ['ps', '-a', '--format', '{{.Names}} [{{.Ports}}]'])).stdout).toBe('build-nginx []\n');
    const stopped = JSON.parse((await strata(root, ['container', 'inspect', 'build-nginx'])).stdout) as [{ HostConfig: Record<string, unknown>; NetworkSettings: Record<string, unknown> }];
    expect(stopped[0].NetworkSettings.Ports).toEqual({});
    expect(stopped[0].HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });

    // Started again, it publishes again; rm -f takes the helper with it.
    expect((await strata(root, ['start', 'build-nginx'])).code).toBe(0);
    expect((await served(port)).status).toBe(200);
    const again = helperPid(id);
    expect(alive(again)).toBe(true);
    expect((await strata(root, ['rm', '-f', 'build-nginx'])).code).toBe(0);
    expect(alive(again)).toBe(false);
  });

  it('-P publishes the image EXPOSE on a free port of every address; another container cannot take it', async ({ skip }) => {
    if (why()) skip(why());
    const run = await strata(root, ['run', '-d', '--name', 'all', '-P', 'web']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = (await strata(root, ['port', 'all', '80'])).stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^0\.0\.0\.0:\d+$/);
    const port = Number(lines[0]!.split(':')[1]);
    // Where the host has IPv6, the same port is bound on :: too (docker 20.10's docker-proxy does).
    if (lines.length > 1) expect(lines[1]).toBe(`[::]:${port}`);
    expect((await served(port)).body).toBe('<h1>Hello from Strata</h1>\n');
    const ps = (await strata(root, ['ps', '--format', '{{.Ports}}', '--filter', 'name=all'])).stdout.trim();
    expect(ps).toBe(lines.length > 1 ? `0.0.0.0:${port}->80/tcp, [::]:${port}->80/tcp` : `0.0.0.0:${port}->80/tcp`);
    const inspect = JSON.parse((await strata(root, ['container', 'inspect', 'all'])).stdout) as [{ HostConfig: Record<string, unknown> }];
    expect(inspect[0].HostConfig).toMatchObject({ PortBindings: {}, PublishAllPorts: true });

    // A port another running container publishes is allocated (checked before anything starts).
    const second = await strata(root, ['run', '-d', '--name', 'second', '-p', `127.0.0.1:${port}:80`, 'web']);
    expect(second.code).toBe(125);
    expect(second.stderr).toContain(`Bind for 127.0.0.1:${port} failed: port is already allocated`);
    expect((await strata(root, ['rm', '-f', 'all', 'second'])).code).toBe(0);
  });

  it('a host port already in use: docker error, exit 125, the container stays Created', async ({ skip }) => {
    if (why()) skip(why());
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    const res = await strata(root, ['run', '-d', '--name', 'clash', '-p', `127.0.0.1:${taken}:80`, 'web']);
    expect(res.code).toBe(125);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(new RegExp(`^strata: Error response from daemon: driver failed programming external connectivity on endpoint clash \\([0-9a-f]{64}\\): Bind for 127\\.0\\.0\\.1:${taken} failed: port is already allocated\\n$`));
    expect((await strata(root, ['ps', '-a', '--filter', 'name=clash', '--format', '{{.Status}}'])).stdout).toBe('Created\n');
    expect((await strata(root, ['rm', 'clash'])).code).toBe(0);
  });

  it('refuses bad specs as docker does, and publishing with --network none', async ({ skip }) => {
    if (why()) skip(why());
    expect(await strata(root, ['run', '-d', '-p', '80:http', 'web'])).toMatchObject({ code: 125, stderr: expect.stringContaining('invalid containerPort: http') });
    expect(await strata(root, ['run', '-d', '-p', '8000-8002:80-81', 'web'])).toMatchObject({ code: 125, stderr: expect.stringContaining('invalid ranges specified for container and host Ports: 80-81 and 8000-8002') });
    const none = await strata(root, ['create', '--network', 'none', '-p', '8080:80', 'web']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('conflicting options: port publishing and the container type network mode');
  });

  it("a publishing container gets no way to the host's loopback services (its own loopback, the gateway)", async ({ skip }) => {
    if (why()) skip(why());
    const secret = createServer((sock) => sock.end('HTTP/1.0 200 OK\r\n\r\nhost-secret\n'));
    await new Promise<void>((r) => secret.listen(0, '127.0.0.1', r));
    const hostPort = (secret.address() as { port: number }).port;
    try {
      // (busybox wget -T crashes on a refused connection: timeout bounds it instead)
      const script = `timeout 5 wget -q -O - http://127.0.0.1:${hostPort}/; echo "loopback=$?"; gw=$(ip route | awk '/^default/ {print $3}'); echo "gw=$gw"; timeout 5 wget -q -O - "http://$gw:${hostPort}/"; echo "gateway=$?"`;
      const res = await strata(root, ['run', '--rm', '-p', `127.0.0.1:${await freePort()}:80`, 'web', 'sh', '-c', script]);
      expect(res.code).toBe(0);
      expect(res.stdout).not.toContain('host-secret');
      expect(res.stdout).toMatch(/loopback=1\n/);
      // The namespace has a route out (the helper's), yet its gateway is not the host's loopback.
      expect(res.stdout).toMatch(/gw=\d+\.\d+\.\d+\.\d+\n/);
      expect(res.stdout).toMatch(/gateway=(1|143)\n/);
    } finally {
      await new Promise((r) => secret.close(r));
    }
  });

  it.skipIf(!which('slirp4netns'))('slirp4netns serves the same page when it is the helper', async ({ skip }) => {
    if (why()) skip(why());
    const port = await freePort();
    const before = process.env.STRATA_PORT_DRIVER;
    process.env.STRATA_PORT_DRIVER = 'slirp4netns';
    try {
      const run = await strata(root, ['run', '-d', '--name', 'slirp', '-p', `127.0.0.1:${port}:80`, 'web']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const engine = Engine.open({ root });
      const driver = (JSON.parse(readFileSync(join(engine.containers.dirOf(run.stdout.trim()), 'ports.json'), 'utf8')) as { driver: string }).driver;
      engine.close();
      expect(driver).toBe('slirp4netns');
      expect((await served(port)).body).toBe('<h1>Hello from Strata</h1>\n');
      const helper = helperPid(run.stdout.trim());
      expect((await strata(root, ['rm', '-f', 'slirp'])).code).toBe(0);
      expect(alive(helper)).toBe(false);
    } finally {
      if (before === undefined) delete process.env.STRATA_PORT_DRIVER;
      else process.env.STRATA_PORT_DRIVER = before;
    }
  });
});
