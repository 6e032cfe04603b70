/** Heredoc words (`<<EOF`, `<<-EOF`, `3<<'EOF'`) as BuildKit recognises them. */
import { ShellLex } from '../shell/lex.ts';
import { StrataError } from '../../../../shared/errors.ts';

export interface Heredoc {
  /** The terminator word with quotes removed. */
  name: string;
  fileDescriptor: number;
  /** False when any part of the name was quoted: the body is then taken literally. */
  expand: boolean;
  /** `<<-`: leading tabs are stripped (from the terminator now, from the body by chompHeredocContent). */
  chomp: boolean;
  /** The raw body, newlines included, not chomped. */
  content: string;
}

const reHeredoc = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;

/** Parses one word; null when it is not a heredoc; throws when its quoting is broken. */
export function parseHeredoc(word: string): Heredoc | null {
  const m = reHeredoc.exec(word);
  if (!m) return null;
  const rest = m[3]!;
  if (rest === '') return null;
  const lex = new ShellLex({ skipUnsetEnv: true });
  const words = lex.processWords(rest, []);
  if (words.length !== 1) return null;
  // Lex again keeping quotes: if quote counts differ, part of the name was quoted.
  lex.rawQuotes = true;
  const raw = lex.processWords(rest, []);
  if (raw.length !== words.length) {
    throw new StrataError('internal', `internal lexing of heredoc produced inconsistent results: ${rest}`);
  }
  const name = words[0]!;
  return {
    name,
    fileDescriptor: m[1] === '' ? 0 : Number(m[1]),
    expand: countQuotes(name) === countQuotes(raw[0]!),
    chomp: m[2] === '-',
    content: '',
  };
}

/** parseHeredoc that answers null instead of throwing. */
export function mustParseHeredoc(word: string): Heredoc | null {
  try {
    return parseHeredoc(word);
  } catch {
    return null;
  }
}

function countQuotes(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === "'" || ch === '"') n++;
  return n;
}

/** All heredocs started on an instruction line, in order. */
export function heredocsFromLine(line: string): Heredoc[] {
  const lex = new ShellLex({ rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  let words: string[];
  try {
    words = lex.processWords(line, []);
  } catch {
    words = [];
  }
  const docs: Heredoc[] = [];
  for (const word of words) {
    const doc = parseHeredoc(word);
    if (doc) docs.push(doc);
  }
  return docs;
}

/** Strips leading tabs from every line, for `<<-` heredocs. */
export function chompHeredocContent(src: string): string {
  return src.replace(/^\t+/gm, '');
}
