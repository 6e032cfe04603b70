/**
 * Work done inside the rootless user namespace (subordinate mode, see idmap.ts and userns.ts),
 * where the container's IDs are real and its root may chown to them and read and write what they
 * own: unpacking a layer with the owners it records, packing an upper dir a non-root container
 * user wrote (a 0700 home directory included), `cp`, `export` and the copied rootfs of the
 * fallback without overlayfs. Started by userns.ts under
 * `unshare`; the answer goes to stdout, a failure to stderr as one ErrorData JSON line (exit 1).
 *   node userns-worker.ts JOB_JSON
 */
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { unpackLayer } from './unpack.ts';
import { packUpper } from './changes.ts';
import { RootfsView } from './rootfs.ts';
import { archiveOut, copyIn, copyOut, extractIn } from '../container/copy.ts';
import { exportRootfs } from '../container/export.ts';
import { materialize, syncBack } from '../runtime/copy-rootfs.ts';
import type { WorkerJob } from './userns.ts';
import { toErrorData } from '../../../shared/errors.ts';

const toStdout = (stream: Readable): Promise<void> => pipeline(stream, process.stdout);

async function run(job: WorkerJob): Promise<void> {
  switch (job.op) {
    case 'unpack':
      return unpackLayer(process.stdin, job.target, job.lowerDirs);
    case 'pack':
      return toStdout(packUpper(job.upperDir));
    case 'copy-in':
      process.stdout.write(`${copyIn(new RootfsView(job.lowerDirs, job.upperDir), job.src, job.dest)}\n`);
      return;
    case 'extract-in':
      process.stdout.write(`${await extractIn(new RootfsView(job.lowerDirs, job.upperDir), process.stdin, job.dest, job.container)}\n`);
      return;
    case 'copy-out':
      process.stdout.write(`${await copyOut(new RootfsView(job.lowerDirs, job.upperDir), job.src, job.dest)}\n`);
      return;
    case 'archive-out':
      return toStdout(archiveOut(new RootfsView(job.lowerDirs, job.upperDir), job.src));
    case 'export':
      return toStdout(exportRootfs(new RootfsView(job.lowerDirs, job.upperDir)));
    case 'materialize':
      return materialize(job.lowerDirs, job.upperDir, job.target);
    case 'sync-back':
      return syncBack(job.lowerDirs, job.upperDir, job.root, new Set(job.skip));
  }
}

run(JSON.parse(process.argv[2] ?? '{}') as WorkerJob).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${JSON.stringify(toErrorData(err))}\n`);
    process.exit(1);
  },
);
