import { printable } from '../util/printable.js';

/**
 * Prints a user-facing problem as one line on stderr (no stack trace) and marks the exit as failed.
 * Control characters are escaped: a message may quote a file's bytes (see printable).
 */
export function fail(message: string): void {
  process.stderr.write(`scratchnet: ${printable(message)}\n`);
  process.exitCode = 1;
}
