/**
 * AST nodes → typed instructions and stages (BuildKit's instructions/parse.go): each instruction
 * declares its flags, validates its arguments, and errors carry the instruction's lines.
 */
import { DockerfileParseError } from '../parser/errors.ts';
import { chompHeredocContent, mustParseHeredoc } from '../parser/heredoc.ts';
import { nodeArgs, type Node } from '../parser/node.ts';
import { BFlags } from './bflags.ts';
import { parseGoDuration } from './duration.ts';
import { withSuggestion } from './suggest.ts';
import type {
  AddInstruction, ArgInstruction, CmdInstruction, Command, CopyInstruction, EntrypointInstruction,
  EnvInstruction, ExposeInstruction, HealthConfig, HealthcheckInstruction, KeyValuePair,
  KeyValuePairOptional, LabelInstruction, Location, MaintainerInstruction, OnbuildInstruction,
  ParsedInstruction, RunInstruction, ShellDependantCmdLine, ShellInstruction, SourcesAndDest, Stage,
  StopSignalInstruction, UserInstruction, VolumeInstruction, WorkdirInstruction,
} from './types.ts';
import { StrataError } from '../../../../shared/errors.ts';

/** What every per-instruction parser receives. */
interface Request {
  keyword: string;
  args: string[];
  flags: BFlags;
  node: Node;
  location: Location;
}

export const instructionNames = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
] as const;

function base(req: Request): { keyword: string; code: string; location: Location } {
  return { keyword: req.keyword, code: req.node.original.trim(), location: req.location };
}

const atLeastOne = (cmd: string): Error => new StrataError('invalid', `${cmd} requires at least one argument`);
const exactlyOne = (cmd: string): Error => new StrataError('invalid', `${cmd} requires exactly one argument`);
const noDestination = (cmd: string): Error =>
  new StrataError('invalid', `${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`);
const blankNames = (cmd: string): Error => new StrataError('invalid', `${cmd} names can not be blank`);

/** ENV/LABEL arrive as key, value, separator triples. */
function parseKvps(args: string[], cmd: string): KeyValuePair[] {
  if (args.length === 0) throw atLeastOne(cmd);
  if (args.length % 3 !== 0) throw new StrataError('invalid', `Bad input to ${cmd}, too many arguments`);
  const out: KeyValuePair[] = [];
  for (let i = 0; i < args.length; i += 3) {
    if (args[i] === '') throw blankNames(cmd);
    out.push({ key: args[i]!, value: args[i + 1]!, noDelim: args[i + 2] === '' });
  }
  return out;
}

function parseEnv(req: Request): EnvInstruction {
  req.flags.parse();
  return { kind: 'env', ...base(req), env: parseKvps(req.args, 'ENV') };
}

function parseLabel(req: Request): LabelInstruction {
  req.flags.parse();
  return { kind: 'label', ...base(req), labels: parseKvps(req.args, 'LABEL') };
}

function parseMaintainer(req: Request): MaintainerInstruction {
  if (req.args.length !== 1) throw exactlyOne('MAINTAINER');
  req.flags.parse();
  return { kind: 'maintainer', ...base(req), maintainer: req.args[0]! };
}

/** Splits sources from the destination; heredoc sources become inline contents. */
function parseSourcesAndDest(req: Request, cmd: string): SourcesAndDest {
  const srcs = req.args.slice(0, -1);
  const dest = req.args[req.args.length - 1]!;
  if (mustParseHeredoc(dest)) throw new StrataError('invalid', `${cmd} cannot accept a heredoc as a destination`);
  const byName = new Map(req.node.heredocs.map((h) => [h.name, h]));
  const out: SourcesAndDest = { destPath: dest, sourcePaths: [], sourceContents: [] };
  for (const src of srcs) {
    const doc = mustParseHeredoc(src);
    if (!doc) {
      out.sourcePaths.push(src);
      continue;
    }
    let data = byName.get(doc.name)?.content ?? '';
    if (doc.chomp) data = chompHeredocContent(data);
    out.sourceContents.push({ path: doc.name, data, expand: doc.expand });
  }
  return out;
}

function parseAdd(req: Request): AddInstruction {
  if (req.args.length < 2) throw noDestination('ADD');
  const exclude = req.flags.addStrings('exclude');
  const chown = req.flags.addString('chown', '');
  const chmod = req.flags.addString('chmod', '');
  const link = req.flags.addBool('link', false);
  const keepGitDir = req.flags.addBool('keep-git-dir', false);
  const checksum = req.flags.addString('checksum', '');
  const unpack = req.flags.addBool('unpack', false);
  req.flags.parse();
  const add: AddInstruction = {
    kind: 'add', ...base(req), ...parseSourcesAndDest(req, 'ADD'),
    chown: chown.value, chmod: chmod.value, link: link.value === 'true',
    keepGitDir: keepGitDir.value === 'true', checksum: checksum.value, excludePatterns: exclude.values,
  };
  if (req.flags.isUsed('unpack')) add.unpack = unpack.value === 'true';
  return add;
}

function parseCopy(req: Request): CopyInstruction {
  if (req.args.length < 2) throw noDestination('COPY');
  const exclude = req.flags.addStrings('exclude');
  const parents = req.flags.addBool('parents', false);
  const chown = req.flags.addString('chown', '');
  const from = req.flags.addString('from', '');
  const chmod = req.flags.addString('chmod', '');
  const link = req.flags.addBool('link', false);
  req.flags.parse();
  return {
    kind: 'copy', ...base(req), ...parseSourcesAndDest(req, 'COPY'),
    from: from.value, chown: chown.value, chmod: chmod.value, link: link.value === 'true',
    parents: parents.value === 'true', excludePatterns: exclude.values,
  };
}

const validStageName = /^[a-z][a-z0-9-_.]*$/;

function parseFrom(req: Request): Stage {
  const args = req.args;
  let name = '';
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    name = args[2]!.toLowerCase();
    if (!validStageName.test(name)) {
      throw new StrataError('invalid', `invalid name for build stage: "${args[2]}", name can't start with a number or contain symbols`);
    }
  } else if (args.length !== 1) {
    throw new StrataError('invalid', 'FROM requires either one or three arguments');
  }
  const platform = req.flags.addString('platform', '');
  req.flags.parse();
  return {
    name,
    baseName: args[0]!,
    platform: platform.value,
    commands: [],
    comment: commentFor(req.node.prevComment, name),
    sourceCode: req.node.original.trim(),
    location: req.location,
  };
}

function parseOnbuild(req: Request): OnbuildInstruction {
  if (req.args.length === 0) throw atLeastOne('ONBUILD');
  req.flags.parse();
  const trigger = req.args[0]!.trim().toUpperCase();
  if (trigger === 'ONBUILD') throw new StrataError('invalid', 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (trigger === 'MAINTAINER' || trigger === 'FROM') throw new StrataError('invalid', `${trigger} isn't allowed as an ONBUILD trigger`);
  let expression = req.node.original.replace(/^\s*ONBUILD\s*/i, '');
  for (const doc of req.node.heredocs) expression += '\n' + doc.content + doc.name;
  return { kind: 'onbuild', ...base(req), expression };
}

function parseWorkdir(req: Request): WorkdirInstruction {
  if (req.args.length !== 1) throw exactlyOne('WORKDIR');
  req.flags.parse();
  return { kind: 'workdir', ...base(req), path: req.args[0]! };
}

/** Shell form joins the words into one command; exec form keeps the argv. */
function handleJSONArgs(args: string[], json: boolean): string[] {
  if (args.length === 0) return [];
  return json ? args : [args.join(' ')];
}

function shellDependent(req: Request, emptyAsNull: boolean): ShellDependantCmdLine {
  const cmd = handleJSONArgs(req.args, req.node.json);
  return {
    cmdLine: emptyAsNull && cmd.length === 0 ? null : cmd,
    files: req.node.heredocs.map((h) => ({ name: h.name, data: h.content, chomp: h.chomp })),
    prependShell: !req.node.json,
  };
}

const networkModes = ['default', 'none', 'host'];
const securityModes = ['sandbox', 'insecure'];

function parseRun(req: Request): RunInstruction {
  const mount = req.flags.addStrings('mount');
  const network = req.flags.addString('network', 'default');
  const security = req.flags.addString('security', 'sandbox');
  const device = req.flags.addStrings('device');
  req.flags.parse();
  if (!networkModes.includes(network.value)) throw new StrataError('invalid', `unsupported network mode "${network.value}"`);
  if (!securityModes.includes(security.value)) throw new StrataError('invalid', `unsupported security mode "${security.value}"`);
  return {
    kind: 'run', ...base(req), ...shellDependent(req, false),
    mounts: mount.values, network: network.value, security: security.value, devices: device.values,
    flagsUsed: req.flags.usedNames(),
  };
}

function parseCmd(req: Request): CmdInstruction {
  req.flags.parse();
  return { kind: 'cmd', ...base(req), ...shellDependent(req, false) };
}

function parseEntrypoint(req: Request): EntrypointInstruction {
  req.flags.parse();
  return { kind: 'entrypoint', ...base(req), ...shellDependent(req, true) };
}

const minimumDurationNs = 1e6;

/** A duration flag: 0 when absent or zero, otherwise at least 1ms. */
function parseOptInterval(name: string, value: string): number {
  if (value === '') return 0;
  const d = parseGoDuration(value);
  if (d === 0) return 0;
  if (d < minimumDurationNs) throw new StrataError('invalid', `Interval "${name}" cannot be less than 1ms`);
  return d;
}

function parseRetries(value: string): number {
  if (value === '') return 0;
  if (!/^[+-]?\d+$/.test(value) || Math.abs(Number(value)) > 2 ** 31) {
    throw new StrataError('invalid', `strconv.ParseInt: parsing "${value}": invalid syntax`);
  }
  const n = Number(value);
  if (n < 0) throw new StrataError('invalid', `--retries cannot be negative (${n})`);
  return n;
}

function parseHealthcheck(req: Request): HealthcheckInstruction {
  if (req.args.length === 0) throw atLeastOne('HEALTHCHECK');
  const typ = req.args[0]!.toUpperCase();
  const args = req.args.slice(1);
  const empty = { interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  if (typ === 'NONE') {
    if (args.length !== 0) throw new StrataError('invalid', 'HEALTHCHECK NONE takes no arguments');
    return { kind: 'healthcheck', ...base(req), health: { test: ['NONE'], ...empty } };
  }
  const interval = req.flags.addString('interval', '');
  const timeout = req.flags.addString('timeout', '');
  const startPeriod = req.flags.addString('start-period', '');
  const startInterval = req.flags.addString('start-interval', '');
  const retries = req.flags.addString('retries', '');
  req.flags.parse();
  if (typ !== 'CMD') throw new StrataError('invalid', `Unknown type "${typ}" in HEALTHCHECK (try CMD)`);
  const cmd = handleJSONArgs(args, req.node.json);
  if (cmd.length === 0) throw new StrataError('invalid', 'Missing command after HEALTHCHECK CMD');
  const health: HealthConfig = {
    test: [req.node.json ? 'CMD' : 'CMD-SHELL', ...cmd],
    interval: parseOptInterval('interval', interval.value),
    timeout: parseOptInterval('timeout', timeout.value),
    startPeriod: parseOptInterval('start-period', startPeriod.value),
    startInterval: parseOptInterval('start-interval', startInterval.value),
    retries: parseRetries(retries.value),
  };
  return { kind: 'healthcheck', ...base(req), health };
}

function parseExpose(req: Request): ExposeInstruction {
  if (req.args.length === 0) throw atLeastOne('EXPOSE');
  req.flags.parse();
  return { kind: 'expose', ...base(req), ports: [...req.args].sort() };
}

function parseUser(req: Request): UserInstruction {
  if (req.args.length !== 1) throw exactlyOne('USER');
  req.flags.parse();
  return { kind: 'user', ...base(req), user: req.args[0]! };
}

function parseVolume(req: Request): VolumeInstruction {
  if (req.args.length === 0) throw atLeastOne('VOLUME');
  req.flags.parse();
  const volumes = req.args.map((v) => {
    const trimmed = v.trim();
    if (trimmed === '') throw new StrataError('invalid', 'VOLUME specified can not be an empty string');
    return trimmed;
  });
  return { kind: 'volume', ...base(req), volumes };
}

function parseStopSignal(req: Request): StopSignalInstruction {
  if (req.args.length !== 1) throw exactlyOne('STOPSIGNAL');
  // BuildKit does not parse STOPSIGNAL's flags at all.
  return { kind: 'stopsignal', ...base(req), signal: req.args[0]! };
}

function parseArg(req: Request): ArgInstruction {
  if (req.args.length < 1) throw atLeastOne('ARG');
  const args = req.args.map((arg): KeyValuePairOptional => {
    const eq = arg.indexOf('=');
    if (eq < 0) return { key: arg, comment: commentFor(req.node.prevComment, arg) };
    if (eq === 0) throw blankNames('ARG');
    const key = arg.slice(0, eq);
    return { key, value: arg.slice(eq + 1), comment: commentFor(req.node.prevComment, key) };
  });
  return { kind: 'arg', ...base(req), args };
}

function parseShell(req: Request): ShellInstruction {
  req.flags.parse();
  const shell = handleJSONArgs(req.args, req.node.json);
  if (shell.length === 0) throw atLeastOne('SHELL');
  if (!req.node.json) throw new StrataError('invalid', 'SHELL requires the arguments to be in JSON form');
  return { kind: 'shell', ...base(req), shell };
}

/** `# name description` directly above an ARG or FROM documents it. */
function commentFor(comments: string[], name: string): string {
  if (name === '') return '';
  for (const line of comments) if (line.startsWith(name + ' ')) return line.slice(name.length + 1);
  return '';
}

const parsers: Record<string, (req: Request) => ParsedInstruction> = {
  env: parseEnv, maintainer: parseMaintainer, label: parseLabel, add: parseAdd, copy: parseCopy,
  from: (req) => ({ kind: 'from', stage: parseFrom(req) }), onbuild: parseOnbuild, workdir: parseWorkdir,
  run: parseRun, cmd: parseCmd, healthcheck: parseHealthcheck, entrypoint: parseEntrypoint,
  expose: parseExpose, user: parseUser, volume: parseVolume, stopsignal: parseStopSignal, arg: parseArg,
  shell: parseShell,
};

/** Types one AST node. Throws DockerfileParseError naming the node's lines. */
export function parseInstruction(node: Node): ParsedInstruction {
  const location = { startLine: node.startLine, endLine: node.endLine };
  const parser = parsers[node.keyword.toLowerCase()];
  try {
    if (!parser) {
      throw new StrataError('invalid', withSuggestion(`unknown instruction: ${node.keyword}`, node.keyword, instructionNames, false));
    }
    return parser({ keyword: node.keyword, args: nodeArgs(node), flags: new BFlags(node.flags), node, location });
  } catch (err) {
    if (err instanceof DockerfileParseError) throw err;
    throw new DockerfileParseError((err as Error).message, node.startLine, node.endLine);
  }
}

/** Types one node that must be a command (not FROM), e.g. an ONBUILD trigger. */
export function parseCommand(node: Node): Command {
  const parsed = parseInstruction(node);
  if (parsed.kind === 'from') throw new DockerfileParseError('FROM is not a command type', node.startLine, node.endLine);
  return parsed;
}

export interface Stages {
  stages: Stage[];
  /** ARG instructions before the first FROM (global scope, usable in FROM lines). */
  metaArgs: ArgInstruction[];
}

/** Splits typed instructions into stages. */
export function parseStages(nodes: readonly Node[]): Stages {
  const stages: Stage[] = [];
  const metaArgs: ArgInstruction[] = [];
  for (const node of nodes) {
    const parsed = parseInstruction(node);
    if (parsed.kind === 'from') {
      stages.push(parsed.stage);
      continue;
    }
    if (stages.length === 0) {
      if (parsed.kind === 'arg') {
        metaArgs.push(parsed);
        continue;
      }
      throw new DockerfileParseError('no build stage in current context', node.startLine, node.endLine);
    }
    stages[stages.length - 1]!.commands.push(parsed);
  }
  return { stages, metaArgs };
}

/** Index of a stage by name (case-insensitive), or -1. */
export function findStage(stages: readonly Stage[], name: string): number {
  const lower = name.toLowerCase();
  return stages.findIndex((s) => s.name !== '' && s.name === lower);
}
