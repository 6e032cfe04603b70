/**
 * `build` resolves FROM like docker: a base image missing from the store is pulled from its
 * registry (shown as BuildKit's `load metadata for` vertex), `--pull` asks the registry again for
 * a stored one, and a lowercase `dockerfile` is found when there is no `Dockerfile`. A real
 * registry (Debian's docker-registry) on loopback, real pushes and pulls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';
import { registryMissing, startRegistry, type RunningRegistry } from '../registry/registry-server.ts';
import { suiteName } from '../fixtures/skip.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';

const skip = busyboxMissing() ?? registryMissing();

describe.skipIf(skip)(suiteName('build pulls its base image', skip), () => {
  let dir: { path: string; cleanup: () => void };
  let registry: RunningRegistry;
  let ref: string;
  let src: string;

  /** Stores a busybox image (with an extra file when `extra`) under `ref` in the source store and pushes it. */
  async function publish(extra?: string): Promise<void> {
    const engine = Engine.open({ root: src });
    try {
      const layers = [join(dir.path, 'base.tar')];
      if (extra) {
        const tar = join(dir.path, `${extra}.tar`);
        await writeTar(tar, [{ type: 'file', name: `${extra}.txt`, content: `${extra}\n` }]);
        layers.push(tar);
      }
      await storeImage(engine, layers, { tags: [ref] });
    } finally {
      engine.close();
    }
    const pushed = await strata(src, ['push', ref]);
    if (pushed.code !== 0) throw new Error(`push failed: ${pushed.stderr}`);
  }

  beforeAll(async () => {
    dir = tempDir('strata-pull-base-');
    registry = await startRegistry(join(dir.path, 'registry'));
    ref = `${registry.host}/tools/bb:1`;
    src = join(dir.path, 'src');
    await writeBusyboxRootfs(join(dir.path, 'base.tar'));
    await publish();
  });
  afterAll(async () => {
    await registry?.stop();
    dir?.cleanup();
  });

  function context(name: string, dockerfile: string, fileName = 'Dockerfile'): string {
    const ctx = join(dir.path, name);
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, fileName), dockerfile);
    return ctx;
  }

  it('pulls a missing FROM image as "load metadata for", then builds on it', async () => {
    const root = join(dir.path, 'fresh');
    const ctx = context('app', `FROM ${ref}\nRUN cat /etc/passwd > /copy\n`);
    const r = await strata(root, ['build', '--progress', 'plain', '-t', 'app:1', ctx]);
    expect(r.code, r.stderr).toBe(0);
    const digest = /#4 resolve (\S+)@(sha256:[0-9a-f]{64}) done\n/.exec(r.stderr);
    expect(r.stderr).toContain(`#2 [internal] load metadata for ${ref}\n#2 DONE `);
    expect(digest?.[1]).toBe(ref);
    // FROM names the digest the registry gave, as BuildKit does, and shows what the pull fetched.
    expect(r.stderr).toMatch(new RegExp(`#4 \\[1/2\\] FROM ${ref}@${digest![2]}\n#4 resolve [^\n]+\n(#4 sha256:[0-9a-f]{64} \\S+ / \\S+ done\n){3}#4 extracting sha256:[0-9a-f]{64} done\n#4 DONE 0\\.0s\n`));
    const images = await strata(root, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images.stdout.split('\n').filter(Boolean).sort()).toEqual(['app:1', ref].sort());
    const ran = await strata(root, ['run', '--rm', 'app:1', 'head', '-c', '5', '/copy']);
    expect(ran.stdout).toBe('root:');
  });

  it('uses the stored image without asking the registry; --pull fetches the newer one', async () => {
    const root = join(dir.path, 'policy');
    const ctx = context('policy', `FROM ${ref}\nRUN ls / > /listing\n`);
    expect((await strata(root, ['build', '-t', 'p:1', ctx])).code).toBe(0);
    await publish('newer');
    // Stored: used as it is, though the registry has a newer one.
    const kept = await strata(root, ['build', '--progress', 'plain', '-t', 'p:2', ctx]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).not.toContain('resolve ');
    expect((await strata(root, ['run', '--rm', 'p:2', 'cat', '/listing'])).stdout).not.toContain('newer.txt');
    const pulled = await strata(root, ['build', '--progress', 'plain', '--pull', '-t', 'p:3', ctx]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stderr).toMatch(new RegExp(`#\\d+ resolve ${ref}@sha256:`));
    // The new base changes what RUN sees, and the miss says why.
    expect(pulled.stderr).toContain('cache miss: FROM: base image changed since the last build');
    expect((await strata(root, ['run', '--rm', 'p:3', 'cat', '/listing'])).stdout).toContain('newer.txt');
  });

  it('fails on an image the registry does not have, under the metadata vertex', async () => {
    const root = join(dir.path, 'missing');
    const absent = `${registry.host}/tools/absent:1`;
    const ctx = context('absent', `FROM ${absent}\n`);
    const r = await strata(root, ['build', '--progress', 'plain', ctx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`#2 \\[internal\\] load metadata for ${absent.replace(/[.:/]/g, '\\$&')}\\n#2 ERROR: .+\\n`));
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^ERROR: failed to solve: ${absent}: failed to resolve source metadata for ${absent}: .+`));
  });

  it('takes a lowercase dockerfile when there is no Dockerfile (docker\'s rule)', async () => {
    const root = join(dir.path, 'fresh');
    const ctx = context('lower', `FROM ${ref}\nLABEL lower=yes\n`, 'dockerfile');
    const r = await strata(root, ['build', '--progress', 'plain', '-t', 'lower:1', ctx]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('#1 [internal] load build definition from dockerfile\n');
    const label = await strata(root, ['inspect', '--format', '{{index .Config.Labels "lower"}}', 'lower:1']);
    expect(label.stdout).toBe('yes\n');
    // Both present: Dockerfile wins.
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${ref}\nLABEL upper=yes\n`);
    const both = await strata(root, ['build', '--progress', 'plain', '-t', 'lower:2', ctx]);
    expect(both.stderr).toContain('#1 [internal] load build definition from Dockerfile\n');
  });
});
