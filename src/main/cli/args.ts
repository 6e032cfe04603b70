import { StrataError } from '../../shared/errors.ts';
/** docker-style flag parsing: `-a`, `-it` (combined), `--filter x`, `--filter=x`, repeats, `--`. */

export type FlagType = 'bool' | 'string' | 'strings';

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  description: string;
  /** Placeholder in help, e.g. FILE. */
  value?: string;
}

export interface ParsedArgs {
  flags: Record<string, boolean | string | string[] | undefined>;
  args: string[];
}

/**
 * A command line docker's CLI would refuse before doing anything. `status`: 125 for flags
 * (cobra's flag errors), 1 for a wrong number of arguments (docker/cli's cli/required.go).
 */
export class UsageError extends StrataError {
  readonly status: number;

  constructor(message: string, status = 125) {
    super('invalid', message);
    this.status = status;
  }
}

/**
 * Parses `argv` against `specs`. With `interspersed` false (like `docker run`), the first
 * positional argument ends flag parsing so the container's command keeps its own flags.
 */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], interspersed = true): ParsedArgs {
  const flags: ParsedArgs['flags'] = {};
  const args: string[] = [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const set = (spec: FlagSpec, value: string | undefined): void => {
    if (spec.type === 'bool') {
      if (value !== undefined && !['true', 'false', '1', '0'].includes(value)) {
        throw new UsageError(`invalid argument "${value}" for "--${spec.name}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
      }
      flags[spec.name] = value === undefined || value === 'true' || value === '1';
    } else if (spec.type === 'string') {
      flags[spec.name] = value!;
    } else {
      flags[spec.name] = [...((flags[spec.name] as string[] | undefined) ?? []), value!];
    }
  };
  let i = 0;
  let positionalOnly = false;
  while (i < argv.length) {
    const a = argv[i]!;
    i++;
    if (positionalOnly || a === '-' || !a.startsWith('-')) {
      args.push(a);
      if (!interspersed) positionalOnly = true;
      continue;
    }
    if (a === '--') {
      positionalOnly = true;
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      const spec = byName.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
      let value: string | undefined = eq === -1 ? undefined : a.slice(eq + 1);
      if (value === undefined && spec.type !== 'bool') {
        if (i >= argv.length) throw new UsageError(`flag needs an argument: --${name}`);
        value = argv[i++]!;
      }
      set(spec, value);
      continue;
    }
    // Short flags, possibly combined: -it, -aq, -f value, -fvalue
    for (let k = 1; k < a.length; k++) {
      const ch = a[k]!;
      const spec = byShort.get(ch);
      if (!spec) throw new UsageError(`unknown shorthand flag: '${ch}' in ${a}`);
      if (spec.type === 'bool') {
        // pflag: `-a=false` gives the last shorthand of a group its value
        if (a[k + 1] === '=') {
          set(spec, a.slice(k + 2));
          break;
        }
        set(spec, undefined);
        continue;
      }
      let value = a.slice(k + 1);
      if (value.startsWith('=')) value = value.slice(1);
      if (value === '') {
        if (i >= argv.length) throw new UsageError(`flag needs an argument: '${ch}' in -${ch}`);
        value = argv[i++]!;
      }
      set(spec, value);
      break;
    }
  }
  return { flags, args };
}
