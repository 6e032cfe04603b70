/**
 * The build panel's host side: a miss reaches the contract with its structured cause next to the
 * CLI's English line, and build history carries the engine advisor's suggestions (Dockerfile
 * lines, time and bytes). Real builds on a temporary store with a busybox base.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.ts';
import { adviseOrder } from '../engine/build/advisor.ts';
import { busyboxMissing } from '../../../test/fixtures/busybox.ts';
import { tempDir } from '../../../test/tmp.ts';
import { buildWithEvents, storeBusybox } from '../../../test/build/helpers.ts';
import type { BuildEvent } from '../../shared/contract.ts';
import { buildHistory, toContractEvent } from './build-host.ts';

const tmp = tempDir('strata-build-host-');
const unavailable = busyboxMissing();
let engine: Engine;

beforeAll(async () => {
  engine = Engine.open({ root: join(tmp.path, 'root') });
  if (!unavailable) await storeBusybox(engine, tmp.path);
});
afterAll(() => {
  engine.close();
  tmp.cleanup();
});

describe('build host', () => {
  it('streams miss causes and serves the engine advisor\'s suggestions', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const dir = join(tmp.path, 'web-ping');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nWORKDIR /web\nCOPY app.sh .\nLABEL ready=1\nCMD ["sh", "/web/app.sh"]\n');
    const contract: BuildEvent[] = [];
    for (const v of ['v1', 'v2', 'v3']) {
      writeFileSync(join(dir, 'app.sh'), `echo ${v}\n`);
      const { events } = await buildWithEvents(engine, { context: dir });
      contract.length = 0;
      for (const e of events) {
        const mapped = toContractEvent(e);
        if (mapped) contract.push(mapped);
      }
    }
    const misses = contract.flatMap((e) => (e.type === 'step' && e.missCause ? [e] : []));
    expect(misses.map((m) => m.missCause?.code)).toEqual(['files-changed', 'parent-missed', 'parent-missed']);
    expect(misses[0]!.missCause).toMatchObject({ instruction: 'COPY app.sh .', files: [{ path: 'app.sh', change: 'changed' }] });
    expect(misses[0]!.missReason).toMatch(/^COPY app\.sh \.: app\.sh changed \(sha256 [0-9a-f]{2}…→[0-9a-f]{2}…\)$/);

    const { builds, advice } = buildHistory(engine, dir, 'Dockerfile');
    expect(builds).toHaveLength(3);
    const engineAdvice = adviseOrder(engine, { context: dir, dockerfile: join(dir, 'Dockerfile') }).suggestions;
    expect(advice).toHaveLength(1);
    expect(advice[0]).toMatchObject({ line: 3, instruction: 'COPY app.sh .', changedBuilds: 2, comparedBuilds: 2, message: engineAdvice[0]!.message });
    expect(advice[0]!.stableBelow.map((s) => [s.line, s.instruction.split(' ')[0]])).toEqual([[4, 'LABEL'], [5, 'CMD']]);
    expect(advice[0]!.savedBytes).toBe(Math.round(engineAdvice[0]!.savedBytes));
  });
});
