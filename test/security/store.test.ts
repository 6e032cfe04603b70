/**
 * Issue 11, the store's directories: as root, layers put setuid-root files and device nodes on
 * the host under snapshots/; no other local user may reach them, even in a store directory that
 * existed before (created 0755 by hand or by an older version).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { Snapshotter } from '../../src/main/engine/snapshot/snapshotter.ts';
import { storeImage, writeTar } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { skipAllIf } from '../fixtures/skip.ts';

function cannotSwitchUser(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: another user is needed to test what other users can reach';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'setpriv (util-linux) is not installed';
  return undefined;
}

describe('store directories', () => {
  skipAllIf(cannotSwitchUser);
  it('another local user cannot reach a setuid-root file of a snapshot, even in a store that existed 0755', async () => {
    const dir = tempDir('strata-sec-store-');
    try {
      chmodSync(dir.path, 0o755);
      const root = join(dir.path, 'store');
      mkdirSync(join(root, 'snapshots'), { recursive: true, mode: 0o755 });
      chmodSync(root, 0o755);
      chmodSync(join(root, 'snapshots'), 0o755);
      const engine = Engine.open({ root });
      try {
        const tar = join(dir.path, 'layer.tar');
        await writeTar(tar, [{ type: 'dir', name: 'bin/' }, { type: 'file', name: 'bin/suid', content: 'secret\n', mode: 0o4755 }]);
        const img = await storeImage(engine, [tar]);
        const [fs] = await new Snapshotter(engine).lowerDirs(img.id);
        const suid = join(fs!, 'bin/suid');
        expect(statSync(suid).mode & 0o7777).toBe(0o4755); // the layer's file, as root keeps it
        engine.containers.create({ image: img.id, cmd: ['true'] });
        for (const d of [root, join(root, 'snapshots'), join(root, 'containers')]) expect(statSync(d).mode & 0o777, d).toBe(0o700);
        const other = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', suid], { encoding: 'utf8' });
        expect(other.status).not.toBe(0);
        expect(other.stderr).toContain('Permission denied');
      } finally {
        engine.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});
