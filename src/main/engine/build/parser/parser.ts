/**
 * Dockerfile text → generic AST, following BuildKit's frontend/dockerfile/parser: directives,
 * line continuations with the escape token, comments, heredocs, JSON (exec) form detection.
 */
import { DirectiveParser, type Directive } from './directives.ts';
import { DockerfileParseError, withLocation } from './errors.ts';
import { heredocsFromLine, type Heredoc } from './heredoc.ts';
import { lineParserFor, splitCommand, type LineParserContext } from './line-parsers.ts';
import type { Node, ParseWarning } from './node.ts';
import { discardBOM, goTrimSpace, splitLinesKeepEnds, trimLeadingSpace, trimNewline } from './text.ts';
import { StrataError } from '../../../../shared/errors.ts';

export interface ParseResult {
  /** The instructions, in order. */
  children: Node[];
  escapeToken: string;
  directives: Directive[];
  warnings: ParseWarning[];
}

const heredocInstructions = new Set(['add', 'copy', 'run']);

/** Escape token, continuation pattern and directive scanning state for one parse. */
class ParserState {
  escapeToken = '\\';
  private continuation = continuationRegExp('\\');
  readonly directiveParser = new DirectiveParser();
  readonly directives: Directive[] = [];

  setEscapeToken(token: string): void {
    if (token !== '`' && token !== '\\') throw new StrataError('invalid', `invalid escape token '${token}' does not match \` or \\`);
    this.escapeToken = token;
    this.continuation = continuationRegExp(token);
  }

  /** Records a directive if the line is one; true when it was. */
  possibleDirective(line: string): boolean {
    const directive = this.directiveParser.parseLine(line);
    if (!directive) return false;
    if (directive.name === 'escape') this.setEscapeToken(directive.value);
    this.directives.push(directive);
    return true;
  }

  /** Removes a trailing escape token; `ended` is false when the line continues. */
  trimContinuation(line: string): { text: string; ended: boolean } {
    if (!this.continuation.test(line)) return { text: line, ended: true };
    return { text: line.replace(this.continuation, '$1'), ended: false };
  }
}

/**
 * The escape token continues a line when it is the last non-blank character, unless it is
 * itself escaped (a lone token on its own line also continues).
 */
function continuationRegExp(token: string): RegExp {
  const t = '\\' + token;
  return new RegExp(`([^${t}])${t}[ \\t]*$|^${t}[ \\t]*$`);
}

function isComment(line: string): boolean {
  return trimLeadingSpace(line).startsWith('#');
}

function isEmptyContinuationLine(line: string): boolean {
  return trimLeadingSpace(trimNewline(line)).length === 0;
}

/** Trims the newline (and leading blanks on a first line), notes directives, drops comments. */
function processLine(state: ParserState, raw: string, stripLeft: boolean): { text: string; directive: boolean } {
  let token = trimNewline(raw);
  if (stripLeft) token = trimLeadingSpace(token);
  const directive = state.possibleDirective(token);
  return { text: isComment(token) ? '' : token, directive };
}

function newNode(line: string, state: ParserState, comments: string[]): Node {
  const { keyword, flags, rest } = splitCommand(line);
  const ctx: LineParserContext = {
    escapeToken: state.escapeToken,
    parseNested: (nested) => newNode(nested, state, []),
  };
  const parsed = lineParserFor(keyword)(rest, ctx);
  const node: Node = {
    keyword,
    flags,
    args: parsed.args,
    json: parsed.json,
    heredocs: [],
    original: line,
    startLine: 0,
    endLine: 0,
    prevComment: comments,
  };
  if (parsed.child) node.child = parsed.child;
  return node;
}

function canContainHeredoc(node: Node): boolean {
  const target = node.keyword.toLowerCase() === 'onbuild' && node.child ? node.child : node;
  return heredocInstructions.has(target.keyword.toLowerCase()) && !target.json;
}

/** Parses a whole Dockerfile. Throws DockerfileParseError with line numbers. */
export function parse(text: string): ParseResult {
  const state = new ParserState();
  const lines = splitLinesKeepEnds(text);
  let next = 0;
  const scan = (): string | undefined => (next < lines.length ? lines[next++] : undefined);
  let currentLine = 0;
  const children: Node[] = [];
  const warnings: ParseWarning[] = [];
  let comments: string[] = [];

  for (let raw = scan(); raw !== undefined; raw = scan()) {
    if (currentLine === 0) raw = discardBOM(raw);
    if (isComment(raw)) {
      // BuildKit drops the first byte of the raw line here, not the '#' after indentation.
      const comment = goTrimSpace(raw.slice(1));
      if (comment === '') comments = [];
      else comments.push(comment);
    }
    let first: { text: string; directive: boolean };
    try {
      first = processLine(state, raw, true);
    } catch (err) {
      throw withLocation(err, currentLine + 1);
    }
    if (first.directive) comments.pop();
    currentLine++;

    const startLine = currentLine;
    let { text: line, ended } = state.trimContinuation(first.text);
    if (ended && line === '') continue;

    let hasEmptyContinuationLine = false;
    while (!ended) {
      const contRaw = scan();
      if (contRaw === undefined) break;
      let cont: { text: string; directive: boolean };
      try {
        cont = processLine(state, contRaw, false);
      } catch (err) {
        throw withLocation(err, currentLine + 1);
      }
      currentLine++;
      if (isComment(contRaw)) continue;
      if (isEmptyContinuationLine(cont.text)) {
        hasEmptyContinuationLine = true;
        continue;
      }
      const trimmed = state.trimContinuation(cont.text);
      ended = trimmed.ended;
      line += trimmed.text;
    }

    if (hasEmptyContinuationLine) {
      warnings.push({
        short: 'Empty continuation line found in: ' + line,
        detail: 'Empty continuation lines will become errors in a future release',
        url: 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/',
        line: currentLine,
      });
    }

    let node: Node;
    try {
      node = newNode(line, state, comments);
    } catch (err) {
      throw withLocation(err, startLine, currentLine);
    }

    if (canContainHeredoc(node) && line.includes('<<')) {
      let docs: Heredoc[];
      try {
        docs = heredocsFromLine(line);
      } catch (err) {
        throw withLocation(err, startLine, currentLine);
      }
      for (const doc of docs) {
        let terminated = false;
        for (let body = scan(); body !== undefined; body = scan()) {
          currentLine++;
          let candidate = trimNewline(body);
          if (doc.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === doc.name) {
            terminated = true;
            break;
          }
          doc.content += body;
        }
        if (!terminated) throw new DockerfileParseError('unterminated heredoc', startLine, currentLine);
        node.heredocs.push(doc);
      }
    }

    node.startLine = startLine;
    node.endLine = currentLine;
    children.push(node);
    comments = [];
  }

  if (children.length === 0) throw new DockerfileParseError('file with no instructions', Math.max(currentLine, 1));
  return { children, escapeToken: state.escapeToken, directives: state.directives, warnings };
}
