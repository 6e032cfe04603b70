import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { storeImage, writeBusyboxRootfs, busyboxMissing } from '../fixtures/busybox.ts';
import { registryMissing, startRegistry, type RunningRegistry } from '../registry/registry-server.ts';
import { tempDir } from '../tmp.ts';
import { strata } from '../cli/run.ts';

describe('run pulls a missing image first (--pull missing), like docker', () => {
  let dir: { path: string; cleanup: () => void };
  let registry: RunningRegistry | undefined;
  const why = (): string | undefined => busyboxMissing() ?? sandboxUnavailable() ?? registryMissing();

  beforeAll(async () => {
    dir = tempDir();
    if (why()) return;
    registry = await startRegistry(join(dir.path, 'registry'));
    const src = join(dir.path, 'src');
    const engine = Engine.open({ root: src });
    await writeBusyboxRootfs(join(dir.path, 'base.tar'));
    await storeImage(engine, [join(dir.path, 'base.tar')], { tags: [`${registry.host}/tools/bb:1`] });
    engine.close();
    const pushed = await strata(src, ['push', `${registry.host}/tools/bb:1`]);
    if (pushed.code !== 0) throw new Error(`push failed: ${pushed.stderr}`);
  });
  afterAll(async () => {
    await registry?.stop();
    dir.cleanup();
  });

  it('says it cannot find the image locally, pulls it, runs it; --pull never refuses', async ({ skip }) => {
    if (why()) skip(why());
    const root = join(dir.path, 'fresh');
    const ref = `${registry!.host}/tools/bb:1`;
    const never = await strata(root, ['run', '--rm', '--pull', 'never', ref, 'true']);
    expect(never).toMatchObject({ code: 125, stderr: `strata: Error response from daemon: No such image: ${ref}.\nSee 'strata run --help'.\n` });
    const run = await strata(root, ['run', '--rm', ref, 'echo', 'pulled and ran']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('pulled and ran\n');
    expect(run.stderr.startsWith(`Unable to find image '${ref}' locally\n`)).toBe(true);
    // Now it is local: no second pull.
    const again = await strata(root, ['run', '--rm', ref, 'true']);
    expect(again).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
