/**
 * The front end used the way the builder will use it: walk a stage, resolving ARGs, expanding
 * instructions and producing history, checked against buildkit-scenarios expectations.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceDir, conformanceMissing } from '../../../../test/paths.ts';
import { skipAllIf } from '../../../../test/fixtures/skip.ts';
import {
  ShellLex, createdBy, defaultShell, expandInstruction, expandStage, normalizeWorkdir, parseDockerfile,
  resolveArgs, resolveMetaArgs, resolveRunCommand, type HistoryEntry, type ParsedDockerfile, type ResolvedArg,
} from './frontend.ts';

const scenarioDir = join(conformanceDir, 'buildkit-scenarios');
const noData = conformanceMissing('buildkit-scenarios');

interface Walk {
  baseName: string;
  env: Map<string, string>;
  history: HistoryEntry[];
  workingDir: string;
  /** Each RUN's argv and the environment it runs with. */
  runs: Array<{ args: string[]; env: Map<string, string> }>;
}

/** A miniature dispatcher: what the builder does per instruction, minus the filesystem. */
function walkStage(df: ParsedDockerfile, index: number, buildArgs: Record<string, string> = {}): Walk {
  const meta = resolveMetaArgs(df.globalArgs, buildArgs, {}, { escapeToken: df.escapeToken });
  const stage = df.stages[index]!;
  const walk: Walk = { baseName: expandStage(stage, meta.env).baseName, env: new Map(), history: [], workingDir: '/', runs: [] };
  const stageArgs: ResolvedArg[] = [];
  let shell: readonly string[] = defaultShell;
  for (const raw of stage.commands) {
    if (raw.kind === 'arg') {
      const resolved = resolveArgs(raw, { buildArgs, metaArgs: meta.args, env: walk.env }, { escapeToken: df.escapeToken });
      walk.history.push(createdBy({ ...raw, args: resolved })!);
      for (const arg of resolved) if (arg.value !== undefined) walk.env.set(arg.key, arg.value);
      stageArgs.push(...resolved);
      continue;
    }
    const cmd = expandInstruction(raw, walk.env, { escapeToken: df.escapeToken });
    const entry = createdBy(cmd, { shell, buildArgs: stageArgs, env: walk.env, workingDir: walk.workingDir });
    if (entry) walk.history.push(entry);
    if (cmd.kind === 'env') for (const kv of cmd.env) walk.env.set(kv.key, kv.value);
    if (cmd.kind === 'workdir') walk.workingDir = normalizeWorkdir(walk.workingDir, cmd.path);
    if (cmd.kind === 'shell') shell = cmd.shell;
    if (cmd.kind === 'run') walk.runs.push({ args: resolveRunCommand(cmd, shell).args, env: new Map(walk.env) });
  }
  return walk;
}

function stageIndex(df: ParsedDockerfile, name: string): number {
  const i = df.stages.findIndex((s) => s.name === name);
  if (i < 0) throw new Error(`no stage ${name}`);
  return i;
}

/** What `echo -n WORDS > /out` in a RUN writes, letting our lexer play /bin/sh. */
function echoOutput(run: { args: string[]; env: Map<string, string> }): string {
  const words = new ShellLex().processWords(run.args[run.args.length - 1]!, run.env);
  const start = words.indexOf('-n') + 1;
  const end = words.indexOf('>');
  return words.slice(start, end < 0 ? undefined : end).join(' ');
}

interface Scenario {
  name: string;
  Dockerfile?: string;
  context?: Record<string, { content?: string }>;
  build_args?: Record<string, string> | null;
  cases?: Array<{ build_args: Record<string, string> | null; expect_error_contains?: string; out?: string }>;
  expect_files_in_result_rootfs?: Record<string, string>;
  expect_new_history_entries_after_base?: Array<{ created_by_contains: string; empty_layer: boolean }>;
  expect_history_tail?: string[];
  expect_config?: { WorkingDir?: string };
  notes?: string;
}

type Check = (s: Scenario, df: ParsedDockerfile) => void;

const checks: Record<string, Check> = {
  'history-basic': (s, df) => {
    const walk = walkStage(df, df.stages.length - 1);
    const expected = s.expect_new_history_entries_after_base!;
    expect(walk.history).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      expect(walk.history[i]!.createdBy).toContain(e.created_by_contains);
      expect(walk.history[i]!.emptyLayer).toBe(e.empty_layer);
    });
    // The notes spell out the exact strings BuildKit writes; every one must appear verbatim.
    const exact = [...(s.notes ?? '').matchAll(/'([A-Z]+ [^']*)'/g)].map((m) => m[1]!);
    expect(exact.length).toBeGreaterThan(0);
    for (const str of exact) expect(walk.history.map((h) => h.createdBy)).toContain(str);
  },
  'history-arg-flatten': (s, df) => {
    const tail = s.expect_history_tail!;
    expect(walkStage(df, 0).history.slice(-tail.length).map((h) => h.createdBy)).toEqual(tail);
  },
  'arg-multi': (s, df) => {
    const walk = walkStage(df, stageIndex(df, 'build'));
    expect(walk.baseName).toBe('busybox');
    expect(echoOutput(walk.runs[0]!)).toBe(s.expect_files_in_result_rootfs!['out']);
  },
  'arg-quoted-meta': (s, df) => checks['arg-multi']!(s, df),
  'arg-global-in-from': (s, df) => {
    expect(walkStage(df, 0, s.build_args ?? {}).baseName).toBe('busybox:latest');
    expect(walkStage(df, 0).baseName).toBe('busybox:nosuchtag');
  },
  'arg-default-expansion': (s, df) => runCases(s, () => df.stages.length - 1, df),
  'arg-global-required': (s, df) => runCases(s, () => 0, df),
  'env-legacy-with-arg-default': (s, df) => {
    for (const c of s.cases!) {
      const walk = walkStage(df, stageIndex(df, 'build'), c.build_args ?? {});
      expect(walk.baseName).toBe('busybox');
      // myscript.sh is `echo -n $my_arg $*`: the env value, then the script's arguments.
      const words = new ShellLex().processWords(walk.runs[0]!.args[2]!, walk.runs[0]!.env);
      expect([walk.runs[0]!.env.get('my_arg'), ...words.slice(1)].join(' ')).toBe(c.out);
    }
  },
  'copy-relative': (s, df) => {
    expect(walkStage(df, 0).workingDir).toBe(s.expect_config!.WorkingDir);
  },
  'copy-wildcards': (_s, df) => {
    const sources = df.stages[0]!.commands.flatMap((c) => (c.kind === 'copy' ? c.sourcePaths : []));
    expect(sources).toContain('sub/*/dir2/foo');
  },
  'copy-empty-wildcard': (_s, df) => {
    const copy = df.stages[0]!.commands[0]!;
    expect(copy.kind === 'copy' && [copy.sourcePaths, copy.destPath]).toEqual([['foo', 'nomatch*'], '/']);
  },
  'dockerignore-basic': (_s, df) => expect(df.stages).toHaveLength(1),
  'dockerignore-invalid': (_s, df) => expect(df.stages).toHaveLength(1),
};

function runCases(s: Scenario, index: () => number, df: ParsedDockerfile): void {
  for (const c of s.cases!) {
    const attempt = (): Walk => walkStage(df, index(), c.build_args ?? {});
    if (c.expect_error_contains) expect(attempt).toThrow(c.expect_error_contains);
    else expect(attempt).not.toThrow();
  }
}

describe('buildkit-scenarios through the front end', () => {
  skipAllIf(noData);
  const files = noData ? [] : readdirSync(scenarioDir).filter((f) => f.endsWith('.json')).sort();
  it('finds the scenarios', () => expect(files.length).toBeGreaterThan(10));
  for (const file of files) {
    const scenario = JSON.parse(readFileSync(join(scenarioDir, file), 'utf8')) as Scenario;
    it(scenario.name, () => {
      const check = checks[scenario.name];
      expect(check, `no check written for scenario ${scenario.name}`).toBeDefined();
      const text = scenario.Dockerfile ?? scenario.context?.['Dockerfile']?.content;
      expect(text, 'scenario has a Dockerfile').toBeDefined();
      check!(scenario, parseDockerfile(text!));
    });
  }
});

describe('parseDockerfile', () => {
  it('returns stages, global args, directives, escape token and warnings', () => {
    const df = parseDockerfile('# syntax=docker/dockerfile:1\nARG V=1\nFROM alpine:$V AS base\nENV A b\nMAINTAINER me\nFROM base\nRUN x \\\n\n  y\n');
    expect(df.stages.map((s) => s.name)).toEqual(['base', '']);
    expect(df.globalArgs).toHaveLength(1);
    expect(df.directives).toEqual([{ name: 'syntax', value: 'docker/dockerfile:1', line: 1 }]);
    expect(df.escapeToken).toBe('\\');
    expect(df.warnings.map((w) => w.short.split(':')[0])).toEqual(['Empty continuation line found in', 'LegacyKeyValueFormat', 'MaintainerDeprecated']);
    expect(df.ast).toHaveLength(6);
  });

  it('builds the web-ping history the seeds describe', () => {
    const df = parseDockerfile('FROM node:20\nENV TARGET="blog.sixeyed.com" METHOD="HEAD"\nWORKDIR /web\nCOPY app.js .\nCMD ["node", "/web/app.js"]\n');
    expect(walkStage(df, 0).history.map((h) => [h.createdBy, h.emptyLayer])).toEqual([
      ['ENV TARGET=blog.sixeyed.com METHOD=HEAD', true],
      ['WORKDIR /web', false],
      ['COPY app.js . # buildkit', false],
      ['CMD ["node" "/web/app.js"]', true],
    ]);
  });
});
