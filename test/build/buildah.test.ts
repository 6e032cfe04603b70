/**
 * Side by side with buildah (Debian package) on the same Dockerfiles: equal config fields and
 * equal file trees (paths, types, modes, ownership, content, link targets).
 * buildah runs with `--isolation chroot --storage-driver vfs` in a private root.
 */
import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { build } from '../../src/main/engine/build/builder.ts';
import { ImageView } from '../../src/main/engine/build/image-view.ts';
import { saveImages, selectImages } from '../../src/main/engine/archive/save.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { busyboxMissing, writeTar } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { storeBusybox } from './helpers.ts';

const execFile = promisify(execFileCb);

/**
 * buildah's chroot isolation sometimes fails to seal its memfd copy of itself under load
 * ("Close_Fd sealing memfd copy: Device or resource busy"), a peer-side hiccup unrelated to the
 * Dockerfile: retry that one error, and only it.
 */
async function budWithRetry(args: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await execFile('buildah', args, { maxBuffer: 1 << 24 });
      return;
    } catch (err) {
      const text = `${(err as { stderr?: string }).stderr ?? ''}${(err as Error).message}`;
      if (attempt >= 3 || !text.includes('sealing memfd copy')) throw err;
      console.log(`buildah hit its memfd sealing hiccup; retrying (attempt ${attempt + 1})`);
    }
  }
}

function buildahMissing(): string | undefined {
  try {
    execFileSync('buildah', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'buildah is not installed';
  }
  if (process.getuid?.() !== 0) return 'buildah comparison runs as root (buildah mount)';
  return busyboxMissing();
}

interface Node {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  content: string;
}

/** A tree as buildah mounted it: every path with type, mode, owner, and content digest / link target. */
function walkHost(root: string): Map<string, Node> {
  const out = new Map<string, Node>();
  const visit = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, r));
      const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
      const content = type === 'file' ? createHash('sha256').update(readFileSync(join(root, r))).digest('hex') : type === 'symlink' ? readlinkSync(join(root, r)) : '';
      out.set(r, { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, content });
      if (type === 'dir') visit(r);
    }
  };
  visit('');
  return out;
}

async function walkStrata(engine: Engine, imageId: string, scratch: string): Promise<Map<string, Node>> {
  const view = ImageView.of(engine, engine.images.layers(imageId).map((l) => l.diffId));
  const entries = view.subtree('');
  const dir = join(scratch, 'strata-tree');
  mkdirSync(dir, { recursive: true });
  await view.extract(engine, entries.filter((e) => e.type === 'file' || e.type === 'hardlink'), dir);
  const out = new Map<string, Node>();
  for (const e of entries) {
    if (e.path === '') continue;
    const type = e.type === 'hardlink' ? 'file' : e.type;
    const content = type === 'file' ? createHash('sha256').update(readFileSync(join(dir, e.path))).digest('hex') : type === 'symlink' ? e.linkTarget : '';
    out.set(e.path, { type, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, content });
  }
  return out;
}

const CONFIG_FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'Labels', 'ExposedPorts', 'Volumes', 'StopSignal', 'Healthcheck', 'OnBuild', 'Shell'] as const;

const DOCKERFILES: Record<string, { text: string; run?: boolean; asRoot?: boolean }> = {
  'web-ping': {
    text: 'ENV TARGET="blog.sixeyed.com" METHOD="HEAD" INTERVAL="3000"\nWORKDIR /web\nCOPY app.js .\nCMD ["node", "/web/app.js"]\n',
  },
  'copy-rules': {
    text: [
      'LABEL org.example.a=1 b="two words"',
      'EXPOSE 80 53/udp',
      'VOLUME /data',
      'STOPSIGNAL SIGINT',
      'HEALTHCHECK --interval=5s CMD true',
      'COPY --chown=nobody:nogroup --chmod=640 app.js /srv/deep/',
      'COPY dir/ /copied/',
      'COPY dir /copied-again',
      'ADD pkg.tar /opt/',
      // buildah creates a WORKDIR only when a later step writes into it; BuildKit always does.
      'WORKDIR /var/lib/thing',
      'COPY app.js .',
      'USER nobody',
      'ENTRYPOINT ["/bin/sh", "-c"]',
      'CMD echo hi',
      '',
    ].join('\n'),
  },
  'run': {
    text: 'WORKDIR /app\nRUN echo hello > greeting && mkdir -p sub && chmod 700 sub && rm /etc/group\nCOPY app.js sub/\n',
    run: true,
  },
  // A non-root RUN's files keep its uid/gid (as root; rootless maps one ID, docs/containers.md).
  'run-as-nobody': {
    text: 'USER 65534:65534\nRUN touch /tmp/made-by-nobody && mkdir /tmp/d\n',
    run: true,
    asRoot: true,
  },
};

describe('compared with buildah', () => {
  const unavailable = buildahMissing();
  const tmp = tempDir('strata-buildah-');
  let engine: Engine;
  let baseArchive: string;
  beforeAll(async () => {
    if (unavailable) return;
    engine = Engine.open({ root: join(tmp.path, 'root') });
    await storeBusybox(engine, tmp.path);
    baseArchive = join(tmp.path, 'busybox.tar');
    await saveImages(engine, selectImages(engine, ['busybox:latest']), createWriteStream(baseArchive));
  });
  afterAll(() => {
    engine?.close();
    if (!unavailable) {
      try {
        execFileSync('buildah', [...buildahGlobal(), 'rm', '--all'], { stdio: 'ignore' });
      } catch {
        /* best effort */
      }
    }
    tmp.cleanup();
  });

  function buildahGlobal(): string[] {
    return ['--root', join(tmp.path, 'buildah-root'), '--runroot', join(tmp.path, 'buildah-runroot'), '--storage-driver', 'vfs'];
  }

  async function makeContext(name: string, body: string, from: string): Promise<string> {
    const dir = join(tmp.path, `ctx-${name}-${from.startsWith('docker-archive') ? 'buildah' : 'strata'}`);
    mkdirSync(join(dir, 'dir', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'app.js'), 'console.log("ping");\n');
    writeFileSync(join(dir, 'dir', 'nested', 'f'), 'nested file\n');
    chmodSync(join(dir, 'dir', 'nested', 'f'), 0o600);
    chmodSync(join(dir, 'dir', 'nested'), 0o750);
    await writeTar(join(dir, 'pkg.tar'), [{ type: 'dir', name: 'pkg/', mode: 0o755 }, { type: 'file', name: 'pkg/bin', content: '#!/bin/sh\n', mode: 0o755, uid: 1, gid: 2 }]);
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${from}\n${body}`);
    return dir;
  }

  for (const [name, df] of Object.entries(DOCKERFILES)) {
    it(`${name}: same config and same file tree`, async ({ skip }) => {
      if (unavailable) skip(unavailable);
      if (df.run && sandboxUnavailable()) skip(`RUN needs the sandbox: ${sandboxUnavailable()}`);
      if (df.asRoot && process.getuid?.() !== 0) skip('rootless, a non-root RUN writes as the user namespace\'s root (docs/containers.md)');
      const ours = await build(engine, { context: await makeContext(name, df.text, 'busybox') });
      const bctx = await makeContext(name, df.text, `docker-archive:${baseArchive}`);
      await budWithRetry([...buildahGlobal(), 'bud', '--isolation', 'chroot', '--format', 'docker', '--layers', '-t', `cmp-${name}`, bctx]);
      const inspect = JSON.parse((await execFile('buildah', [...buildahGlobal(), 'inspect', '--type', 'image', `cmp-${name}`], { maxBuffer: 1 << 24 })).stdout) as {
        Docker: { config: Record<string, unknown> };
      };
      const theirs = inspect.Docker.config;
      const mine = engine.images.readConfig(ours.imageId).config as Record<string, unknown>;
      const labels = { ...(theirs.Labels as Record<string, string> | undefined) };
      delete labels['io.buildah.version'];
      theirs.Labels = Object.keys(labels).length ? labels : undefined;
      for (const field of CONFIG_FIELDS) {
        const a = mine[field] ?? undefined;
        const b = theirs[field] ?? undefined;
        expect(normalise(a), `${name}: config ${field}`).toEqual(normalise(b));
      }
      const container = (await execFile('buildah', [...buildahGlobal(), 'from', `cmp-${name}`])).stdout.trim();
      const mount = (await execFile('buildah', [...buildahGlobal(), 'mount', container])).stdout.trim();
      try {
        const theirTree = walkHost(mount);
        const myTree = await walkStrata(engine, ours.imageId, join(tmp.path, `tree-${name}`));
        // Directories buildah's chroot isolation creates for RUN mounts (absent from BuildKit images).
        for (const p of ['dev', 'proc', 'sys', 'run', 'etc/hosts', 'etc/resolv.conf', 'etc/hostname']) {
          if (!myTree.has(p)) theirTree.delete(p);
        }
        const onlyMine = [...myTree.keys()].filter((p) => !theirTree.has(p));
        const onlyTheirs = [...theirTree.keys()].filter((p) => !myTree.has(p));
        expect({ onlyMine, onlyTheirs }, `${name}: paths`).toEqual({ onlyMine: [], onlyTheirs: [] });
        for (const [p, node] of myTree) expect(node, `${name}: /${p}`).toEqual(theirTree.get(p));
      } finally {
        await execFile('buildah', [...buildahGlobal(), 'umount', container]).catch(() => {});
        await execFile('buildah', [...buildahGlobal(), 'rm', container]).catch(() => {});
      }
    });
  }
});

/** Empty maps/arrays and absent fields compare equal (docker omits empty fields). */
function normalise(v: unknown): unknown {
  if (v === null || v === undefined || v === '') return undefined;
  if (Array.isArray(v) && v.length === 0) return undefined;
  if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) return undefined;
  return v;
}
