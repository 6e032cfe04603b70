import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { portDriverUnavailable } from '../../src/main/engine/network/port-forwarder.ts';
import { createServer } from 'node:net';
import { busyboxMissing, storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { suiteName } from '../fixtures/skip.ts';
import { DOCKER_CLI, api, docker, dockerCliMissing, startService, strataCli, type Run, type Service } from './service.ts';

const missing = busyboxMissing() ?? dockerCliMissing() ?? sandboxUnavailable();

/** Runs a command under a pseudo-terminal (util-linux `script`), as a user's terminal would. */
function inPty(command: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile('script', ['-qec', command, '/dev/null'], { env, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Containers driven through `strata system service` by real clients: the docker CLI (hijacked
 * attach, wait, exec, logs, stop, commit, -it through a pty) and dockerode (plain-POST attach,
 * hijacked exec).
 */
describe.skipIf(missing)(suiteName('containers through the Engine API', missing), () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  let service: Service;
  let config: string;
  const cli = (args: string[], input?: string) => docker(service.socket, config, args, input === undefined ? {} : { input: Buffer.from(input) });

  beforeAll(async () => {
    dir = tempDir('strata-api-run-');
    root = join(dir.path, 'store');
    config = join(dir.path, 'docker-config');
    mkdirSync(config);
    await writeBusyboxRootfs(join(dir.path, 'base.tar'));
    const engine = Engine.open({ root });
    try {
      await storeImage(engine, [join(dir.path, 'base.tar')], { tags: ['busybox:latest'], config: { config: { Env: ['PATH=/bin', 'TARGET=default'], Cmd: ['sh'] } } });
    } finally {
      engine.close();
    }
    service = await startService(root, join(dir.path, 'run'));
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    dir?.cleanup();
  });

  it('docker run prints the output, keeps stdout and stderr apart and returns the exit code; --env overrides ENV', async () => {
    const r = await cli(['run', '--rm', '--env', 'TARGET=blog.sixeyed.com', 'busybox', 'sh', '-c', 'echo "ping $TARGET"; echo oops >&2; exit 3']);
    expect(r.stdout).toBe('ping blog.sixeyed.com\n');
    expect(r.stderr).toBe('oops\n');
    expect(r.code).toBe(3);
    expect((await strataCli(root, ['ps', '-a', '-q'])).stdout).toBe('');
  });

  it('docker run -i passes stdin through the hijacked connection, sent before the start', async () => {
    const r = await cli(['run', '-i', '--rm', 'busybox', 'sh'], 'echo from-stdin; exit 6\n');
    expect(r.stdout).toBe('from-stdin\n');
    expect(r.code).toBe(6);
  });

  it('docker run -it gets a terminal', async () => {
    const env = { PATH: process.env.PATH, HOME: config, DOCKER_CONFIG: config, DOCKER_HOST: `unix://${service.socket}` };
    const r = await inPty(`${DOCKER_CLI} run -it --rm busybox sh -c '[ -t 0 ] && [ -t 1 ] && echo in-tty; exit 5'`, env);
    expect(r.stdout).toContain('in-tty');
    expect(r.code).toBe(5);
  });

  it('a command that does not exist fails with 127, as docker run does', async () => {
    const r = await cli(['run', '--rm', 'busybox', 'no-such-command']);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('executable file not found in $PATH');
  });

  it('runs detached; logs, exec, diff, stop, commit and rm work on it', async () => {
    const id = (await cli(['run', '-d', '--name', 'sleeper', 'busybox', 'sh', '-c', 'echo started; touch /tmp/made; exec sleep 100'])).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await new Promise((r) => setTimeout(r, 500));
    expect((await cli(['logs', 'sleeper'])).stdout).toBe('started\n');
    const exec = await cli(['exec', 'sleeper', 'sh', '-c', 'echo in-exec; exit 4']);
    expect(exec.stdout).toBe('in-exec\n');
    expect(exec.code).toBe(4);
    expect((await cli(['diff', 'sleeper'])).stdout).toBe((await strataCli(root, ['diff', 'sleeper'])).stdout);
    expect((await cli(['diff', 'sleeper'])).stdout).toContain('A /tmp/made');
    const rm = await cli(['rm', 'sleeper']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain('container is running');
    expect((await cli(['stop', '-t', '1', 'sleeper'])).stdout).toBe('sleeper\n');
    expect((await cli(['ps', '-a', '--filter', 'name=sleeper', '--format', '{{.Status}}'])).stdout).toMatch(/^Exited \(\d+\)/);
    const commit = await cli(['commit', '-m', 'made a file', '-a', 'me', '-c', 'CMD ["cat","/tmp/made"]', 'sleeper', 'snap:1']);
    expect(commit.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const inspect = await strataCli(root, ['inspect', 'snap:1', '--format', '{{.Comment}}|{{.Author}}|{{json .Config.Cmd}}']);
    expect(inspect.stdout).toBe('made a file|me|["cat","/tmp/made"]\n');
    expect((await cli(['run', '--rm', 'snap:1'])).code).toBe(0);
    expect((await cli(['rm', 'sleeper'])).stdout).toBe('sleeper\n');
  });

  it('docker cp both ways through the archive endpoints; a link in the container never reaches the host', async () => {
    const host = join(dir.path, 'cp');
    mkdirSync(host);
    writeFileSync(join(host, 'in.txt'), 'into the container\n');
    const id = (await cli(['run', '-d', '--name', 'files', 'busybox', 'sh', '-c', 'mkdir -p /data/sub && echo out > /data/sub/out.txt && ln -s /etc/shadow /data/leak && exec sleep 60'])).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await new Promise((r) => setTimeout(r, 500));
    expect((await cli(['cp', join(host, 'in.txt'), 'files:/data/'])).code).toBe(0);
    expect((await cli(['exec', 'files', 'cat', '/data/in.txt'])).stdout).toBe('into the container\n');
    expect((await cli(['cp', 'files:/data', join(host, 'copy')])).code).toBe(0);
    expect(readFileSync(join(host, 'copy', 'sub', 'out.txt'), 'utf8')).toBe('out\n');
    expect(readlinkSync(join(host, 'copy', 'leak'))).toBe('/etc/shadow');
    const missingPath = await cli(['cp', 'files:/nope', host]);
    expect(missingPath.code).not.toBe(0);
    // The docker CLI's own words for a 404 from the archive endpoint, as with dockerd.
    expect(missingPath.stderr).toContain('No such container:path: files:/nope');
    await cli(['rm', '-f', 'files']);
  });

  it('streams the store\'s events as docker\'s JSON messages, with filters and since/until', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await cli(['tag', 'busybox', 'evt:1']);
    await cli(['rmi', 'evt:1']);
    const until = Math.floor(Date.now() / 1000) + 1;
    const r = await cli(['events', '--since', String(since), '--until', String(until), '--filter', 'type=image', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
    const lines = r.stdout.trim().split('\n');
    const tag = lines.indexOf('image tag evt:1');
    expect(tag).toBeGreaterThanOrEqual(0);
    // docker names the untagged image by its ID in the event's attributes.
    expect(lines.slice(tag + 1)).toContainEqual(expect.stringMatching(/^image untag sha256:[0-9a-f]{64}$/));
    expect(lines.every((l) => l.startsWith('image '))).toBe(true);
  });

  it('refuses what the sandbox cannot honour with a clear 400', async () => {
    const r = await cli(['run', '--rm', '-v', '/etc:/host-etc', 'busybox', 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('bind mounts and volumes are not supported');
    const body = JSON.stringify({ Image: 'busybox', Cmd: ['true'], HostConfig: { Privileged: true } });
    const res = await api(service.socket, 'POST', '/v1.41/containers/create', body, { 'Content-Type': 'application/json' });
    expect(res.status).toBe(400);
  });

  it('dockerode: run (plain-POST attach) and exec (hijacked)', async () => {
    const client = new Docker({ socketPath: service.socket });
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    let errText = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    err.on('data', (d: Buffer) => (errText += d.toString()));
    const [result, container] = (await client.run('busybox', ['sh', '-c', 'echo via-dockerode; echo to-err >&2; exit 7'], [out, err], { Tty: false })) as [{ StatusCode: number }, Docker.Container];
    expect(result.StatusCode).toBe(7);
    expect(text).toBe('via-dockerode\n');
    expect(errText).toBe('to-err\n');
    await container.remove();

    const sleeper = await client.createContainer({ Image: 'busybox', Cmd: ['sleep', '30'] });
    await sleeper.start();
    const exec = await sleeper.exec({ Cmd: ['sh', '-c', 'echo exec-out; echo exec-err >&2; exit 2'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let o = '';
    let e = '';
    stdout.on('data', (d: Buffer) => (o += d.toString()));
    stderr.on('data', (d: Buffer) => (e += d.toString()));
    client.modem.demuxStream(stream, stdout, stderr);
    await new Promise((r) => stream.on('end', r));
    expect(o).toBe('exec-out\n');
    expect(e).toBe('exec-err\n');
    expect((await exec.inspect()).ExitCode).toBe(2);
    await sleeper.remove({ force: true });
  });

  it.skipIf(portDriverUnavailable())('docker run -p publishes through the user-mode network; docker port and ps show it as docker does', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise((r) => srv.close(r));
    const run = await cli(['run', '-d', '--name', 'web', '-p', `127.0.0.1:${port}:80`, 'busybox', 'sh', '-c', 'mkdir /www && echo served > /www/index.html && exec httpd -f -p 80 -h /www']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    let body = '';
    for (const deadline = Date.now() + 15_000; body === '' && Date.now() < deadline; ) {
      body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => '');
      if (body === '') await new Promise((r) => setTimeout(r, 50));
    }
    expect(body).toBe('served\n');
    expect((await cli(['port', 'web'])).stdout).toBe(`80/tcp -> 127.0.0.1:${port}\n`);
    expect((await cli(['ps', '--filter', 'name=web', '--format', '{{.Ports}}'])).stdout).toBe(`127.0.0.1:${port}->80/tcp\n`);
    expect((await cli(['inspect', '-f', '{{json .HostConfig.PortBindings}}', 'web'])).stdout).toBe(`{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"${port}"}]}\n`);
    expect((await cli(['rm', '-f', 'web'])).code).toBe(0);
  });
});

