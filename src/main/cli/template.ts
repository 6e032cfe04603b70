import { StrataError } from '../../shared/errors.ts';
/**
 * A small subset of Go's text/template, enough for docker's `--format` strings:
 *   {{.Field}} {{.A.B}} {{.}}  {{json .X}} {{.X | json}}  {{join .X ", "}} {{upper .X}} {{lower .X}}
 *   {{title .X}} {{truncate .X 5}} {{println .X}} {{index .M "key"}}
 *   {{if .X}}…{{else}}…{{end}}  {{range .Xs}}…{{end}}  and `{{-` / `-}}` trimming.
 * Values print as Go does: slices `[a b]`, maps `map[k:v]`, missing map keys `<no value>`.
 */

type Value = unknown;
type Fn = (...args: Value[]) => Value;

export class TemplateError extends StrataError {
  constructor(message: string) {
    super('invalid', message);
  }
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Command[] }
  | { kind: 'if'; pipe: Command[]; then: Node[]; else: Node[] }
  | { kind: 'range'; pipe: Command[]; body: Node[]; else: Node[] };

/** One command of a pipeline: a function call or a single operand. */
type Command = Operand[];
type Operand = { kind: 'field'; path: string[] } | { kind: 'dot' } | { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'ident'; name: string } | { kind: 'bool'; value: boolean };

export const FUNCTIONS: Record<string, Fn> = {
  // docker/cli's template json: an encoder with SetEscapeHTML(false) (Go still escapes U+2028/2029)
  json: (v) => templateJson(v),
  join: (v, sep) => (Array.isArray(v) ? v.map((x) => printValue(x)).join(String(sep)) : printValue(v)),
  upper: (v) => String(v).toUpperCase(),
  lower: (v) => String(v).toLowerCase(),
  title: (v) => String(v).replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()),
  truncate: (v, n) => Array.from(String(v)).slice(0, Number(n)).join(''),
  split: (v, sep) => String(v).split(String(sep)),
  println: (...args) => `${args.map((a) => printValue(a)).join(' ')}\n`,
  index: (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[String(k)] : undefined),
  len: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
};

/** docker/cli's HeaderFunctions: in the header row, functions print their argument unchanged. */
export const HEADER_FUNCTIONS: Record<string, Fn> = Object.fromEntries(Object.keys(FUNCTIONS).map((k) => [k, (v: Value) => v]));

export interface Template {
  execute(data: Value, functions?: Record<string, Fn>): string;
}

export function parseTemplate(source: string): Template {
  const tokens = tokenize(source);
  let pos = 0;
  const parseList = (terminators: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos++]!;
      if (t.kind === 'text') {
        nodes.push({ kind: 'text', text: t.text });
        continue;
      }
      const words = t.text.trim();
      const keyword = /^(if|else|end|range)\b/.exec(words)?.[1];
      if (keyword && terminators.includes(keyword)) return { nodes, end: keyword };
      if (keyword === 'if' || keyword === 'range') {
        const pipe = parsePipeline(words.slice(keyword.length));
        const body = parseList(['else', 'end']);
        let elseNodes: Node[] = [];
        if (body.end === 'else') elseNodes = parseList(['end']).nodes;
        nodes.push(keyword === 'if' ? { kind: 'if', pipe, then: body.nodes, else: elseNodes } : { kind: 'range', pipe, body: body.nodes, else: elseNodes });
        continue;
      }
      if (keyword) throw new TemplateError(`template: :1: unexpected {{${keyword}}}`);
      nodes.push({ kind: 'action', pipe: parsePipeline(words) });
    }
    if (terminators.length > 0) throw new TemplateError('template: :1: unexpected EOF');
    return { nodes, end: '' };
  };
  const root = parseList([]).nodes;
  checkFunctions(root);
  return {
    execute(data, functions = FUNCTIONS) {
      return run(root, data, functions);
    },
  };
}

function checkFunctions(nodes: Node[]): void {
  const check = (pipe: Command[]): void => {
    for (const cmd of pipe) {
      const head = cmd[0];
      if (head?.kind === 'ident' && !(head.name in FUNCTIONS)) throw new TemplateError(`template parsing error: template: :1: function "${head.name}" not defined`);
    }
  };
  for (const n of nodes) {
    if (n.kind === 'action') check(n.pipe);
    if (n.kind === 'if') {
      check(n.pipe);
      checkFunctions(n.then);
      checkFunctions(n.else);
    }
    if (n.kind === 'range') {
      check(n.pipe);
      checkFunctions(n.body);
      checkFunctions(n.else);
    }
  }
}

function tokenize(source: string): { kind: 'text' | 'action'; text: string }[] {
  const out: { kind: 'text' | 'action'; text: string }[] = [];
  let i = 0;
  let trimNextText = false;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    let text = open === -1 ? source.slice(i) : source.slice(i, open);
    if (trimNextText) text = text.replace(/^\s+/, '');
    if (open === -1) {
      if (text) out.push({ kind: 'text', text });
      break;
    }
    let start = open + 2;
    if (source.startsWith('- ', start) || (source[start] === '-' && /\s/.test(source[start + 1] ?? ''))) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) out.push({ kind: 'text', text });
    const close = findClose(source, start);
    if (close === -1) throw new TemplateError('template: :1: unclosed action');
    let end = close;
    trimNextText = false;
    if (source[close - 1] === '-' && /\s/.test(source[close - 2] ?? '')) {
      end = close - 1;
      trimNextText = true;
    }
    out.push({ kind: 'action', text: source.slice(start, end) });
    i = close + 2;
  }
  return out;
}

function findClose(s: string, from: number): number {
  let inString: string | undefined;
  for (let i = from; i < s.length; i++) {
    const c = s[i]!;
    if (inString) {
      if (c === '\\' && inString === '"') i++;
      else if (c === inString) inString = undefined;
    } else if (c === '"' || c === '`') inString = c;
    else if (c === '}' && s[i + 1] === '}') return i;
  }
  return -1;
}

function parsePipeline(text: string): Command[] {
  const words = splitWords(text);
  const cmds: Command[] = [[]];
  for (const w of words) {
    if (w === '|') {
      cmds.push([]);
      continue;
    }
    cmds[cmds.length - 1]!.push(parseOperand(w));
  }
  if (cmds.some((c) => c.length === 0)) throw new TemplateError('template: :1: missing value for command');
  return cmds;
}

function splitWords(text: string): string[] {
  const words: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\||[^\s|]+)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) words.push(m[1]!);
  return words;
}

function parseOperand(w: string): Operand {
  if (w === '.') return { kind: 'dot' };
  if (w.startsWith('.')) return { kind: 'field', path: w.slice(1).split('.') };
  if (w.startsWith('"')) return { kind: 'string', value: JSON.parse(w) as string };
  if (w.startsWith('`')) return { kind: 'string', value: w.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(w)) return { kind: 'number', value: Number(w) };
  if (w === 'true' || w === 'false') return { kind: 'bool', value: w === 'true' };
  if (w === 'nil') throw new TemplateError('template: :1:2: executing "" at <nil>: nil is not a command');
  return { kind: 'ident', name: w };
}

function run(nodes: Node[], dot: Value, fns: Record<string, Fn>): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'action') out += printValue(evalPipe(n.pipe, dot, fns));
    else if (n.kind === 'if') out += run(truthy(evalPipe(n.pipe, dot, fns)) ? n.then : n.else, dot, fns);
    else {
      const v = evalPipe(n.pipe, dot, fns);
      const items = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [];
      if (items.length === 0) out += run(n.else, dot, fns);
      for (const item of items) out += run(n.body, item, fns);
    }
  }
  return out;
}

function evalPipe(pipe: Command[], dot: Value, fns: Record<string, Fn>): Value {
  // `{{.Field}}`, most of what a listing's rows run: one operand, no call.
  if (pipe.length === 1 && pipe[0]!.length === 1 && pipe[0]![0]!.kind !== 'ident') return evalOperand(pipe[0]![0]!, dot, fns);
  let prev: Value = undefined;
  pipe.forEach((cmd, i) => {
    const args = cmd.slice(1).map((o) => evalOperand(o, dot, fns));
    if (i > 0) args.push(prev);
    const head = cmd[0]!;
    if (head.kind === 'ident') {
      const fn = fns[head.name];
      if (!fn) throw new TemplateError(`template: :1: function "${head.name}" not defined`);
      prev = fn(...args);
    } else {
      if (args.length > 0) throw new TemplateError(`template: :1: can't give argument to non-function`);
      prev = evalOperand(head, dot, fns);
    }
  });
  return prev;
}

function evalOperand(o: Operand, dot: Value, fns: Record<string, Fn>): Value {
  switch (o.kind) {
    case 'dot':
      return dot;
    case 'string':
    case 'number':
    case 'bool':
      return o.value;
    case 'ident': {
      const fn = fns[o.name];
      if (!fn) throw new TemplateError(`template: :1: function "${o.name}" not defined`);
      return fn();
    }
    case 'field': {
      let v: Value = dot;
      for (const name of o.path) {
        if (v === null || v === undefined || typeof v !== 'object') {
          throw new TemplateError(`template: :1: executing "" at <.${o.path.join('.')}>: can't evaluate field ${name}`);
        }
        if (!(name in (v as object))) {
          if (isPlainMap(v)) return NO_VALUE;
          throw new TemplateError(`template: :1: executing "" at <.${o.path.join('.')}>: can't evaluate field ${name}`);
        }
        v = (v as Record<string, Value>)[name];
      }
      return v;
    }
  }
}

const NO_VALUE = Symbol('no value');
const MAPS = new WeakSet<object>();

/** Marks an object as a Go map (a missing key prints `<no value>` instead of failing). */
export function goMap<T extends object>(o: T): T {
  MAPS.add(o);
  return o;
}

function isPlainMap(v: object): boolean {
  return MAPS.has(v);
}

function truthy(v: Value): boolean {
  if (v === NO_VALUE || v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** How Go's fmt prints a value with %v. */
export function printValue(v: Value): string {
  if (v === NO_VALUE) return '<no value>';
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => printValue(x)).join(' ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${printValue((v as Record<string, Value>)[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** Go's json.Marshal: compact, with <, > and & escaped as \u003c, \u003e, \u0026. */
export function goJson(v: Value, indent?: string): string {
  return goEscape(JSON.stringify(v === NO_VALUE ? null : v, null, indent) ?? 'null');
}

/**
 * Marks a formatter row (docker's formatter contexts): their MarshalJSON uses json.Marshal, so
 * `{{json .}}` of a row escapes <, > and & while `{{json .Labels}}` of plain data does not.
 */
export const GO_MARSHALED = Symbol('go-marshaled');

export function templateJson(v: Value): string {
  if (v && typeof v === 'object' && (v as { [GO_MARSHALED]?: boolean })[GO_MARSHALED]) return goJson(v);
  return (JSON.stringify(v === NO_VALUE ? null : v) ?? 'null').replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

export function goEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
