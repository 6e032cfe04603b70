import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Engine } from '../../src/main/engine/engine.ts';
import { storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';
import { strata } from '../cli/run.ts';

/** One docker-archive per image, made by Strata in a scratch store: what both sides load. */
export interface OracleArchives {
  /** busybox:latest — the busybox-static rootfs (a binary, a symlink per applet, /etc files). */
  busybox: string;
  /** big:latest — busybox plus one 300,000-byte file, labelled size=big. */
  big: string;
  /** app:1 (old) — busybox plus a 51-byte file; loaded before appNew, it ends up dangling. */
  appOld: string;
  /** app:1 (new) — busybox plus a hard link pair and a symlink, labelled app=1. */
  appNew: string;
}

const history = (created: string, by: string[]) => by.map((b) => ({ created, created_by: b }));

/**
 * Builds the images in a scratch Strata store and saves each as a docker-archive. Creation times
 * are fixed and distinct, so `before`/`since` filters and the newest-first order are the same on
 * both sides whatever the clock.
 */
export async function makeOracleArchives(dir: string): Promise<OracleArchives> {
  const root = join(dir, 'source-store');
  const engine = Engine.open({ root });
  try {
    const base = join(dir, 'busybox-rootfs.tar');
    await writeBusyboxRootfs(base);
    const big = join(dir, 'big-layer.tar');
    await writeTar(big, [{ type: 'dir', name: 'data/' }, { type: 'file', name: 'data/blob.bin', content: randomBytes(300_000) }]);
    const small = join(dir, 'small-layer.tar');
    await writeTar(small, [{ type: 'file', name: 'hello.txt', content: 'x'.repeat(50) + '\n' }]);
    const links = join(dir, 'links-layer.tar');
    await writeTar(links, [
      { type: 'dir', name: 'opt/' },
      { type: 'file', name: 'opt/tool', content: 'tool body\n', mode: 0o755 },
      { type: 'link', name: 'opt/tool-again', target: 'opt/tool' },
      { type: 'symlink', name: 'opt/current', target: '/opt/tool' },
    ]);
    const add = '/bin/sh -c #(nop) ADD file:0123456789abcdef in / ';
    const cmd = '/bin/sh -c #(nop)  CMD ["sh"]';
    const withCmd = (created: string, by: string[]) => [...history(created, by), { created, created_by: cmd, empty_layer: true }];
    await storeImage(engine, [base], {
      tags: ['busybox:latest'],
      config: { created: '2024-01-01T00:00:00Z', history: withCmd('2024-01-01T00:00:00Z', [add]) },
    });
    await storeImage(engine, [base, big], {
      tags: ['big:latest'],
      config: {
        created: '2024-02-01T00:00:00Z',
        config: { Env: ['PATH=/bin'], Cmd: ['sh'], Labels: { size: 'big' } },
        history: [...withCmd('2024-01-01T00:00:00Z', [add]), ...history('2024-02-01T00:00:00Z', ['/bin/sh -c #(nop) COPY dir:cafe in /data '])],
      },
    });
    await storeImage(engine, [base, small], {
      tags: ['app:1'],
      config: { created: '2024-03-01T00:00:00Z', history: [...withCmd('2024-01-01T00:00:00Z', [add]), ...history('2024-03-01T00:00:00Z', ['COPY hello.txt / # buildkit'])] },
    });
    const out: Record<string, string> = {};
    for (const [name, ref] of [['busybox', 'busybox:latest'], ['big', 'big:latest'], ['appOld', 'app:1']] as const) {
      out[name] = join(dir, `${name}.tar`);
      await mustSucceed(root, ['save', '-o', out[name], ref]);
    }
    await storeImage(engine, [base, links], {
      tags: ['app:1'],
      config: {
        created: '2024-04-01T00:00:00Z',
        config: { Env: ['PATH=/bin'], Cmd: ['sh'], Labels: { app: '1' } },
        history: [...withCmd('2024-01-01T00:00:00Z', [add]), ...history('2024-04-01T00:00:00Z', ['/bin/sh -c ln /opt/tool /opt/tool-again'])],
      },
    });
    out.appNew = join(dir, 'appNew.tar');
    await mustSucceed(root, ['save', '-o', out.appNew, 'app:1']);
    return out as unknown as OracleArchives;
  } finally {
    engine.close();
  }
}

/** Runs the strata CLI; throws with its stderr on failure. */
export async function mustSucceed(root: string, args: string[], stdin = ''): Promise<string> {
  const r = await strata(root, args, stdin);
  if (r.code !== 0) throw new Error(`strata ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
