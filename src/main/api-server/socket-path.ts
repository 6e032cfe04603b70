import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where `strata system service` listens by default: `$XDG_RUNTIME_DIR/strata/strata.sock`, else a
 * per-user directory in /tmp. Its own module: `strata context create` names it without loading the server.
 */
export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime) return join(runtime, 'strata', 'strata.sock');
  return join(tmpdir(), `strata-${process.getuid?.() ?? 'user'}`, 'strata.sock');
}
