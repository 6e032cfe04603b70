/**
 * The sandbox policy as data, after docker's defaults (moby oci/defaults.go, oci/caps/defaults.go):
 * what RUN, `run` and `exec` may see and do. One function turns it into bwrap arguments; every
 * sandboxed process goes through it (see docs/containers.md).
 */
import { existsSync } from 'node:fs';

/** moby's default capabilities: everything else root has is dropped. */
export const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
] as const;

/** moby's masked paths: covered by an empty read-only file or directory. */
export const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats',
  '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
] as const;

/** moby's read-only paths: visible, never writable (the host's sysctls, sysrq, IRQ affinity…). */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'] as const;

/**
 * docker's network modes. `host` shares the host's stack; every other mode is a network namespace
 * of the sandbox's own with only a loopback (up): `bridge`/`default` would add a veth to docker's
 * bridge, which Strata has not, so they behave like `none` except that /etc/resolv.conf is kept.
 */
export type NetworkMode = 'host' | 'none' | 'bridge';
export const NETWORK_MODES = ['host', 'none', 'bridge', 'default'] as const;

/** `--network` as given to `run`/`create`/`build`: docker's names, `default` is `bridge`. */
export function parseNetworkMode(value: string): NetworkMode | undefined {
  if (value === 'default') return 'bridge';
  return value === 'host' || value === 'none' || value === 'bridge' ? value : undefined;
}

/**
 * bwrap arguments that mount /proc and /sys with docker's masks, after bwrap's own namespaces
 * and root are set up. bwrap covers some /proc paths itself, but only those its access(W_OK)
 * probe finds writable — as root that probe misses /proc/sys (its root directory answers EACCES
 * even to root), so the host's sysctls stayed writable. Here every path is covered, always.
 * The read-only binds come from the host's /proc: sysctls resolve per reader namespace (a
 * container's hostname, network), so the content is the sandbox's own. /sys is an empty
 * read-only tmpfs: a fresh sysfs can only be mounted from inside the network namespace, which
 * bwrap creates later, and the host's /sys (with debugfs, cgroups…) must not be shown.
 * `emptyFile` is an empty host file bound over masked files (docker binds /dev/null; a bound
 * device is unreadable on bwrap's nodev mounts).
 */
export function procAndSysArgs(emptyFile: string, exists: (p: string) => boolean = existsSync): string[] {
  const args = ['--proc', '/proc'];
  for (const p of READONLY_PATHS) if (exists(p)) args.push('--ro-bind', p, p);
  for (const p of MASKED_PATHS) {
    if (!p.startsWith('/proc/') || !exists(p)) continue;
    args.push(...maskArgs(p, emptyFile, exists));
  }
  args.push('--tmpfs', '/sys', '--remount-ro', '/sys');
  return args;
}

function maskArgs(path: string, emptyFile: string, exists: (p: string) => boolean): string[] {
  // A directory is hidden by an empty read-only tmpfs, a file by an empty read-only file.
  const isDir = exists(`${path}/.`);
  return isDir ? ['--tmpfs', path, '--remount-ro', path] : ['--ro-bind', emptyFile, path];
}
