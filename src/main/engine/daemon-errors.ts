import { StrataError } from '../../shared/errors.ts';

/*
 * The errors docker's daemon answers (the CLI prints them `Error response from daemon: …`), in a
 * module of their own so that reporting an error loads none of the services that throw them.
 */

/**
 * An image the store does not have. The message names it as moby's daemon does (`x` reads
 * `x:latest`, a bare 64-hex ID `sha256:…`); `input` keeps what was typed, which docker's client
 * prints itself for `rmi` and `image inspect` (`Error: No such image: x`).
 */
export class ImageNotFoundError extends StrataError {
  readonly input: string;
  constructor(input: string, daemonName: string = input) {
    super('not-found', `No such image: ${daemonName}`);
    this.input = input;
  }
}

/**
 * What docker's daemon answered for the CLI (a pull's failure): printed `Error response from
 * daemon: …`. Keeps the cause's code and message.
 */
export class DaemonError extends StrataError {
  constructor(cause: unknown) {
    const code = cause instanceof StrataError ? cause.code : 'internal';
    super(code, cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export class NoSuchContainerError extends StrataError {
  constructor(ref: string) {
    super('not-found', `No such container: ${ref}`);
  }
}

/** A filter key or value the listing does not take (moby's wording). */
export class InvalidFilterError extends StrataError {
  constructor(name: string, value?: string) {
    super('invalid', value === undefined ? `Invalid filter '${name}'` : `Invalid filter '${name}=[${value}]'`);
  }
}

/** A `reference` pattern Go's path.Match refuses (moby answers before matching anything). */
export class BadPatternError extends StrataError {
  constructor() {
    super('invalid', 'syntax error in pattern');
  }
}
