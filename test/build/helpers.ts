import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { build, type BuildEvent, type BuildOptions, type BuildResult } from '../../src/main/engine/build/builder.ts';
import { ImageView } from '../../src/main/engine/build/image-view.ts';
import { storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';

/** Writes a context described like the conformance scenarios: `{"dir/": {mode}, "file": {content, mode}}`. */
export function writeContext(dir: string, files: Record<string, { content?: string; mode?: string }>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, spec] of Object.entries(files)) {
    const p = join(dir, name);
    if (name.endsWith('/')) {
      mkdirSync(p, { recursive: true });
      if (spec.mode) chmodSync(p, Number.parseInt(spec.mode, 8));
      continue;
    }
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, spec.content ?? '');
    if (spec.mode) chmodSync(p, Number.parseInt(spec.mode, 8));
  }
}

/** A busybox base image stored as `busybox:latest` from the host's busybox-static. */
export async function storeBusybox(engine: Engine, scratch: string): Promise<string> {
  const tar = join(scratch, `busybox-${Date.now()}.tar`);
  await writeBusyboxRootfs(tar);
  const img = await storeImage(engine, [tar], { tags: ['busybox:latest'], createdBy: ['/bin/sh -c #(nop) ADD file:busybox in / '] });
  return img.id;
}

/** Builds and collects the events. */
export async function buildWithEvents(engine: Engine, opts: BuildOptions): Promise<{ result: BuildResult; events: BuildEvent[] }> {
  const events: BuildEvent[] = [];
  const result = await build(engine, { ...opts, onEvent: (e) => events.push(e) });
  return { result, events };
}

/** The regular files of an image's merged filesystem and their content (small images only). */
export async function imageFiles(engine: Engine, imageId: string): Promise<Map<string, string>> {
  const view = ImageView.of(engine, engine.images.layers(imageId).map((l) => l.diffId));
  const entries = view.subtree('').filter((e) => e.type === 'file' && !e.path.startsWith('bin/busybox'));
  const dir = mkdtempSync(join(engine.root, 'files-'));
  await view.extract(engine, entries, dir);
  const out = new Map<string, string>();
  for (const e of entries) out.set(e.path, readFileSync(join(dir, e.path), 'utf8'));
  return out;
}

/** Every path of an image's merged filesystem with type, mode and owner (for tree comparisons). */
export function imageTree(engine: Engine, imageId: string): Map<string, { type: string; mode: number; uid: number; gid: number; linkTarget: string }> {
  const view = ImageView.of(engine, engine.images.layers(imageId).map((l) => l.diffId));
  const out = new Map<string, { type: string; mode: number; uid: number; gid: number; linkTarget: string }>();
  for (const e of view.subtree('')) out.set(e.path, { type: e.type, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, linkTarget: e.linkTarget });
  return out;
}
