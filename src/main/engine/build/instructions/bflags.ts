/** Builder flags (`--from=x`, `--link`) of one instruction, with BuildKit's validation messages. */
import { withSuggestion } from './suggest.ts';
import { StrataError } from '../../../../shared/errors.ts';

type FlagType = 'bool' | 'string' | 'strings';

export interface Flag {
  name: string;
  type: FlagType;
  /** For bool flags "true"/"false"; for string flags the value or the default. */
  value: string;
  /** Every value of a repeatable (strings) flag. */
  values: string[];
}

export class BFlags {
  private readonly args: readonly string[];
  private readonly flags = new Map<string, Flag>();
  private readonly used = new Set<string>();

  constructor(args: readonly string[]) {
    this.args = args;
  }

  addBool(name: string, def: boolean): Flag {
    return this.add(name, 'bool', def ? 'true' : 'false');
  }

  addString(name: string, def: string): Flag {
    return this.add(name, 'string', def);
  }

  addStrings(name: string): Flag {
    return this.add(name, 'strings', '');
  }

  private add(name: string, type: FlagType, value: string): Flag {
    if (this.flags.has(name)) throw new StrataError('invalid', `duplicate flag defined: ${name}`);
    const flag: Flag = { name, type, value, values: [] };
    this.flags.set(name, flag);
    return flag;
  }

  isUsed(name: string): boolean {
    return this.used.has(name);
  }

  /** Names of flags given on the instruction, in definition order. */
  usedNames(): string[] {
    return [...this.flags.keys()].filter((n) => this.used.has(n));
  }

  /** Applies the instruction's flags to the defined ones; throws BuildKit's errors. */
  parse(): void {
    for (const raw of this.args) {
      if (!raw.startsWith('--')) throw new StrataError('invalid', `arg should start with -- : ${raw}`);
      if (raw === '--') return;
      let arg = raw.slice(2);
      const eq = arg.indexOf('=');
      const value = eq >= 0 ? arg.slice(eq + 1) : '';
      if (eq >= 0) arg = arg.slice(0, eq);
      const flag = this.flags.get(arg);
      if (!flag) throw new StrataError('invalid', withSuggestion(`unknown flag: ${arg}`, arg, [...this.flags.keys()], true));
      if (this.used.has(arg) && flag.type !== 'strings') throw new StrataError('invalid', `duplicate flag specified: ${arg}`);
      this.used.add(arg);
      this.apply(flag, arg, value, eq >= 0);
    }
  }

  private apply(flag: Flag, name: string, value: string, hasValue: boolean): void {
    switch (flag.type) {
      case 'bool': {
        if (hasValue && value === '') throw new StrataError('invalid', `missing a value on flag: ${name}`);
        const lower = value.toLowerCase();
        if (lower === '') flag.value = 'true';
        else if (lower === 'true' || lower === 'false') flag.value = lower;
        else throw new StrataError('invalid', `expecting boolean value for flag ${name}, not: ${value}`);
        return;
      }
      case 'string':
        if (!hasValue) throw new StrataError('invalid', `missing a value on flag: ${name}`);
        flag.value = value;
        return;
      case 'strings':
        if (!hasValue) throw new StrataError('invalid', `missing a value on flag: ${name}`);
        flag.values.push(value);
        return;
    }
  }
}
