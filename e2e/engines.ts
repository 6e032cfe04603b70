/// <reference lib="dom" />
/**
 * The desktop on a Docker engine, end to end: a private real dockerd (test/fixtures/dockerd.ts)
 * found through DOCKER_HOST by its own `strata ui`, a registry, and Chromium. Build with Strata's
 * estimate beside a miss, push and pull with the engine's progress, a shell in a running
 * container, and Copy to… into the Strata store. run.ts calls this; alone:
 * `STRATA_E2E_ONLY=engine node e2e/run.ts`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { Engine } from '../src/main/engine/engine.ts';
import { storeImage, writeBusyboxRootfs } from '../test/fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../test/fixtures/dockerd.ts';
import { registryMissing, startRegistry, type RunningRegistry } from '../test/registry/registry-server.ts';

export interface EngineE2e {
  repo: string;
  tmp: string;
  shots: string;
  chromium: string;
  chromiumArgs: string[];
  test: (name: string, fn: () => Promise<void | string>, page?: Page) => Promise<boolean>;
  expect: (cond: unknown, message: string) => void;
}

function strata(repo: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(join(repo, 'bin', 'strata'), args, { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`strata ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function startHost(repo: string, root: string, env: NodeJS.ProcessEnv): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(join(repo, 'bin', 'strata'), ['ui', '--no-open', '--root', root], { stdio: ['ignore', 'pipe', 'inherit'], env });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Open (http\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, proc });
    });
    proc.once('exit', (code) => reject(new Error(`strata ui exited with ${code}: ${out}`)));
  });
}

async function stop(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

const GROUP = 'engine: build, push/pull, terminal and Copy to… on a dockerd';

export async function engineCases(e: EngineE2e): Promise<void> {
  const only = process.env.STRATA_E2E_ONLY;
  if (only && !only.split('|').some((part) => GROUP.includes(part))) return;
  const cannot = dockerdMissing() ?? registryMissing();
  if (cannot) {
    await e.test(GROUP, async () => cannot);
    return;
  }
  const dir = join(e.tmp, 'engine-e2e');
  const root = join(dir, 'store');
  mkdirSync(dir, { recursive: true });
  let d: Dockerd | undefined;
  let registry: RunningRegistry | undefined;
  let host: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    const seed = Engine.open({ root: join(dir, 'seed') });
    try {
      await writeBusyboxRootfs(join(dir, 'base.tar'));
      await storeImage(seed, [join(dir, 'base.tar')], { tags: ['busybox:latest'] });
    } finally {
      seed.close();
    }
    strata(e.repo, ['--root', join(dir, 'seed'), 'save', '-o', join(dir, 'busybox.tar'), 'busybox:latest']);
    [d, registry] = await Promise.all([startDockerd(), startRegistry(join(dir, 'registry'))]);
    await d.docker(['load', '-i', join(dir, 'busybox.tar')]);
    const app = join(dir, 'app');
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'Dockerfile'), 'FROM busybox:latest\nCOPY app.sh /app.sh\nRUN sh /app.sh\n');
    writeFileSync(join(app, 'app.sh'), 'echo one\n');
    const env = { ...process.env, DOCKER_HOST: `unix://${d.socket}`, DOCKER_CONFIG: join(dir, 'docker-config'), XDG_CONFIG_HOME: join(dir, 'config') };
    const started = await startHost(e.repo, root, env);
    host = started.proc;
    browser = await chromium.launch({ executablePath: e.chromium, args: e.chromiumArgs });
    const page = await (await browser.newContext({ viewport: { width: 1360, height: 860 }, locale: 'en-US' })).newPage();
    await page.goto(started.url);
    await page.getByTestId('engine-select').selectOption('DOCKER_HOST');
    await page.waitForFunction(() => document.querySelector('[data-testid="engine-state"]')?.textContent?.includes('Engine 20.10'), undefined, { timeout: 30_000 });
    const docker = d;
    const reg = registry;

    await e.test('engine: the build panel builds on dockerd, CACHED from the engine, a miss with Strata\'s estimate', async () => {
      await page.getByTestId('nav-build').click();
      await page.getByTestId('build-path').fill(app);
      await page.getByTestId('build-open').click();
      await page.getByTestId('build-on-engine').waitFor();
      await page.getByTestId('build-tags').fill('app:1');
      const build = async (): Promise<void> => {
        await page.getByTestId('build-start').click();
        await page.getByTestId('build-result').waitFor({ timeout: 60_000 });
      };
      await build();
      writeFileSync(join(app, 'app.sh'), 'echo two\n');
      await build();
      const copy = page.getByTestId('build-step').filter({ hasText: 'COPY app.sh' });
      const why = await copy.getByTestId('miss-reason').innerText();
      e.expect(why.includes('app.sh changed') && why.includes('Strata’s estimate'), `COPY's miss reason: ${why}`);
      const run = await page.getByTestId('build-step').filter({ hasText: 'RUN sh /app.sh' }).innerText();
      e.expect(run.includes('two'), `RUN's log: ${run}`);
      const built = (await docker.docker(['image', 'inspect', '-f', '{{.Id}}', 'app:1'])).stdout.trim();
      e.expect((await page.getByTestId('build-result').innerText()).includes(built.slice(7, 19)), 'the result is the engine\'s image');
      await page.screenshot({ path: join(e.shots, 'engine-build.png') });
    }, page);

    await e.test('engine: push and pull from the Images view with the engine\'s progress', async () => {
      const ref = `${reg.host}/e2e/busybox:1`;
      await docker.docker(['tag', 'busybox:latest', ref]);
      await page.getByTestId('nav-images').click();
      await page.getByTestId('image-filter').fill('e2e/busybox');
      await page.getByTestId('table-row').first().click();
      await page.getByTestId('push-button').click();
      await page.getByTestId('notice').filter({ hasText: `Pushed ${ref}` }).waitFor({ timeout: 60_000 });
      await docker.docker(['rmi', ref]);
      await page.getByTestId('pull-button').click();
      await page.getByTestId('pull-ref').fill(ref);
      await page.getByTestId('pull-submit').click();
      await page.getByTestId('notice').filter({ hasText: `Pulled ${ref}` }).waitFor({ timeout: 60_000 });
      e.expect((await docker.docker(['images', '-q', ref])).stdout.trim() !== '', 'the engine has the pulled image');
    }, page);

    await e.test('engine: a shell in a running container through the terminal tab', async () => {
      await docker.docker(['run', '-d', '--network', 'none', '--name', 'e2e-shell', 'busybox', 'sleep', '300']);
      await page.getByTestId('nav-containers').click();
      await page.getByTestId('container-row').filter({ hasText: 'e2e-shell' }).click();
      await page.getByTestId('ctab-terminal').click();
      await page.getByTestId('terminal-mode-exec').waitFor();
      await page.getByTestId('terminal').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="terminal"] .xterm-rows')?.textContent?.includes('#'), undefined, { timeout: 20_000 });
      await page.keyboard.type('echo hi-$((40+2))\n');
      await page.waitForFunction(() => document.querySelector('[data-testid="terminal"] .xterm-rows')?.textContent?.includes('hi-42'), undefined, { timeout: 20_000 });
      await page.screenshot({ path: join(e.shots, 'engine-terminal.png') });
    }, page);

    await e.test('engine: Copy to… puts the image into the Strata store, with progress', async () => {
      await page.getByTestId('nav-images').click();
      await page.getByTestId('image-filter').fill('app:1');
      await page.getByTestId('table-row').first().click({ button: 'right' });
      await page.getByTestId('image-menu-copy-to').click();
      await page.getByTestId('copy-to-target').selectOption('default');
      await page.getByTestId('copy-to-submit').click();
      await page.getByTestId('notice').filter({ hasText: 'Copied app:1 to Strata store' }).waitFor({ timeout: 60_000 });
      const listed = strata(e.repo, ['--root', root, 'images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', 'app:1']).trim();
      const theirs = (await docker.docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', 'app:1'])).stdout.trim();
      e.expect(listed === theirs, `the store lists ${listed}, the engine ${theirs}`);
    }, page);
  } catch (err) {
    await e.test(`${GROUP} (setup)`, async () => {
      throw err;
    });
  } finally {
    await browser?.close().catch(() => {});
    await stop(host);
    await Promise.all([d?.stop(), registry?.stop()]);
  }
}
