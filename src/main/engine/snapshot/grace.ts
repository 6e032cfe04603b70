/**
 * How long `prune` keeps a snapshot no image uses: a build in progress may be running on it. On
 * its own so that `system df -v` (which counts what gc would free) does not load the snapshotter.
 */
export const SNAPSHOT_GRACE_MS = 3_600_000;
