/**
 * The one error class for problems a user can fix: bad data, a bad model file, a bad option.
 * Its message already names the file, line and field; the CLI prints the message alone and exits non-zero.
 * Any other error is a bug in scratchnet and may show a stack trace.
 */
export class ScratchnetError extends Error {
  override readonly name: string = 'ScratchnetError';
  /** @param message - the whole message the user reads: what is wrong and where (file, line, field). */
  constructor(message: string) {
    super(message);
  }
}

/** A tensor whose shape does not fit an operation (a user mistake like any other); names both shapes. */
export class ShapeError extends ScratchnetError {
  override readonly name = 'ShapeError';
  /**
   * @param what - the tensor or operation, e.g. `Dense.forward input`.
   * @param expected - the shape it needed (−1 where any size fits).
   * @param actual - the shape it got.
   */
  constructor(what: string, expected: readonly number[], actual: readonly number[]) {
    super(`${what}: expected shape [${expected.join(', ')}], got [${actual.join(', ')}]`);
  }
}
