import fc from 'fast-check';
import { expect } from 'vitest';
import { ScratchnetError } from '../src/errors.js';

/**
 * Mutation fuzzing of a reader, with fast-check: valid files are damaged by one to three random
 * mutations (bit flips, byte overwrites, truncation, insertion, deletion), and the reader must either
 * return a result or throw a ScratchnetError: never another exception, never a hang. The seed is fixed,
 * so a run is repeatable and a failure is reported with the mutations that caused it, shrunk.
 *
 * FUZZ_RUNS sets the cases per reader (default 200, the CI budget; `npm run fuzz` runs 5000) and
 * FUZZ_SEED the seed.
 */

/** One damage to a file; positions are fractions of its length, so they fit any file. */
type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number };

// Uniform over the file: fast-check's doubles are spread over their bit patterns (mostly tiny numbers)
// and its integers lean towards small values; either would put most damage at the first byte.
const position = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000);
// Bytes that matter to parsers more often than uniform bytes would: digits, separators, 0x00, 0xff.
const interestingByte = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0x2c, 0x0a, 0x0d, 0x22, 0x2d, 0x2e, 0x30, 0x39, 0x65, 0x7b, 0x7d),
);
const someBytes = fc.array(interestingByte, { minLength: 1, maxLength: 16 }).map((b) => Uint8Array.from(b));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: position, bytes: someBytes }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: someBytes }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
);

/** The damaged copy of `bytes`. */
export function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const m of mutations) {
    const at = Math.floor(m.at * out.length);
    if (m.kind === 'flip') {
      if (out.length > 0) out[at] ^= 1 << m.bit;
    } else if (m.kind === 'overwrite') {
      out.set(m.bytes.subarray(0, Math.max(0, out.length - at)), at);
    } else if (m.kind === 'truncate') {
      out = out.slice(0, at);
    } else if (m.kind === 'insert') {
      out = Uint8Array.from([...out.subarray(0, at), ...m.bytes, ...out.subarray(at)]);
    } else {
      out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + m.length)]);
    }
  }
  return out;
}

/** How each damaged file ended, for the summary line. */
export interface FuzzOutcomes {
  accepted: number;
  refused: number;
}

/**
 * Runs `read` on damaged copies of each seed file. `read` gets the bytes (writing them to a file
 * itself where the reader takes a path) and returns when they were accepted.
 */
export async function fuzzReader(
  name: string,
  seeds: readonly Uint8Array[],
  read: (bytes: Uint8Array) => unknown,
): Promise<FuzzOutcomes> {
  // Undamaged, every seed must be accepted: otherwise every case would be refused and prove nothing.
  for (const [i, bytes] of seeds.entries())
    await Promise.resolve(read(bytes)).catch((error: unknown) => {
      throw new Error(`fuzz ${name}: seed ${i} is refused undamaged: ${String(error)}`);
    });
  const outcomes: FuzzOutcomes = { accepted: 0, refused: 0 };
  const runs = Number(process.env.FUZZ_RUNS ?? 200);
  const seed = Number(process.env.FUZZ_SEED ?? 20261203);
  const property = fc.asyncProperty(
    fc.integer({ min: 0, max: seeds.length - 1 }),
    fc.array(mutation, { minLength: 1, maxLength: 3 }),
    async (which, mutations) => {
      const bytes = mutate(seeds[which], mutations);
      try {
        await read(bytes);
        outcomes.accepted++;
      } catch (error) {
        if (!(error instanceof ScratchnetError)) throw error;
        expect(error.message.length).toBeGreaterThan(0);
        outcomes.refused++;
      }
    },
  );
  await fc.assert(property, { numRuns: runs, seed, endOnFailure: true, timeout: 5_000 });
  console.log(
    `fuzz ${name}: ${runs} damaged files, ${outcomes.accepted} accepted, ${outcomes.refused} refused with a clean error`,
  );
  return outcomes;
}
