import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { DiskUsageReport } from '../../src/main/engine/api.ts';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { makeOracleArchives, mustSucceed } from './archives.ts';
import { imageConfig, tarTree } from './compare.ts';

const skip = dockerdMissing() ?? busyboxMissing() ?? (process.getuid?.() === 0 ? undefined : 'the sandbox needs root here');

/** Adds, changes, deletes, a symlink, a hard link, a chmod that breaks a lower hard link, an empty file. */
const SCRIPT = [
  'echo hi > /new.txt', 'echo more >> /etc/passwd', 'rm /etc/group', 'mkdir -p /var/lib/x', 'ln -s /new.txt /var/lib/x/link',
  'ln /new.txt /var/lib/x/hard', 'rm -rf /opt/current', 'chmod 700 /opt/tool', 'touch /tmp/t',
].join('; ');
/** A directory removed and made again: an opaque directory in the upper layer. */
const RECREATE = 'rm -rf /root && mkdir -m 700 /root';
/**
 * A lab's step: a file changed in a directory of the image (docker lists the directory too, `C
 * /opt` beside `C /opt/tool`); a directory only touched is no change.
 */
const NESTED = 'echo more >> /opt/tool; touch /bin';
/** A directory of the image re-made with other contents: what it held is deleted. */
const REMADE = 'rm -rf /opt && mkdir /opt && echo x > /opt/new';

describe.skipIf(skip)(`docker oracle: containers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: { path: string; cleanup: () => void };
  let d: Dockerd;
  let root: string;

  beforeAll(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    const archives = await makeOracleArchives(dir.path);
    d = await startDockerd();
    await d.docker(['load', '-i', archives.appNew]);
    await mustSucceed(root, ['load', '-i', archives.appNew]);
    await d.docker(['run', '--network', 'none', '--name', 'c1', 'app:1', 'sh', '-c', SCRIPT]);
    await mustSucceed(root, ['run', '--name', 'c1', 'app:1', 'sh', '-c', SCRIPT]);
    await d.docker(['run', '--network', 'none', '--name', 'c2', 'app:1', 'sh', '-c', RECREATE]);
    await mustSucceed(root, ['run', '--name', 'c2', 'app:1', 'sh', '-c', RECREATE]);
    await d.docker(['run', '--network', 'none', '--name', 'c3', 'app:1', 'sh', '-c', NESTED]);
    await mustSucceed(root, ['run', '--name', 'c3', 'app:1', 'sh', '-c', NESTED]);
    await d.docker(['run', '--network', 'none', '--name', 'c4', 'app:1', 'sh', '-c', REMADE]);
    await mustSucceed(root, ['run', '--name', 'c4', 'app:1', 'sh', '-c', REMADE]);
  });
  afterAll(async () => {
    await d?.stop();
    dir?.cleanup();
  });

  it('diff: the same lines (docker prints them in the upper directory\'s readdir order, Strata sorted)', async () => {
    const theirs = (await d.docker(['diff', 'c1'])).stdout.split('\n').filter(Boolean);
    const ours = (await strata(root, ['diff', 'c1'])).stdout.split('\n').filter(Boolean);
    expect(ours).toEqual([...theirs].sort((a, b) => a.slice(2).localeCompare(b.slice(2))));
    expect(ours).toContain('A /var/lib/x/hard');
    expect(ours).toContain('D /etc/group');
  });

  it('diff of a re-created directory (opaque in the upper layer) and of changes below a directory equals docker\'s', async () => {
    const sorted = (text: string): string[] => text.split('\n').filter(Boolean).sort((a, b) => a.slice(2).localeCompare(b.slice(2)));
    expect(sorted((await strata(root, ['diff', 'c2'])).stdout)).toEqual(sorted((await d.docker(['diff', 'c2'])).stdout));
    const nested = (await strata(root, ['diff', 'c3'])).stdout;
    expect(sorted(nested)).toEqual(sorted((await d.docker(['diff', 'c3'])).stdout));
    expect(nested).toContain('C /opt\nC /opt/tool\n');
    expect(nested).not.toContain('/bin\n');
    const remade = (await strata(root, ['diff', 'c4'])).stdout;
    expect(sorted(remade)).toEqual(sorted((await d.docker(['diff', 'c4'])).stdout));
    expect(remade).toBe('C /opt\nD /opt/current\nA /opt/new\nD /opt/tool\nD /opt/tool-again\n');
  });

  it("the writable layer's size (SizeRw) is docker's number of bytes", async () => {
    const api = await d.api<{ Containers: { Names: string[]; SizeRw?: number }[] }>('/system/df');
    const ours = JSON.parse((await strata(root, ['system', 'df', '--report'])).stdout) as DiskUsageReport;
    // the Engine API leaves SizeRw out when it is 0
    const theirs = Object.fromEntries(api.Containers.map((c) => [c.Names[0], c.SizeRw ?? 0]));
    expect(Object.fromEntries(ours.containers.map((c) => [c.names[0], c.sizeRw]))).toEqual(theirs);
    expect(theirs['/c1']).toBeGreaterThan(0);
  });

  it("ps -s: docker's SIZE column, the writable layer and the virtual size beside it", async () => {
    const rows = (text: string): string[] => text.split('\n').filter(Boolean).sort();
    const format = ['--format', '{{.Names}} {{.Size}}'];
    const theirs = (await d.docker(['ps', '-a', '-s', ...format])).stdout;
    expect(rows((await strata(root, ['ps', '-a', '-s', ...format])).stdout)).toEqual(rows(theirs));
    expect(theirs).toMatch(/^c1 \d+(\.\d+)?k?B \(virtual \d/m);
    // a template naming .Size gets the sizes without -s, as docker/cli does
    expect(rows((await strata(root, ['ps', '-a', ...format])).stdout)).toEqual(rows(theirs));
    const header = (text: string): string => text.split('\n')[0]!.trim().split(/\s{2,}/).join(' | ');
    const table = (await strata(root, ['ps', '-a', '-s'])).stdout;
    expect(header(table)).toBe(header((await d.docker(['ps', '-a', '-s'])).stdout));
    expect(header(table)).toMatch(/NAMES \| SIZE$/);
  });

  it('commit -m -a -c: the same config, comment, author, size and history sizes', async () => {
    const args = ['commit', '-m', 'checkpoint', '-a', 'Ada <ada@example.com>', '-c', 'ENV X=1', '-c', 'CMD ["sh","-c","id"]', '-c', 'WORKDIR /tmp',
      '-c', 'LABEL stage=two', '-c', 'EXPOSE 8080/tcp', '-c', 'USER nobody', 'c1', 'committed:1'];
    await d.docker(args);
    await mustSucceed(root, args);
    const fmt = ['inspect', '--format', '{{json .Config}}', 'committed:1'];
    expect(imageConfig(await mustSucceed(root, fmt))).toEqual(imageConfig((await d.docker(fmt)).stdout));
    const meta = ['inspect', '--format', '{{.Comment}}|{{.Author}}|{{.Size}}|{{.Architecture}}|{{.Os}}|{{len .RootFS.Layers}}', 'committed:1'];
    expect(await mustSucceed(root, meta)).toBe((await d.docker(meta)).stdout);
    const history = ['history', '--format', '{{.CreatedBy}}|{{.Size}}|{{.Comment}}', 'committed:1'];
    expect(await mustSucceed(root, history)).toBe((await d.docker(history)).stdout);
  });

  it("export: the same tree (modes, owners, sizes, link targets), less docker's init layer", async () => {
    const theirs = join(dir.path, 'docker-export.tar');
    const ours = join(dir.path, 'strata-export.tar');
    await d.docker(['export', '-o', theirs, 'c1']);
    await mustSucceed(root, ['export', '-o', ours, 'c1']);
    const tree = tarTree(ours);
    expect(tree).toEqual(tarTree(theirs));
    expect(tree).toContain('hrw-r--r-- 0/0 0 var/lib/x/hard link to new.txt');
  });
});
