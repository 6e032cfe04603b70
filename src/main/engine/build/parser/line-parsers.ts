/**
 * Per-instruction argument parsers (BuildKit's line_parsers.go) and the command/flag splitter.
 * They only split text; quotes stay in place for the variable expander to remove later.
 */
import { isGoSpace } from '../shell/lex.ts';
import { goQuote } from '../shell/goquote.ts';
import type { Node } from './node.ts';
import { goTrimSpace, reWhitespace, splitOnceOnWhitespace, trimLeadingSpace } from './text.ts';
import { StrataError } from '../../../../shared/errors.ts';

export interface LineParseResult {
  args: string[];
  child?: Node;
  json: boolean;
}

export interface LineParserContext {
  escapeToken: string;
  /** Parses a nested instruction (ONBUILD). */
  parseNested(line: string): Node;
}

type LineParser = (rest: string, ctx: LineParserContext) => LineParseResult;

const none: LineParseResult = { args: [], json: false };

export class NotStringArrayError extends StrataError {
  constructor() {
    super('invalid', 'when using JSON array syntax, arrays must be comprised of strings only');
  }
}

/** Splits on whitespace, keeping quoted runs together and quotes/escapes in place. */
export function parseWords(rest: string, escapeToken: string): string[] {
  const chars = Array.from(rest);
  const words: string[] = [];
  let inQuote = false;
  let inWord = false;
  let quote = '';
  let blankOK = false;
  let word = '';
  const flush = (): void => {
    if (blankOK || word.length > 0) words.push(word);
    word = '';
    blankOK = false;
  };
  for (let pos = 0; pos < chars.length; pos++) {
    let ch = chars[pos]!;
    if (!inWord && !inQuote) {
      if (isGoSpace(ch)) continue;
      inWord = true;
    }
    if (inWord && !inQuote) {
      if (isGoSpace(ch)) {
        inWord = false;
        flush();
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        inQuote = true;
      }
      if (ch === escapeToken) {
        if (pos + 1 === chars.length) continue; // an escape at end of line is dropped
        // Unquoted escape: keep it and the next char, even a quote.
        word += ch;
        ch = chars[++pos]!;
      }
      word += ch;
      continue;
    }
    // In a quote.
    if (ch === quote) inQuote = false;
    if (ch === escapeToken && quote !== "'") {
      if (pos + 1 === chars.length) {
        inQuote = false;
        continue;
      }
      word += ch;
      ch = chars[++pos]!;
    }
    word += ch;
  }
  if (inWord || inQuote) flush();
  return words;
}

/** ENV and LABEL: `KEY value` (legacy) or `k=v k2=v2`. */
function parseNameVal(rest: string, key: string, escapeToken: string): LineParseResult {
  const words = parseWords(rest, escapeToken);
  if (words.length === 0) return none;
  if (!words[0]!.includes('=')) {
    const parts = splitOnceOnWhitespace(rest);
    if (parts.length < 2) throw new StrataError('invalid', `${key} must have two arguments`);
    return { args: [parts[0]!, parts[1]!, ''], json: false };
  }
  const args: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) throw new StrataError('invalid', `Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    args.push(word.slice(0, eq), word.slice(eq + 1), '=');
  }
  return { args, json: false };
}

const parseEnv: LineParser = (rest, ctx) => parseNameVal(rest, 'ENV', ctx.escapeToken);
const parseLabel: LineParser = (rest, ctx) => parseNameVal(rest, 'LABEL', ctx.escapeToken);

/** ARG: `name`, `name=value` words. */
const parseNameOrNameVal: LineParser = (rest, ctx) => ({ args: parseWords(rest, ctx.escapeToken), json: false });

function parseStringsWhitespaceDelimited(rest: string): LineParseResult {
  if (rest === '') return none;
  return { args: rest.split(reWhitespace), json: false };
}

const parseString: LineParser = (rest) => (rest === '' ? none : { args: [rest], json: false });

/** Throws NotStringArrayError for arrays of non-strings, a plain Error when it is not JSON. */
function parseJSON(rest: string): LineParseResult {
  const text = trimLeadingSpace(rest);
  if (!text.startsWith('[')) throw new StrataError('invalid', 'not a JSON array');
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new StrataError('invalid', 'not a JSON array');
  for (const item of parsed) if (typeof item !== 'string') throw new NotStringArrayError();
  return { args: parsed as string[], json: true };
}

/** RUN/CMD/ENTRYPOINT/SHELL: a JSON array (exec form) or the raw string (shell form). */
const parseMaybeJSON: LineParser = (rest) => {
  if (rest === '') return none;
  try {
    return parseJSON(rest);
  } catch (err) {
    if (err instanceof NotStringArrayError) throw err;
    return { args: [rest], json: false };
  }
};

/** COPY/ADD/VOLUME: a JSON array or whitespace separated words. */
const parseMaybeJSONToList: LineParser = (rest) => {
  try {
    return parseJSON(rest);
  } catch (err) {
    if (err instanceof NotStringArrayError) throw err;
    return parseStringsWhitespaceDelimited(rest);
  }
};

/** HEALTHCHECK: a type word (CMD, NONE) then the command like parseMaybeJSON. */
const parseHealthConfig: LineParser = (rest, ctx) => {
  let sep = 0;
  while (sep < rest.length && !isGoSpace(rest[sep]!)) sep++;
  let next = sep;
  while (next < rest.length && isGoSpace(rest[next]!)) next++;
  if (sep === 0) return none;
  const cmd = parseMaybeJSON(rest.slice(next), ctx);
  return { args: [rest.slice(0, sep), ...cmd.args], json: cmd.json };
};

/** ONBUILD: the rest is an instruction of its own. */
const parseSubCommand: LineParser = (rest, ctx) => {
  if (rest === '') return none;
  return { args: [], child: ctx.parseNested(rest), json: false };
};

/** Unknown instructions still become nodes (BuildKit reports them when typing). */
const parseIgnore: LineParser = () => ({ args: [''], json: false });

const dispatch: Record<string, LineParser> = {
  add: parseMaybeJSONToList,
  arg: parseNameOrNameVal,
  cmd: parseMaybeJSON,
  copy: parseMaybeJSONToList,
  entrypoint: parseMaybeJSON,
  env: parseEnv,
  expose: (rest) => parseStringsWhitespaceDelimited(rest),
  from: (rest) => parseStringsWhitespaceDelimited(rest),
  healthcheck: parseHealthConfig,
  label: parseLabel,
  maintainer: parseString,
  onbuild: parseSubCommand,
  run: parseMaybeJSON,
  shell: parseMaybeJSON,
  stopsignal: parseString,
  user: parseString,
  volume: parseMaybeJSONToList,
  workdir: parseString,
};

export function lineParserFor(keyword: string): LineParser {
  return Object.hasOwn(dispatch, keyword.toLowerCase()) ? dispatch[keyword.toLowerCase()]! : parseIgnore;
}

export interface SplitCommand {
  keyword: string;
  flags: string[];
  rest: string;
}

/** Splits `KEYWORD --flag=x -- args` into its parts. */
export function splitCommand(line: string): SplitCommand {
  const parts = splitOnceOnWhitespace(goTrimSpace(line));
  if (parts.length < 2) return { keyword: parts[0]!, flags: [], rest: '' };
  const { rest, flags } = extractBuilderFlags(parts[1]!);
  return { keyword: parts[0]!, flags, rest: goTrimSpace(rest) };
}

/** Leading `--words` are flags; `--` alone ends them. Quotes and `\` work as in a shell. */
export function extractBuilderFlags(line: string): { rest: string; flags: string[] } {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    let ch = pos < line.length ? line[pos]! : '';
    if (phase === 'spaces') {
      if (pos === line.length) break;
      if (isGoSpace(ch)) continue;
      if (ch !== '-' || pos + 1 === line.length || line[pos + 1] !== '-') return { rest: line.slice(pos), flags: words };
      phase = 'word';
    }
    if (pos === line.length) {
      if (word !== '--' && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch)) {
        phase = 'spaces';
        if (word === '--') return { rest: line.slice(pos), flags: words };
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      if (ch === '\\') {
        if (pos + 1 === line.length) continue;
        ch = line[++pos]!;
      }
      word += ch;
      continue;
    }
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      ch = line[++pos]!;
    }
    word += ch;
  }
  return { rest: '', flags: words };
}
