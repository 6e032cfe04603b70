import type { Command, CommandContext } from '../command.ts';
import { flagString, flagStrings } from '../command.ts';
import { goMap, parseTemplate } from '../template.ts';
import type { StoreEvent } from '../../engine/events/event-log.ts';
import {
  dockerEventLine, dockerMessage, dockerMessageJson, matchesFilters, parseDockerTimestamp, parseEventFilters,
} from '../../engine/events/docker-message.ts';

/** How one event prints: docker's line, its JSON message, or a Go template over the message. */
function printer(format: string | undefined): (e: StoreEvent) => string {
  if (!format) return dockerEventLine;
  if (format === 'json' || format.trim() === '{{json .}}') return (e) => dockerMessageJson(dockerMessage(e));
  const template = parseTemplate(format);
  return (e) => {
    const m = dockerMessage(e);
    return template.execute({
      Status: m.status ?? '', ID: m.id ?? '', From: m.from ?? '', Type: m.Type, Action: m.Action,
      Actor: { ID: m.Actor.ID, Attributes: goMap({ ...m.Actor.Attributes }) }, Scope: m.scope, Time: m.time, TimeNano: m.timeNano,
    });
  };
}

/** Resolves when `signal` aborts or at `untilNano` (unix ns), whichever comes first. */
function waitUntil(signal: AbortSignal, untilNano: bigint | undefined): Promise<void> {
  return new Promise((resolve) => {
    // A timer holds the process open while it follows: the feed's own watch does not.
    const ms = untilNano === undefined ? 2 ** 31 - 1 : Math.max(0, Number(untilNano / 1_000_000n) - Date.now());
    const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1));
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
    if (signal.aborted) done();
  });
}

async function follow(ctx: CommandContext): Promise<void> {
  const filters = parseEventFilters(flagStrings(ctx, 'filter'));
  const now = Date.now();
  const since = flagString(ctx, 'since');
  const until = flagString(ctx, 'until');
  const sinceNano = since ? parseDockerTimestamp(since, now) : undefined;
  const untilNano = until ? parseDockerTimestamp(until, now) : undefined;
  const print = printer(flagString(ctx, 'format'));
  // Ctrl-C, or a reader that went away (`strata events | head`), ends the stream quietly.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  ctx.stdout.on('error', onAbort);
  const write = (e: StoreEvent): void => {
    if (stop.signal.aborted) return;
    if (matchesFilters(filters, e) && (untilNano === undefined || e.timeNano <= untilNano)) ctx.stdout.write(`${print(e)}\n`);
  };
  try {
    await replayAndFollow(ctx, write, stop.signal, sinceNano, untilNano, now);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    ctx.stdout.off('error', onAbort);
  }
}

async function replayAndFollow(
  ctx: CommandContext, write: (e: StoreEvent) => void, signal: AbortSignal, sinceNano: bigint | undefined, untilNano: bigint | undefined, now: number,
): Promise<void> {
  const engine = ctx.engine();
  // What was recorded before now comes from the table; everything after, from the feed, with no gap between.
  const start = engine.events.lastSeq();
  if (sinceNano !== undefined) {
    for (const e of engine.events.read({ upToSeq: start, sinceNano, ...(untilNano !== undefined ? { untilNano } : {}) })) write(e);
  }
  if (untilNano !== undefined && untilNano <= BigInt(now) * 1_000_000n) return;
  const unsubscribe = engine.feed.subscribe(write, start);
  try {
    await waitUntil(signal, untilNano);
  } finally {
    unsubscribe();
  }
}

export const eventsCommand: Command = {
  path: ['events'],
  aliases: [['system', 'events']],
  usage: 'strata events [OPTIONS]',
  description: 'Get real time events from the store',
  flags: [
    { name: 'filter', short: 'f', type: 'strings', value: 'filter', description: 'Filter output based on conditions provided' },
    { name: 'format', type: 'string', description: "Format output using a custom template: 'json' or a Go template" },
    { name: 'since', type: 'string', description: 'Show all events created since timestamp' },
    { name: 'until', type: 'string', description: 'Stream events until this timestamp' },
  ],
  maxArgs: 0,
  async run(ctx) {
    await follow(ctx);
    return 0;
  },
};
