/**
 * The bundled CLI (scripts/build-cli.ts → out/cli/, run by bin/strata): commands answer through
 * it exactly as from the sources, a container it starts runs its monitor from the sources, and
 * it never runs stale code — a source changed since the build (mtime or size), or no out/cli at
 * all, runs the sources. All on a copy of the checkout (bundled-checkout.ts), never the real one.
 */
import { appendFileSync, renameSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { buildBundle, bundledCheckout, strataIn, type Run } from './bundled-checkout.ts';

const tmp = tempDir('strata-bundle-');
let checkout: string;
const root = join(tmp.path, 'root');
const emptyRoot = join(tmp.path, 'empty');
const SOURCES = { STRATA_NO_BUNDLE: '1' };

beforeAll(() => {
  checkout = bundledCheckout(tmp.path);
}, 180_000);
afterAll(() => tmp.cleanup());

/** What a user sees of a run. */
const seen = (r: Run): Pick<Run, 'status' | 'stdout' | 'stderr'> => ({ status: r.status, stdout: r.stdout, stderr: r.stderr });

describe('the bundled CLI', () => {
  it('answers every case as the sources do', async () => {
    const layer = join(tmp.path, 'layer.tar');
    await writeTar(layer, [{ type: 'dir', name: 'etc/' }, { type: 'file', name: 'etc/motd', content: 'hello\n' }]);
    const imported = strataIn(checkout, ['--root', root, 'import', layer, 'example/app:v1'], SOURCES);
    expect(imported.status, imported.stderr).toBe(0);
    const cases = [
      ['--version'],
      ['--root', emptyRoot, 'images'],
      ['--root', root, 'images', '--format', '{{.Repository}} {{.Tag}} {{.ID}} {{.Size}}'],
      ['--root', root, 'image', 'inspect', '--format', '{{.Id}} {{.Size}} {{json .RootFS}}', 'example/app:v1'],
      ['--root', root, 'system', 'df'],
      ['--root', root, 'image', 'ls', '--bogus'],
      ['--root', root, 'images', 'a', 'b', 'c'],
      ['--root', root, 'inspect', 'no-such-image'],
      ['no-such-command'],
      ['image', 'ls', '--help'],
      ['--help'],
    ];
    for (const args of cases) {
      const bundled = strataIn(checkout, args);
      const sources = strataIn(checkout, args, SOURCES);
      expect({ args, ran: bundled.ran }).toEqual({ args, ran: 'bundle' });
      expect({ args, ran: sources.ran }).toEqual({ args, ran: 'sources' });
      expect({ args, ...seen(bundled) }).toEqual({ args, ...seen(sources) });
    }
    // The cases do not all succeed: usage errors (125), a bad count (1), a missing image (1).
    expect(new Set(cases.map((args) => strataIn(checkout, args).status))).toEqual(new Set([0, 1, 125]));
  });

  it.skipIf(busyboxMissing() ?? sandboxUnavailable())('starts a detached container whose monitor runs from the sources', async () => {
    const bbRoot = join(tmp.path, 'bb-root');
    const rootfs = join(tmp.path, 'busybox.tar');
    await writeBusyboxRootfs(rootfs);
    const engine = Engine.open({ root: bbRoot });
    try {
      await storeImage(engine, [rootfs], { tags: ['bb:1'] });
    } finally {
      engine.close();
    }
    const run = strataIn(checkout, ['--root', bbRoot, 'run', '-d', 'bb:1', 'sh', '-c', 'echo from-the-container']);
    expect(run.ran).toBe('bundle');
    expect(run.status, run.stderr).toBe(0);
    const id = run.stdout.trim();
    const waited = strataIn(checkout, ['--root', bbRoot, 'wait', id]);
    expect(seen(waited)).toEqual({ status: 0, stdout: '0\n', stderr: '' });
    expect(strataIn(checkout, ['--root', bbRoot, 'logs', id]).stdout).toBe('from-the-container\n');
  });

  it('runs the sources when out/cli is missing', () => {
    renameSync(join(checkout, 'out', 'cli'), join(checkout, 'out', 'cli-away'));
    try {
      const r = strataIn(checkout, ['--root', emptyRoot, 'images']);
      expect(r.ran).toBe('sources');
      expect(seen(r)).toEqual(seen(strataIn(checkout, ['--root', emptyRoot, 'images'], SOURCES)));
    } finally {
      renameSync(join(checkout, 'out', 'cli-away'), join(checkout, 'out', 'cli'));
    }
    expect(strataIn(checkout, ['--version']).ran).toBe('bundle');
  });

  it('runs the sources once a source it was built from changes: a new mtime, or a new size', () => {
    // A module only `images` loads, set to a whole second so its mtime can be put back exactly.
    const file = join(checkout, 'src', 'main', 'engine', 'image', 'list.ts');
    const built = new Date('2025-06-01T00:00:00Z');
    utimesSync(file, built, built);
    buildBundle(checkout);
    const images = ['--root', emptyRoot, 'images'];
    expect(strataIn(checkout, images).ran).toBe('bundle');

    utimesSync(file, new Date(built.getTime() + 1000), new Date(built.getTime() + 1000));
    const touched = strataIn(checkout, images);
    expect(touched.ran).toBe('sources');
    expect(touched.status).toBe(0);
    // Every command, not only those that load the changed module.
    expect(strataIn(checkout, ['--version']).ran).toBe('sources');

    appendFileSync(file, '// changed\n');
    utimesSync(file, built, built);
    expect(statSync(file).mtimeMs).toBe(built.getTime());
    const resized = strataIn(checkout, images);
    expect(resized.ran).toBe('sources');
    expect(seen(resized)).toEqual(seen(strataIn(checkout, images, SOURCES)));

    buildBundle(checkout);
    expect(strataIn(checkout, images).ran).toBe('bundle');
  }, 180_000);
});
