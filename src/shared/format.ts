/** Formatting shared by the CLI and the UI, so both print the same numbers (sizes and durations: units.ts). */

/** docker's 12-hex short ID (`sha256:` dropped). */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * docker's reference filter (`images j*`, `--filter reference=`): the pattern is matched against
 * the familiar name, and against `name:tag` (docker's FamiliarMatch).
 */
export function referenceMatches(pattern: string, repoTag: string, match: (p: string, s: string) => boolean): boolean {
  const colon = repoTag.lastIndexOf(':');
  const name = colon > repoTag.lastIndexOf('/') ? repoTag.slice(0, colon) : repoTag;
  try {
    return match(pattern, repoTag) || match(pattern, name);
  } catch {
    return false;
  }
}

/**
 * The registry host a reference names, by docker's rule (splitDockerDomain): the part before the
 * first `/` when it looks like a host (has `.` or `:`, or is `localhost`), else Docker Hub.
 */
export function registryOf(reference: string): string {
  const slash = reference.indexOf('/');
  const first = slash < 0 ? '' : reference.slice(0, slash);
  return first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost') ? first.toLowerCase() : 'docker.io';
}
