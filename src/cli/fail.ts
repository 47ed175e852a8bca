/** Prints a user-facing problem as one line on stderr (no stack trace) and marks the exit as failed. */
export function fail(message: string): void {
  process.stderr.write(`scratchnet: ${message}\n`);
  process.exitCode = 1;
}
