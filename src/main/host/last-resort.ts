/**
 * The process's last resort for an error nothing else caught: an 'error' event no one listens to,
 * a throw in a callback, a rejected promise no one awaits. Node's default is to print a stack and
 * exit, which would take down the browser host or the Electron main process with every window, so
 * each entry point chooses a policy instead: the long-running hosts log and keep serving, the CLI
 * ends the command with one line. The latest policy wins (`strata ui` runs inside the CLI).
 */
export type LastResortPolicy = (err: unknown, origin: 'uncaughtException' | 'unhandledRejection') => void;

let policy: LastResortPolicy | undefined;

export function setLastResort(next: LastResortPolicy): void {
  if (!policy) {
    process.on('uncaughtException', (err) => policy!(err, 'uncaughtException'));
    process.on('unhandledRejection', (reason) => policy!(reason, 'unhandledRejection'));
  }
  policy = next;
}

/** The hosts' policy: one line (the stack with STRATA_DEBUG) on stderr, and go on serving. */
export function keepServing(who: string, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  setLastResort((err) => {
    const message = err instanceof Error ? err.message : String(err);
    log(`${who}: unexpected error, still serving: ${message.split('\n')[0]}`);
    if (process.env.STRATA_DEBUG && err instanceof Error && err.stack) log(err.stack);
  });
}
