/**
 * Which process owns a build: its PID with its start time (from /proc), so that a PID the kernel
 * has reused since is not mistaken for the build's process.
 */
import { readFileSync } from 'node:fs';

/** `pid:starttime` of a process (starttime from /proc, '' where there is no /proc). */
export function processStamp(pid: number = process.pid): string {
  return `${pid}:${startTime(pid) ?? ''}`;
}

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count after its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process a stamp names is still the one running. */
export function stampAlive(stamp: string): boolean {
  const [pidText, start] = stamp.split(':');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !start || startTime(pid) === start;
}

/**
 * Name prefix of the sandbox's temp folders for the RUN steps of build `buildId` (mkdtemp adds
 * six characters; the name stays `strata-run-` + alphanumerics, as the sandbox expects).
 */
export function runScratchPrefix(buildId: string): string {
  return `strata-run-${buildId}`;
}

/** The build ID in the name of a RUN sandbox's temp folder, if it has one. */
export function buildOfRunScratch(name: string): string | undefined {
  return /^strata-run-([0-9a-f]{24})[A-Za-z0-9]{6}$/.exec(name)?.[1];
}
