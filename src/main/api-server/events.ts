/**
 * `GET /events`: the store's change feed as docker's JSON messages, replayed from `since` and
 * followed until `until` or the client goes away. Strata's own event types (layer, registry,
 * builder cache) are not sent: docker clients know only docker's.
 */
import type { StoreEvent } from '../engine/events/event-log.ts';
import { dockerMessage, dockerMessageJson, matchesFilters, parseDockerTimestamp } from '../engine/events/docker-message.ts';
import { filtersParam } from './http.ts';
import type { Route, RouteContext } from './router.ts';

const DOCKER_TYPES = new Set(['image', 'container', 'network', 'volume', 'daemon']);

async function eventsRoute(ctx: RouteContext): Promise<void> {
  const { engine, query } = ctx;
  const filters = filtersParam(query);
  const now = Date.now();
  const since = query.get('since');
  const until = query.get('until');
  const sinceNano = since ? parseDockerTimestamp(since, now) : undefined;
  const untilNano = until ? parseDockerTimestamp(until, now) : undefined;
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.res.flushHeaders();
  const write = (e: StoreEvent): void => {
    if (!DOCKER_TYPES.has(e.type) || (e.type === 'image' && e.action === 'prune' && ctx.version < 1.41)) return;
    if (untilNano !== undefined && e.timeNano > untilNano) return;
    if (matchesFilters(filters, e)) ctx.res.write(`${dockerMessageJson(dockerMessage(e))}\n`);
  };
  const start = engine.events.lastSeq();
  if (sinceNano !== undefined) {
    for (const e of engine.events.read({ upToSeq: start, sinceNano, ...(untilNano !== undefined ? { untilNano } : {}) })) write(e);
  }
  if (untilNano === undefined || untilNano > BigInt(Date.now()) * 1_000_000n) {
    const unsubscribe = engine.feed.subscribe(write, start);
    await new Promise<void>((resolve) => {
      const ms = untilNano === undefined ? 2 ** 31 - 1 : Math.max(0, Number(untilNano / 1_000_000n) - Date.now());
      const timer = setTimeout(resolve, Math.min(ms, 2 ** 31 - 1));
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
    unsubscribe();
  }
  ctx.res.end();
}

export const eventRoutes: Route[] = [['GET', /^\/events$/, eventsRoute]];
