import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceDir, conformanceMissing } from '../../../../../test/paths.ts';
import { skipAllIf } from '../../../../../test/fixtures/skip.ts';
import { parse } from './parser.ts';
import { dump } from './dump.ts';
import { DockerfileParseError } from './errors.ts';
import { chompHeredocContent, heredocsFromLine, parseHeredoc } from './heredoc.ts';
import { DirectiveParser, detectSyntax, parseDirective } from './directives.ts';

const parserDir = join(conformanceDir, 'buildkit-parser');
/** Without the vectors, their tests are reported as skipped with this reason. */
const noData = conformanceMissing('buildkit-parser');

function cases(folder: string): string[] {
  return noData ? [] : readdirSync(join(parserDir, folder)).sort();
}

function vectors<T>(file: string): T | undefined {
  return noData ? undefined : JSON.parse(readFileSync(join(parserDir, file), 'utf8')) as T;
}

describe('buildkit-parser testfiles', () => {
  skipAllIf(noData);
  const names = cases('testfiles');
  it('has the 33 cases', () => expect(names).toHaveLength(33));
  for (const name of names) {
    it(name, () => {
      const dir = join(parserDir, 'testfiles', name);
      const result = parse(readFileSync(join(dir, 'Dockerfile'), 'utf8'));
      expect(dump(result.children) + '\n').toBe(readFileSync(join(dir, 'result'), 'utf8'));
    });
  }
});

describe('buildkit-parser testfiles-negative', () => {
  skipAllIf(noData);
  const names = cases('testfiles-negative');
  it('has the 4 cases', () => expect(names).toHaveLength(4));
  for (const name of names) {
    it(`${name} fails`, () => {
      const text = readFileSync(join(parserDir, 'testfiles-negative', name, 'Dockerfile'), 'utf8');
      expect(() => parse(text)).toThrow(DockerfileParseError);
    });
  }
});

describe('buildkit-parser testfile-line', () => {
  skipAllIf(noData);
  it('reports [5,5], [11,12], [17,31]', () => {
    const result = parse(readFileSync(join(parserDir, 'testfile-line', 'Dockerfile'), 'utf8'));
    expect(result.children.map((n) => [n.startLine, n.endLine])).toEqual([[5, 5], [11, 12], [17, 31]]);
  });
});

interface HeredocExpectation { Name: string; FileDescriptor: number; Expand: boolean; Chomp: boolean; Content: string }
const heredocSpec = vectors<{
  expected_heredocs_by_child_starting_at_child_1: Array<HeredocExpectation[] | null>;
  ParseHeredoc_valid_all_named_EOF: string[];
  ParseHeredoc_error: string[];
  ParseHeredoc_not_heredoc_nil: string[];
  heredocsFromLine: Array<[string, string[]]>;
  json_form_never_heredoc: string[];
  ChompHeredocContent: Array<[string, string]>;
}>('heredoc-derived/expected.json');

describe('buildkit-parser heredoc-derived', () => {
  skipAllIf(noData);
  it('has its vectors', () => expect(heredocSpec!.expected_heredocs_by_child_starting_at_child_1.length).toBeGreaterThan(0));
  if (heredocSpec) {
    const result = parse(readFileSync(join(parserDir, 'heredoc-derived', 'Dockerfile'), 'utf8'));
    heredocSpec.expected_heredocs_by_child_starting_at_child_1.forEach((expected, i) => {
      const child = result.children[i + 1];
      it(`child ${i + 1} (${child?.original ?? 'missing'})`, () => {
        expect(child).toBeDefined();
        const got = child!.heredocs.map((h) => ({
          Name: h.name, FileDescriptor: h.fileDescriptor, Expand: h.expand, Chomp: h.chomp, Content: h.content,
        }));
        expect(got).toEqual(expected ?? []);
      });
    });
    for (const src of heredocSpec.ParseHeredoc_valid_all_named_EOF) {
      it(`parseHeredoc(${src}) is EOF`, () => expect(parseHeredoc(src)?.name).toBe('EOF'));
    }
    for (const src of heredocSpec.ParseHeredoc_error) {
      it(`parseHeredoc(${src}) fails`, () => expect(() => parseHeredoc(src)).toThrow());
    }
    for (const src of heredocSpec.ParseHeredoc_not_heredoc_nil) {
      it(`parseHeredoc(${JSON.stringify(src)}) is not a heredoc`, () => expect(parseHeredoc(src)).toBeNull());
    }
    for (const [line, names] of heredocSpec.heredocsFromLine) {
      it(`heredocsFromLine(${line})`, () => expect(heredocsFromLine(line).map((h) => h.name)).toEqual(names));
    }
    for (const line of heredocSpec.json_form_never_heredoc) {
      it(`${line} has no heredoc`, () => {
        const node = parse(line + '\nEOF\n').children[0]!;
        expect(node.json).toBe(true);
        expect(node.heredocs).toEqual([]);
      });
    }
    for (const [input, output] of heredocSpec.ChompHeredocContent) {
      it('chomps leading tabs', () => expect(chompHeredocContent(input)).toBe(output));
    }
  }
});

describe('heredoc errors', () => {
  it('fails on an unterminated heredoc with its lines', () => {
    const err = catchError(() => parse('FROM a\nRUN <<EOF\necho\n'));
    expect(err.reason).toBe('unterminated heredoc');
    expect([err.startLine, err.endLine]).toEqual([2, 3]);
  });
});

interface DirectiveCase { input: string; input_bytes_prefix?: string; ok?: boolean; ref?: string; cmdline?: string; line?: number; directives?: Array<{ name: string; value: string }> }
const directiveSpec = vectors<{
  'DirectiveParser.ParseAll': DirectiveCase[];
  DetectSyntax: DirectiveCase[];
  ParseDirective_check: DirectiveCase[];
}>('directives-derived/expected.json');

function inputOf(c: DirectiveCase): string {
  return (c.input_bytes_prefix === 'EF BB BF' ? '\ufeff' : '') + c.input;
}

function checkDetected(c: DirectiveCase, got: ReturnType<typeof detectSyntax>): void {
  if (c.ok === false) {
    expect(got).toBeNull();
    return;
  }
  expect(got).not.toBeNull();
  if (c.ref !== undefined) expect(got!.ref).toBe(c.ref);
  if (c.cmdline !== undefined) expect(got!.cmdline).toBe(c.cmdline);
  if (c.line !== undefined) expect(got!.line).toBe(c.line);
}

describe('buildkit-parser directives-derived', () => {
  skipAllIf(noData);
  it('has its vectors', () => expect(directiveSpec!.DetectSyntax.length).toBeGreaterThan(0));
  directiveSpec?.['DirectiveParser.ParseAll'].forEach((c, i) => {
    it(`ParseAll #${i}`, () => {
      const got = new DirectiveParser().parseAll(inputOf(c)).map(({ name, value }) => ({ name, value }));
      expect(got).toEqual(c.directives);
    });
  });
  directiveSpec?.DetectSyntax.forEach((c, i) => {
    it(`DetectSyntax #${i}: ${JSON.stringify(c.input)}`, () => checkDetected(c, detectSyntax(inputOf(c))));
  });
  directiveSpec?.ParseDirective_check.forEach((c, i) => {
    it(`ParseDirective(check) #${i}: ${JSON.stringify(c.input)}`, () => checkDetected(c, parseDirective('check', inputOf(c))));
  });
});

describe('directives', () => {
  it('returns the directives of a parsed file and honours the escape token', () => {
    const r = parse('# syntax=docker/dockerfile:1\n# escape=`\nFROM a\nRUN echo `\n  hi\n');
    expect(r.directives.map((d) => [d.name, d.value, d.line])).toEqual([['syntax', 'docker/dockerfile:1', 1], ['escape', '`', 2]]);
    expect(r.escapeToken).toBe('`');
    expect(r.children[1]!.args).toEqual(['echo   hi']);
  });
  it('rejects a repeated directive', () => {
    expect(catchError(() => parse('# escape=\\\n# escape=`\nFROM a\n')).reason).toBe('only one escape parser directive can be used');
  });
  it('rejects an invalid escape token', () => {
    expect(() => parse('# escape=x\nFROM a\n')).toThrow(/invalid escape token/);
  });
});

describe('parser details', () => {
  it('warns about empty continuation lines', () => {
    const r = parse('FROM a\nRUN a \\\n\n  b\n');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.short).toBe('Empty continuation line found in: RUN a   b');
  });
  it('keeps the comments above an instruction', () => {
    const r = parse('# stage doc\nFROM a AS b\n');
    expect(r.children[0]!.prevComment).toEqual(['stage doc']);
  });
  it('names the line of a JSON error', () => {
    const err = catchError(() => parse('FROM a\n\nCMD ["a", 1]\n'));
    expect(err.startLine).toBe(3);
    expect(err.message).toBe('dockerfile parse error on line 3: when using JSON array syntax, arrays must be comprised of strings only');
  });
});

function catchError(fn: () => unknown): DockerfileParseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DockerfileParseError) return err;
    throw err;
  }
  throw new Error('expected an error');
}
