import { StrataError } from '../../shared/errors.ts';

/*
 * The errors docker's daemon answers (the CLI prints them `Error response from daemon: …`), in a
 * module of their own so that reporting an error loads none of the services that throw them.
 */

export class ImageNotFoundError extends StrataError {
  constructor(ref: string) {
    super('not-found', `No such image: ${ref}`);
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
