/**
 * The CLI's termination signals (SIGINT, SIGTERM), as docker's CLI handles them: while a
 * foreground container is attached, they go to the container instead (`run --sig-proxy`, the
 * default, and `start -a`); a third one ends the CLI at once, whatever it is doing (docker 28:
 * `got 3 SIGTERM/SIGINTs, forcefully exiting`, status 1).
 */

/** What a command does with a signal while it holds the terminal; undefined: the command is aborted. */
let handler: ((signal: NodeJS.Signals) => void) | undefined;

/** Signals docker's proxy also forwards; listened to only while a container is attached. */
const ALSO_FORWARDED: NodeJS.Signals[] = ['SIGHUP', 'SIGQUIT', 'SIGUSR2'];

/**
 * Hands the CLI's signals to `fn` until the returned function is called: forwarded to the
 * container, or, with `--sig-proxy=false`, dropped (the container is left alone, as docker does).
 */
export function takeSignals(fn: (signal: NodeJS.Signals) => void, options: { forwardOthers: boolean }): () => void {
  handler = fn;
  const others = options.forwardOthers ? ALSO_FORWARDED : [];
  for (const s of others) process.on(s, fn);
  return () => {
    if (handler === fn) handler = undefined;
    for (const s of others) process.off(s, fn);
  };
}

/** main's listener: true when a command took the signal (it must not abort the command). */
export function signalTaken(signal: NodeJS.Signals): boolean {
  if (!handler) return false;
  handler(signal);
  return true;
}
