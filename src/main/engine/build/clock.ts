/**
 * Milliseconds on a monotonic clock, for step durations and progress times. `performance.now()`
 * would do, but its first use loads node:perf_hooks (≈ 4 M instructions of a fresh process, a
 * few percent of a cached build); `process.hrtime` is there from Node's start.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
