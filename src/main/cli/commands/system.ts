/**
 * `version`, `info` and `system prune` in docker's layout. The "server" is Strata's own engine:
 * its version, API version and the Node that runs it are said as they are (there is no Go, no
 * containerd); the runtime component is bubblewrap.
 */
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { Command, CommandContext } from '../command.ts';
import { flagBool, flagString } from '../command.ts';
import { engineInfo, engineVersion, goArch, STRATA_VERSION } from '../../api-server/system-info.ts';
import { API_VERSION_TEXT } from '../../api-server/router.ts';
import { currentContext } from '../../providers/contexts.ts';
import { compile } from '../formatter.ts';
import { tabwrite } from '../tabwriter.ts';
import { formatG, humanSize4 } from '../../../shared/units.ts';
import { confirm } from '../prompt.ts';
import { pruneImages } from '../../engine/image/prune.ts';
import { BuildCache } from '../../engine/build/cache.ts';
import { sweepInterruptedBuilds } from '../../engine/build/leftovers.ts';

const FORMAT_FLAG = { name: 'format', short: 'f', type: 'string', description: 'Format the output using the given Go template' } as const;

/** bubblewrap's version (`bubblewrap 0.8.0`), what runs the containers; '' when it is missing. */
function bwrapVersion(): string {
  try {
    return execFileSync('bwrap', ['--version'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim().replace(/^bubblewrap /, '');
  } catch {
    return '';
  }
}

/** moby's types.Version for the client and the engine, in docker's field order. */
function versionData(): { Client: Record<string, unknown>; Server: Record<string, unknown> } {
  const server = engineVersion();
  const runtime = bwrapVersion();
  if (runtime) (server.Components as object[]).push({ Name: 'bubblewrap', Version: runtime, Details: {} });
  return {
    Client: {
      Platform: { Name: 'Strata' }, Version: STRATA_VERSION, ApiVersion: API_VERSION_TEXT, DefaultAPIVersion: API_VERSION_TEXT,
      GitCommit: '', GoVersion: `node${process.versions.node}`, Os: 'linux', Arch: goArch(), BuildTime: '', Context: currentContext(), Experimental: false,
    },
    Server: server,
  };
}

/** docker's version template: tab-aligned `Key:\tvalue` rows (a missing value leaves its row out). */
function versionText(v: ReturnType<typeof versionData>): string {
  const c = v.Client;
  const rows = (indent: string, pairs: [string, unknown][]): string =>
    pairs.filter(([, value]) => value !== '' && value !== undefined).map(([k, value]) => `${indent}${k}:\t${String(value)}`).join('\n');
  let text = `Client: Strata\n${rows(' ', [
    ['Version', c.Version], ['API version', c.ApiVersion], ['Node version', process.version], ['OS/Arch', `${c.Os}/${c.Arch}`], ['Context', c.Context],
  ])}\n\nServer: Strata\n`;
  for (const comp of v.Server.Components as { Name: string; Version: string; Details: Record<string, string> }[]) {
    const d = comp.Details;
    const pairs: [string, unknown][] = comp.Name === 'Engine'
      ? [['Version', comp.Version], ['API version', `${d.ApiVersion} (minimum version ${d.MinAPIVersion})`], ['Node version', process.version], ['OS/Arch', `${d.Os}/${d.Arch}`], ['Experimental', d.Experimental]]
      : [['Version', comp.Version]];
    text += ` ${comp.Name}:\n${rows('  ', pairs)}\n`;
  }
  return tabwrite(text, { minWidth: 20, padding: 1 });
}

export const versionCommand: Command = {
  path: ['version'],
  usage: 'strata version [OPTIONS]',
  description: 'Show the Strata version information',
  flags: [FORMAT_FLAG],
  maxArgs: 0,
  async run(ctx) {
    const data = versionData();
    const format = flagString(ctx, 'format');
    ctx.stdout.write(format ? `${compile(format).execute(data)}\n` : versionText(data));
  },
};

/** go-units BytesSize: binary units, 4 significant digits (`23.54GiB`). */
function bytesSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let size = n;
  let i = 0;
  while (size >= 1024 && i < units.length - 1) {
    size /= 1024;
    i++;
  }
  return `${formatG(size, 4)}${units[i]}`;
}

/** docker's `info` layout for what Strata has: the rows docker prints for a daemon's parts Strata lacks are left out. */
function infoText(info: Record<string, unknown>, context: string): string {
  const i = info as Record<string, never>;
  const driverStatus = (i.DriverStatus as [string, string][]).map(([k, v]) => `  ${k}: ${v}`);
  const security = (i.SecurityOptions as string[]).flatMap((opt) => {
    const fields = Object.fromEntries(opt.split(',').map((kv) => kv.split('=') as [string, string]));
    return [`  ${fields.name}`, ...Object.entries(fields).filter(([k]) => k !== 'name').map(([k, v]) => `   ${k[0]!.toUpperCase()}${k.slice(1)}: ${v}`)];
  });
  const lines = [
    'Client:', ` Context:    ${context}`, ' Debug Mode: false', '', 'Server:',
    ` Containers: ${i.Containers}`, `  Running: ${i.ContainersRunning}`, `  Paused: ${i.ContainersPaused}`, `  Stopped: ${i.ContainersStopped}`,
    ` Images: ${i.Images}`, ` Server Version: ${i.ServerVersion}`, ` Storage Driver: ${i.Driver}`, ...driverStatus,
    ` Logging Driver: ${i.LoggingDriver}`,
    ` Runtimes: ${Object.keys(i.Runtimes).join(' ')}`, ` Default Runtime: ${i.DefaultRuntime}`,
    ' Security Options:', ...security,
    ` Kernel Version: ${i.KernelVersion}`, ` Operating System: ${i.OperatingSystem}`, ` OSType: ${i.OSType}`, ` Architecture: ${i.Architecture}`,
    ` CPUs: ${i.NCPU}`, ` Total Memory: ${bytesSize(i.MemTotal)}`, ` Name: ${i.Name || hostname()}`,
    ` Strata Root Dir: ${i.DockerRootDir}`, ' Debug Mode: false', ` Registry: ${i.IndexServerAddress}`, ' Labels:', ` Experimental: ${i.ExperimentalBuild}`,
    ' Insecure Registries:', ...((i.RegistryConfig as { InsecureRegistryCIDRs: string[] }).InsecureRegistryCIDRs.map((r) => `  ${r}`)),
    ` Live Restore Enabled: ${i.LiveRestoreEnabled}`,
  ];
  const warnings = (i.Warnings as string[] | null) ?? [];
  return `${lines.join('\n')}\n\n${warnings.map((w) => `${w}\n`).join('')}`;
}

export const infoCommand: Command = {
  path: ['info'],
  aliases: [['system', 'info']],
  usage: 'strata info [OPTIONS]',
  description: 'Display system-wide information',
  flags: [FORMAT_FLAG],
  maxArgs: 0,
  async run(ctx) {
    const info = engineInfo(ctx.engine());
    const context = currentContext();
    const format = flagString(ctx, 'format');
    if (!format) {
      ctx.stdout.write(infoText(info, context));
      return;
    }
    const data = { ...info, ClientInfo: { Debug: false, Context: context, Plugins: [], Warnings: null } };
    ctx.stdout.write(`${compile(format).execute(data)}\n`);
  },
};

/** docker's prompt, less what Strata has none of (networks, volumes). */
function pruneWarning(all: boolean): string {
  return [
    'WARNING! This will remove:',
    '  - all stopped containers',
    all ? '  - all images without at least one container associated to them' : '  - all dangling images',
    all ? '  - all build cache' : '  - all dangling build cache',
    '',
    'Are you sure you want to continue?',
  ].join('\n');
}

async function pruneAll(ctx: CommandContext, all: boolean): Promise<void> {
  const engine = ctx.engine();
  const containers = await engine.containers.prune();
  const images = await pruneImages(engine, { all });
  sweepInterruptedBuilds(engine);
  const cache = new BuildCache(engine.db, engine.events).prune(all);
  await engine.gc.collect();
  if (containers.deleted.length > 0) ctx.stdout.write(`Deleted Containers:\n${containers.deleted.map((id) => `${id}\n`).join('')}\n`);
  if (images.deleted.length > 0) {
    ctx.stdout.write(`Deleted Images:\n${images.deleted.map((i) => (i.deleted ? `deleted: ${i.deleted}\n` : `untagged: ${i.untagged}\n`)).join('')}\n`);
  }
  if (cache.keys.length > 0) ctx.stdout.write(`Deleted build cache objects:\n${cache.keys.map((k) => `${k.replace(/^sha256:/, '').slice(0, 25)}\n`).join('')}\n`);
  ctx.stdout.write(`Total reclaimed space: ${humanSize4(containers.reclaimed + images.spaceReclaimed + cache.size)}\n`);
}

export const systemPruneCommand: Command = {
  path: ['system', 'prune'],
  usage: 'strata system prune [OPTIONS]',
  description: 'Remove unused data',
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Remove all unused images not just dangling ones' },
    { name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' },
    { name: 'volumes', type: 'bool', description: 'Prune volumes (Strata has none: nothing more is removed)' },
  ],
  maxArgs: 0,
  async run(ctx) {
    const all = flagBool(ctx, 'all');
    if (flagBool(ctx, 'volumes')) ctx.stderr.write('Strata has no volumes: --volumes removes nothing more\n');
    if (!flagBool(ctx, 'force') && !(await confirm(ctx, pruneWarning(all)))) return 0;
    await pruneAll(ctx, all);
    return 0;
  },
};
