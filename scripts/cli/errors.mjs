// The two ways a `baton` command fails. Each message is one line, printed after "baton: ".

/** A mistake on the command line or in the input given: exit code 2. */
export class UsageError extends Error {
  exitCode = 2;
}

/** The server refused, could not be reached, or answered something that is not Baton's: exit code 1. */
export class RefusalError extends Error {
  exitCode = 1;
}

/** Throws a {@link UsageError}; typed `never` so that each check is one line. */
export function usage(message) {
  throw new UsageError(message);
}

/** Throws a {@link RefusalError}; typed `never` so that each check is one line. */
export function refuse(message) {
  throw new RefusalError(message);
}
