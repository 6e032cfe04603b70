import { Engine } from '../engine/engine.ts';
import { defaultRoot } from '../engine/paths.ts';
import { parseArgs, UsageError } from './args.ts';
import type { Command, CommandContext } from './command.ts';
import { COMMANDS } from './registry.ts';
import { reportError } from './errors.ts';

const GLOBAL_HELP = `Usage:  strata [--root DIR] COMMAND

A daemonless, rootless image manager with docker's commands and output.

Options:
      --root DIR   Store directory (default: $STRATA_ROOT or the per-user data directory)
  -h, --help       Print usage
`;

/** Finds the command whose path (or alias) is the longest prefix of argv. */
export function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[]; len: number } | undefined;
  for (const command of COMMANDS) {
    for (const path of [command.path, ...(command.aliases ?? [])]) {
      if (path.length <= argv.length && path.every((w, i) => argv[i] === w) && (!best || path.length > best.len)) {
        best = { command, rest: argv.slice(path.length), len: path.length };
      }
    }
  }
  return best && { command: best.command, rest: best.rest };
}

function helpFor(c: Command): string {
  const lines = [`Usage:  ${c.usage}`, '', c.description, ''];
  if (c.aliases?.length) lines.push('Aliases:', `  ${[c.path, ...c.aliases].map((p) => p.join(' ')).join(', ')}`, '');
  if (c.flags.length) {
    lines.push('Options:');
    for (const f of c.flags) {
      const left = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.type === 'bool' ? '' : ` ${f.value ?? (f.type === 'strings' ? 'list' : 'string')}`}`;
      lines.push(`  ${left.padEnd(28)} ${f.description}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function commandList(): string {
  const rows = COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(20)} ${c.description}`).sort();
  return `${GLOBAL_HELP}\nCommands:\n${rows.join('\n')}\n`;
}

export async function main(argv: string[], io: Pick<CommandContext, 'stdout' | 'stderr' | 'stdin'> = process): Promise<number> {
  let root = defaultRoot();
  // Global flags come before the command.
  while (argv[0]?.startsWith('-')) {
    const a = argv.shift()!;
    if (a === '--root') root = argv.shift() ?? '';
    else if (a.startsWith('--root=')) root = a.slice('--root='.length);
    else if (a === '-h' || a === '--help') {
      io.stdout.write(commandList());
      return 0;
    } else if (a === '-v' || a === '--version') {
      io.stdout.write('strata version 0.1.0\n');
      return 0;
    } else {
      io.stderr.write(`unknown flag: ${a}\nSee 'strata --help'.\n`);
      return 125;
    }
  }
  if (argv.length === 0) {
    io.stdout.write(commandList());
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.stderr.write(`strata: '${argv.join(' ')}' is not a strata command.\nSee 'strata --help'\n`);
    return 1;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || (rest.includes('-h') && !command.flags.some((f) => f.short === 'h'))) {
    io.stdout.write(helpFor(command));
    return 0;
  }
  let engine: Engine | undefined;
  const abort = new AbortController();
  const onSignal = (): void => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const parsed = parseArgs(rest, command.flags, command.interspersed ?? true);
    const name = command.path.join(' ');
    if (command.minArgs !== undefined && parsed.args.length < command.minArgs) {
      throw new UsageError(`"strata ${name}" requires ${command.minArgs === 1 ? 'at least 1 argument' : `at least ${command.minArgs} arguments`}.\nSee 'strata ${name} --help'.\n\nUsage:  ${command.usage}`);
    }
    if (command.maxArgs !== undefined && parsed.args.length > command.maxArgs) {
      throw new UsageError(`"strata ${name}" accepts ${command.maxArgs === 0 ? 'no arguments' : `at most ${command.maxArgs} argument${command.maxArgs === 1 ? '' : 's'}`}.\nSee 'strata ${name} --help'.\n\nUsage:  ${command.usage}`);
    }
    const code = await command.run({
      ...parsed,
      root,
      stdout: io.stdout,
      stderr: io.stderr,
      stdin: io.stdin,
      signal: abort.signal,
      engine: () => (engine ??= Engine.open({ root })),
    });
    return code ?? 0;
  } catch (err) {
    return reportError(io.stderr, err);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    engine?.close();
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
}
