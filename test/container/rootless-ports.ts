/**
 * Run by rootless-ports.test.ts as an unprivileged user: publishes a busybox httpd container's port 80
 * on a free loopback port through pasta, GETs the page, stops the container; prints what it saw.
 *   node rootless-ports.ts DIR
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable, which } from '../../src/main/engine/runtime/sandbox.ts';
import { storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';

const dir = process.argv[2]!;
const why = sandboxUnavailable() ?? (which('pasta') ? undefined : 'passt (pasta) is not installed');
if (why) {
  console.log(JSON.stringify({ skipped: why }));
  process.exit(0);
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function get(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const engine = Engine.open({ root: join(dir, 'store') });
try {
  await writeBusyboxRootfs(join(dir, 'base.tar'));
  await writeTar(join(dir, 'www.tar'), [{ type: 'dir', name: 'www/' }, { type: 'file', name: 'www/index.html', content: 'rootless\n' }]);
  await storeImage(engine, [join(dir, 'base.tar'), join(dir, 'www.tar')], { tags: ['web'], config: { config: { Cmd: ['httpd', '-f', '-p', '80', '-h', '/www'] } } });
  const port = await freePort();
  const c = engine.containers.create({ image: 'web', portBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } });
  const proc = await engine.containers.start(c.id);
  proc.end();
  let body: string | undefined;
  for (let deadline = Date.now() + 15_000; body === undefined && Date.now() < deadline; ) {
    body = await get(port);
    if (body === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  const published = JSON.parse(readFileSync(join(engine.containers.dirOf(c.id), 'ports.json'), 'utf8')) as { driver: string; pid: number };
  const ports = engine.containers.ports(c.id);
  await engine.containers.stop(c.id, 1);
  console.log(JSON.stringify({ uid: process.getuid?.(), body, driver: published.driver, ports, helperAlive: alive(published.pid), after: await get(port) ?? null }));
} finally {
  engine.close();
}
