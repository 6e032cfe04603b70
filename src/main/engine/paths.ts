import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the store lives unless `--root`/`STRATA_ROOT` says otherwise: the platform's per-user
 * data directory. The desktop app and the CLI use the same one, so they see the same images.
 */
export function defaultRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.STRATA_ROOT) return env.STRATA_ROOT;
  const home = env.HOME ?? homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Strata');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Strata');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'strata');
}

/**
 * The docker CLI's configuration directory: `$DOCKER_CONFIG`, else `~/.docker`. Here, beside the
 * store's own default, so that reading docker's contexts on every command's start-up loads no
 * registry code.
 */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || join(env.HOME ?? homedir(), '.docker');
}
