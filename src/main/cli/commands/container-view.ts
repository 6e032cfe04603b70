/** `ps`, `logs`, `diff` and `container inspect`: reading what containers are and did. */
import type { Command } from '../command.ts';
import { flagBool, flagString, flagStrings } from '../command.ts';
import { UsageError } from '../args.ts';
import { NoSuchContainerError } from '../../engine/container/container-service.ts';
import { compile, renderRows } from '../formatter.ts';
import { goEscape } from '../template.ts';
import { psRow, PS_HEADER, inspectContainer } from '../container-format.ts';
import { checkContainerFilters, matchesContainerFilters } from '../../engine/container/filters.ts';
import { portLines } from '../../engine/network/ports.ts';

export const psCommand: Command = {
  path: ['ps'],
  aliases: [['container', 'ls'], ['container', 'list'], ['container', 'ps']],
  usage: 'strata ps [OPTIONS]',
  description: 'List containers',
  flags: [
    { name: 'size', short: 's', type: 'bool', description: 'Display total file sizes' },
    { name: 'all', short: 'a', type: 'bool', description: 'Show all containers (default shows just running)' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only display container IDs' },
    { name: 'no-trunc', type: 'bool', description: "Don't truncate output" },
    { name: 'format', type: 'string', description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'" },
    { name: 'filter', short: 'f', type: 'strings', value: 'filter', description: 'Filter output based on conditions provided' },
    { name: 'last', short: 'n', type: 'string', description: 'Show n last created containers (includes all states)' },
    { name: 'latest', short: 'l', type: 'bool', description: 'Show the latest created container (includes all states)' },
  ],
  maxArgs: 0,
  async run(ctx) {
    const engine = ctx.engine();
    const now = Date.now();
    const trunc = !flagBool(ctx, 'no-trunc');
    const filters: Record<string, string[]> = {};
    for (const f of flagStrings(ctx, 'filter')) {
      const eq = f.indexOf('=');
      if (eq <= 0) throw new UsageError(`invalid filter '${f}'`);
      (filters[f.slice(0, eq)] ??= []).push(f.slice(eq + 1));
    }
    checkContainerFilters(filters);
    const last = flagBool(ctx, 'latest') ? 1 : Number(flagString(ctx, 'last') ?? '-1');
    const all = flagBool(ctx, 'all') || last > 0 || filters.status !== undefined;
    let list = engine.containers.list({ all }).filter((c) => matchesContainerFilters(engine.images, c, filters));
    if (last > 0) list = list.slice(0, last);
    // docker/cli: -s adds SIZE to the default table; a template that names .Size gets sizes without it
    const size = flagBool(ctx, 'size');
    let format = flagString(ctx, 'format') ?? `table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}${size ? '\t{{.Size}}' : ''}`;
    const rows = list.map((c) => psRow(engine, c, now, trunc, size || format.includes('.Size')));
    if (flagBool(ctx, 'quiet')) format = '{{.ID}}';
    ctx.stdout.write(renderRows(format, rows, PS_HEADER));
  },
};

export const logsCommand: Command = {
  path: ['logs'],
  aliases: [['container', 'logs']],
  usage: 'strata logs [OPTIONS] CONTAINER',
  description: 'Fetch the logs of a container',
  flags: [
    { name: 'follow', short: 'f', type: 'bool', description: 'Follow log output' },
    { name: 'timestamps', short: 't', type: 'bool', description: 'Show timestamps' },
    { name: 'tail', short: 'n', type: 'string', description: 'Number of lines to show from the end of the logs (default "all")' },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    const id = engine.containers.get(ctx.args[0]!).id;
    const tail = flagString(ctx, 'tail');
    const stamps = flagBool(ctx, 'timestamps');
    let entries = engine.containers.logs(id);
    let shown = tail === undefined || tail === 'all' ? 0 : Math.max(0, entries.length - Number(tail));
    for (;;) {
      entries = engine.containers.logs(id);
      for (const e of entries.slice(shown)) (e.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(stamps ? `${e.time} ${e.text}` : e.text);
      shown = entries.length;
      if (!flagBool(ctx, 'follow') || engine.containers.get(id).state !== 'running' || ctx.signal.aborted) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  },
};

export const diffCommand: Command = {
  path: ['diff'],
  aliases: [['container', 'diff']],
  usage: 'strata diff CONTAINER',
  description: "Inspect changes to files or directories on a container's filesystem",
  flags: [],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    for (const c of await ctx.engine().containers.changes(ctx.args[0]!)) ctx.stdout.write(`${c.kind} ${c.path}\n`);
  },
};

export const containerInspectCommand: Command = {
  path: ['container', 'inspect'],
  usage: 'strata container inspect [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Display detailed information on one or more containers',
  flags: [{ name: 'format', short: 'f', type: 'string', description: "Format output using a custom template: 'json', 'TEMPLATE'" }],
  minArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    const found: Record<string, unknown>[] = [];
    const missing: string[] = [];
    for (const ref of ctx.args) {
      try {
        found.push(inspectContainer(engine, ref));
      } catch (err) {
        if (!(err instanceof NoSuchContainerError)) throw err;
        missing.push(ref);
      }
    }
    const format = flagString(ctx, 'format');
    if (format === undefined || format === '' || format === 'json') ctx.stdout.write(`${goEscape(JSON.stringify(found, null, 4))}\n`);
    else {
      const tmpl = compile(format);
      for (const obj of found) ctx.stdout.write(`${tmpl.execute(obj)}\n`);
    }
    for (const ref of missing) ctx.stderr.write(`Error: No such container: ${ref}\n`);
    return missing.length > 0 ? 1 : 0;
  },
};

export const portCommand: Command = {
  path: ['port'],
  aliases: [['container', 'port']],
  usage: 'strata port CONTAINER [PRIVATE_PORT[/PROTO]]',
  description: 'List port mappings or a specific mapping for the container',
  flags: [],
  minArgs: 1,
  maxArgs: 2,
  async run(ctx) {
    const engine = ctx.engine();
    const [ref, privatePort] = ctx.args;
    const rec = engine.containers.get(ref!);
    let lines: string[];
    try {
      lines = portLines(engine.containers.ports(rec), ref!, privatePort);
    } catch (err) {
      // docker's CLI prints these itself, "Error: " included.
      ctx.stderr.write(`${(err as Error).message}\n`);
      return 1;
    }
    if (lines.length > 0) ctx.stdout.write(`${lines.join('\n')}\n`);
  },
};
