/**
 * Typed Dockerfile instructions (BuildKit's instructions/commands.go), as plain data.
 * Values are as written until expandInstruction() substitutes variables where BuildKit does.
 */
import type { Heredoc } from '../parser/heredoc.ts';

/** 1-based, inclusive physical lines. */
export interface Location {
  startLine: number;
  endLine: number;
}

/** ENV / LABEL entry. `noDelim` marks the legacy `KEY value` form (BuildKit lints it). */
export interface KeyValuePair {
  key: string;
  value: string;
  noDelim: boolean;
}

/** ARG entry; `value` is undefined when no default was written. */
export interface KeyValuePairOptional {
  key: string;
  value?: string;
  /** A `# NAME description` comment above the ARG. */
  comment: string;
}

interface Base {
  /** The keyword as written, e.g. `copy` or `COPY`. */
  keyword: string;
  /** The instruction text, trimmed (BuildKit's String()); ONBUILD triggers keep their own. */
  code: string;
  location: Location;
}

/** Inline file from a heredoc source of COPY/ADD. */
export interface SourceContent {
  path: string;
  data: string;
  /** Whether variables in `data` are expanded (the heredoc name was not quoted). */
  expand: boolean;
}

export interface SourcesAndDest {
  destPath: string;
  sourcePaths: string[];
  sourceContents: SourceContent[];
}

/** Heredoc attached to RUN/CMD/ENTRYPOINT. */
export interface ShellInlineFile {
  name: string;
  data: string;
  chomp: boolean;
}

export interface ShellDependantCmdLine {
  /**
   * The command. Shell form is one string to be run by SHELL; exec form is the argv.
   * null only for `ENTRYPOINT []` (BuildKit resets the entrypoint to nil).
   */
  cmdLine: string[] | null;
  files: ShellInlineFile[];
  /** True for shell form. */
  prependShell: boolean;
}

export interface EnvInstruction extends Base { kind: 'env'; env: KeyValuePair[] }
export interface LabelInstruction extends Base { kind: 'label'; labels: KeyValuePair[] }
export interface MaintainerInstruction extends Base { kind: 'maintainer'; maintainer: string }

export interface AddInstruction extends Base, SourcesAndDest {
  kind: 'add';
  chown: string;
  chmod: string;
  link: boolean;
  keepGitDir: boolean;
  checksum: string;
  excludePatterns: string[];
  /** `--unpack` when given; undefined means the default (unpack local archives). */
  unpack?: boolean;
}

export interface CopyInstruction extends Base, SourcesAndDest {
  kind: 'copy';
  /** `--from`: a stage name, stage index or image reference; "" for the build context. Never expanded. */
  from: string;
  chown: string;
  chmod: string;
  link: boolean;
  parents: boolean;
  excludePatterns: string[];
}

export interface OnbuildInstruction extends Base {
  kind: 'onbuild';
  /** The trigger text as stored in the image config (`RUN echo hi`). */
  expression: string;
}

export interface WorkdirInstruction extends Base { kind: 'workdir'; path: string }

export interface RunInstruction extends Base, ShellDependantCmdLine {
  kind: 'run';
  /** Raw `--mount` values (`type=cache,target=/root/.cache`). */
  mounts: string[];
  /** `--network`: default, none or host. */
  network: string;
  /** `--security`: sandbox or insecure. */
  security: string;
  /** Raw `--device` values. */
  devices: string[];
  /** Names of the flags that were given. */
  flagsUsed: string[];
}

export interface CmdInstruction extends Base, ShellDependantCmdLine { kind: 'cmd' }
export interface EntrypointInstruction extends Base, ShellDependantCmdLine { kind: 'entrypoint' }

/** Docker's HealthConfig; durations in nanoseconds, 0 meaning "inherit/default". */
export interface HealthConfig {
  /** `["NONE"]`, `["CMD", ...argv]` or `["CMD-SHELL", command]`. */
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export interface HealthcheckInstruction extends Base { kind: 'healthcheck'; health: HealthConfig }
export interface ExposeInstruction extends Base { kind: 'expose'; ports: string[] }
export interface UserInstruction extends Base { kind: 'user'; user: string }
export interface VolumeInstruction extends Base { kind: 'volume'; volumes: string[] }
export interface StopSignalInstruction extends Base { kind: 'stopsignal'; signal: string }
export interface ArgInstruction extends Base { kind: 'arg'; args: KeyValuePairOptional[] }
export interface ShellInstruction extends Base { kind: 'shell'; shell: string[] }

/** Every instruction that can appear inside a stage. */
export type Command =
  | EnvInstruction | LabelInstruction | MaintainerInstruction | AddInstruction | CopyInstruction
  | OnbuildInstruction | WorkdirInstruction | RunInstruction | CmdInstruction | EntrypointInstruction
  | HealthcheckInstruction | ExposeInstruction | UserInstruction | VolumeInstruction
  | StopSignalInstruction | ArgInstruction | ShellInstruction;

export type CommandKind = Command['kind'];

/** A FROM and the commands up to the next FROM. */
export interface Stage {
  /** Lower-cased `AS` name, "" when unnamed. */
  name: string;
  /** The image or stage named by FROM, unexpanded (may reference global ARGs). */
  baseName: string;
  /** `--platform`, unexpanded, "" when not given. */
  platform: string;
  commands: Command[];
  /** `# name description` comment above the FROM. */
  comment: string;
  /** The FROM line as written. */
  sourceCode: string;
  location: Location;
}

/** Result of parsing one node: a command or the start of a stage. */
export type ParsedInstruction = { kind: 'from'; stage: Stage } | Command;

export type { Heredoc };
