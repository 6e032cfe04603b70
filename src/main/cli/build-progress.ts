/**
 * BuildKit's progress displays for `build --progress`: plain (`#n name` … `#n DONE 0.1s`), tty (a
 * live view redrawn in place: `[+] Building 0.3s (5/5) FINISHED`, ` => CACHED [2/3] COPY …`), and
 * rawjson (one SolveStatus object per line). All three read the engine's build events; Strata's
 * cache-miss reasons are extra lines under the step they explain.
 */
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { BuildEvent } from '../engine/build/builder.ts';
import { monotonicMs } from '../engine/build/clock.ts';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'quiet' | 'rawjson';

export interface Printer {
  onEvent: (e: BuildEvent) => void;
  /** Draws the last state (a tty view's FINISHED / ERROR line); called once the build ended. */
  close: () => void;
}

/** Line-buffered logs of one vertex: `#5 0.084 text` with the time since the vertex started. */
class LogLines {
  private readonly pending = new Map<number, string>();

  split(n: number, text: string): string[] {
    const lines = ((this.pending.get(n) ?? '') + text).split('\n');
    this.pending.set(n, lines.pop()!);
    return lines;
  }

  rest(n: number): string {
    const r = this.pending.get(n) ?? '';
    this.pending.delete(n);
    return r;
  }
}

/** BuildKit's plain printer: a blank line between vertices, logs stamped with seconds since the start. */
export function plainPrinter(out: Writable): Printer {
  const started = new Map<number, number>();
  const logs = new LogLines();
  const onEvent = (e: BuildEvent): void => {
    switch (e.type) {
      case 'vertex':
        started.set(e.n, monotonicMs());
        out.write(`#${e.n} ${e.name}\n`);
        break;
      case 'cached':
        out.write(`#${e.n} CACHED\n\n`);
        started.delete(e.n);
        break;
      case 'miss':
        out.write(`#${e.n} cache miss: ${e.reason}\n`);
        break;
      case 'log': {
        const t = ((monotonicMs() - (started.get(e.n) ?? monotonicMs())) / 1000).toFixed(3);
        for (const l of logs.split(e.n, e.text)) out.write(`#${e.n} ${t} ${l}\n`);
        break;
      }
      case 'status':
        out.write(`#${e.n} ${e.text}\n`);
        break;
      case 'done': {
        if (!started.has(e.n)) break;
        const rest = logs.rest(e.n);
        if (rest) out.write(`#${e.n} ${rest}\n`);
        started.delete(e.n);
        out.write(`#${e.n} DONE ${(e.durationMs / 1000).toFixed(1)}s\n\n`);
        break;
      }
      case 'error':
        if (e.n !== undefined) {
          const rest = logs.rest(e.n);
          if (rest) out.write(`#${e.n} ${rest}\n`);
          // No blank line: BuildKit's block about the failed step follows at once.
          out.write(`#${e.n} ERROR: ${e.message}\n`);
        }
        break;
      case 'warning':
        out.write(`[Warning] ${e.message}\n`);
        break;
      case 'result':
        break;
    }
  };
  return { onEvent, close: () => {} };
}

interface TtyVertex {
  n: number;
  name: string;
  started: number;
  ended?: number;
  cached: boolean;
  error: boolean;
  /** Status lines (` => => transferring dockerfile: 31B  0.0s`, timed) and miss reasons (not timed). */
  statuses: { text: string; timed: boolean }[];
  /** Last log lines, shown while the vertex runs. */
  logs: string[];
}

const LOG_TAIL = 6;

/**
 * BuildKit's tty view, redrawn in place every 100 ms and once more at the end: the header with the
 * elapsed time and done/total vertices, one line per vertex with its time right-aligned, its
 * statuses under it, and the last log lines of a running step.
 */
export function ttyPrinter(out: Writable & { columns?: number; rows?: number }): Printer {
  const start = monotonicMs();
  const vertices: TtyVertex[] = [];
  const byN = new Map<number, TtyVertex>();
  const logs = new LogLines();
  const warnings: string[] = [];
  let drawn = 0;
  let failed = false;
  const draw = (final: boolean): void => {
    const lines = ttyLines({ vertices, elapsed: monotonicMs() - start, final, failed, width: out.columns ?? 80 });
    // While running, only what fits the terminal; the finished view is printed whole.
    const shown = final ? lines : lines.slice(0, 1).concat(lines.slice(1).slice(-Math.max(1, (out.rows ?? 24) - 2)));
    let text = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const l of shown) text += `\r${l}\x1b[K\n`;
    // Clear what the previous frame drew below this one.
    if (shown.length < drawn) text += '\x1b[J';
    out.write(text);
    drawn = shown.length;
  };
  draw(false);
  const timer = setInterval(() => draw(false), 100);
  timer.unref();
  const onEvent = (e: BuildEvent): void => {
    if (e.type === 'vertex') {
      const v: TtyVertex = { n: e.n, name: e.name, started: monotonicMs(), cached: false, error: false, statuses: [], logs: [] };
      vertices.push(v);
      byN.set(e.n, v);
      return;
    }
    if (e.type === 'warning') warnings.push(e.message);
    if (e.type === 'error' && e.n === undefined) failed = true;
    if (!('n' in e) || e.n === undefined) return;
    const v = byN.get(e.n);
    if (!v) return;
    switch (e.type) {
      case 'cached':
        v.cached = true;
        v.ended = v.started;
        break;
      case 'miss':
        v.statuses.push({ text: `cache miss: ${e.reason}`, timed: false });
        break;
      case 'status':
        v.statuses.push({ text: e.text.replace(/ done$/, ''), timed: true });
        break;
      case 'log':
        v.logs.push(...logs.split(e.n, e.text));
        v.logs.splice(0, Math.max(0, v.logs.length - LOG_TAIL));
        break;
      case 'done':
        v.ended = monotonicMs();
        v.logs = [];
        break;
      case 'error':
        v.error = true;
        failed = true;
        v.ended = monotonicMs();
        break;
    }
  };
  return {
    onEvent,
    close: () => {
      clearInterval(timer);
      draw(true);
      for (const w of warnings) out.write(`[Warning] ${w}\n`);
    },
  };
}

/** The frame of the tty view (no escape codes), `width` columns wide. */
export function ttyLines(s: { vertices: readonly TtyVertex[]; elapsed: number; final: boolean; failed: boolean; width: number }): string[] {
  const done = s.vertices.filter((v) => v.ended !== undefined).length;
  const state = s.final ? (s.failed ? ' ERROR' : ' FINISHED') : '';
  const out = [`[+] Building ${(s.elapsed / 1000).toFixed(1)}s (${done}/${s.vertices.length})${state}`];
  const now = monotonicMs();
  for (const v of s.vertices) {
    const prefix = v.error ? 'ERROR ' : v.cached ? 'CACHED ' : '';
    out.push(row(` => ${prefix}${v.name}`, v.cached ? '0.0s' : `${(((v.ended ?? now) - v.started) / 1000).toFixed(1)}s`, s.width));
    for (const st of v.statuses) out.push(row(` => => ${st.text}`, st.timed ? '0.0s' : '', s.width));
    if (v.ended === undefined || v.error) for (const l of v.logs) out.push(row(` => => # ${l}`, '', s.width));
  }
  return out;
}

/** A line with `time` right-aligned at `width`, the text cut to fit. */
function row(text: string, time: string, width: number): string {
  const room = Math.max(10, width - time.length - 1);
  const cut = text.length > room ? `${text.slice(0, room - 3)}...` : text;
  return time ? `${cut.padEnd(room)} ${time}` : cut;
}

/**
 * BuildKit's rawjson: every event as a SolveStatus (`vertexes`, `statuses`, `logs`) on a line.
 * Vertex digests are made up per build (Strata has no LLB), stable within the output.
 */
export function rawJsonPrinter(out: Writable): Printer {
  const salt = `${process.pid}-${Date.now()}`;
  const digest = (n: number): string => `sha256:${createHash('sha256').update(`${salt}#${n}`).digest('hex')}`;
  const vertices = new Map<number, { digest: string; name: string; started: string }>();
  const iso = (): string => new Date().toISOString();
  const vertex = (n: number, extra: Record<string, unknown>): Record<string, unknown> => {
    const v = vertices.get(n)!;
    return { digest: v.digest, name: v.name, started: v.started, ...extra };
  };
  const write = (status: Record<string, unknown>): void => {
    out.write(`${JSON.stringify(status)}\n`);
  };
  const onEvent = (e: BuildEvent): void => {
    if (e.type === 'vertex') {
      vertices.set(e.n, { digest: digest(e.n), name: e.name, started: iso() });
      write({ vertexes: [vertex(e.n, {})] });
      return;
    }
    if (!('n' in e) || e.n === undefined || !vertices.has(e.n)) return;
    const v = vertices.get(e.n)!;
    const now = iso();
    switch (e.type) {
      case 'cached':
        write({ vertexes: [vertex(e.n, { completed: now, cached: true })] });
        break;
      case 'done':
        write({ vertexes: [vertex(e.n, { completed: now })] });
        break;
      case 'error':
        write({ vertexes: [vertex(e.n, { completed: now, error: e.message })] });
        break;
      case 'status':
        write({ statuses: [{ id: e.text.replace(/ done$/, ''), vertex: v.digest, timestamp: now, started: v.started, completed: now }] });
        break;
      case 'miss':
        write({ logs: [{ vertex: v.digest, stream: 2, data: Buffer.from(`cache miss: ${e.reason}\n`).toString('base64'), timestamp: now }] });
        break;
      case 'log':
        write({ logs: [{ vertex: v.digest, stream: e.stream === 'stderr' ? 2 : 1, data: Buffer.from(e.text).toString('base64'), timestamp: now }] });
        break;
    }
  };
  return { onEvent, close: () => {} };
}

/** The printer `--progress MODE` asks for; `auto` is the tty view on a terminal, plain otherwise. */
export function progressPrinter(mode: ProgressMode, stderr: Writable & { isTTY?: boolean; columns?: number; rows?: number }): Printer | undefined {
  if (mode === 'quiet') return undefined;
  if (mode === 'rawjson') return rawJsonPrinter(stderr);
  if (mode === 'tty' || (mode === 'auto' && stderr.isTTY === true)) return ttyPrinter(stderr);
  return plainPrinter(stderr);
}

/**
 * BuildKit's block under a failed build: the step that failed and its last log lines between
 * `------` rules, before the error itself. Fed every event; `block()` is '' until a step failed.
 */
export function failedStepBlock(options: { withLogs: boolean }): { onEvent: (e: BuildEvent) => void; block: () => string } {
  const names = new Map<number, { name: string; started: number }>();
  const logs = new LogLines();
  const tails = new Map<number, string[]>();
  let failed: number | undefined;
  const onEvent = (e: BuildEvent): void => {
    if (e.type === 'vertex') names.set(e.n, { name: e.name, started: monotonicMs() });
    else if (e.type === 'log') {
      const t = ((monotonicMs() - (names.get(e.n)?.started ?? monotonicMs())) / 1000).toFixed(3);
      const tail = tails.get(e.n) ?? [];
      for (const l of logs.split(e.n, e.text)) tail.push(`#${e.n} ${t} ${l}`);
      tails.set(e.n, tail.slice(-10));
    } else if (e.type === 'error' && e.n !== undefined) failed ??= e.n;
  };
  const block = (): string => {
    const v = failed === undefined ? undefined : names.get(failed);
    if (failed === undefined || !v) return '';
    const rest = logs.rest(failed);
    // The plain display has shown the logs already; BuildKit repeats them only under its tty view.
    const tail = options.withLogs ? [...(tails.get(failed) ?? []), ...(rest ? [`#${failed} ${rest}`] : [])] : [];
    return `------\n > ${v.name}:\n${tail.map((l) => `${l}\n`).join('')}------\n`;
  };
  return { onEvent, block };
}
