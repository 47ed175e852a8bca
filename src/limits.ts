/**
 * Every limit scratchnet puts on what a file or a flag may ask of memory, each stated once with its
 * reason. A file is trusted for nothing it merely claims (a line length, a decompressed size, image
 * dimensions, a layer's width): what it asks for is checked against these before anything is allocated,
 * so no input under 10 MB on disk takes the process past 1 GB. docs/data.md and docs/cli.md list them.
 */

/**
 * The longest CSV line read: 1 MiB. A 28×28 image row is at most 785 × 4 = 3,140 bytes ("255,"), and a
 * row of 4,096 float features at full precision (≤ 24 bytes a cell: "-0.12345678901234567e-12,") is
 * under 100 KB; 1 MiB is ten times that. A longer line is a file without line breaks, not a row.
 */
export const MAX_CSV_LINE_BYTES = 1 << 20;

/**
 * How many times its own size a gzip file may decompress to: 50. MNIST's CSV.gz decompresses 8.6×, its
 * IDX.gz 4.9×; 50 leaves room for sparser data and keeps a 10 MB file to 500 MB of data. Checked as the
 * stream inflates, so a "gzip bomb" (2 GB of one byte in 2 MB) stops at the limit.
 */
export const GZIP_MAX_RATIO = 50;

/** Small gzip files may always decompress to 64 MiB, whatever their ratio: that much is harmless. */
export const GZIP_FLOOR_BYTES = 64 << 20;

/** The most bytes a gzip file of `compressedBytes` may decompress to (see {@link GZIP_MAX_RATIO}). */
export function gzipLimit(compressedBytes: number): number {
  return Math.max(GZIP_FLOOR_BYTES, GZIP_MAX_RATIO * compressedBytes);
}

/**
 * The largest CSV `predict` reads (decompressed): 256 MiB. It reads the file whole, as text (about 3
 * bytes of memory a byte); MNIST's whole training set as CSV is 110 MB. `evaluate` streams any size.
 */
export const MAX_PREDICT_CSV_BYTES = 256 << 20;

/**
 * The largest picture `predict` decodes: 25 megapixels, a 24-megapixel camera's 6000×4000 with room to
 * spare. Decoding and preparing a picture holds about 20 bytes a pixel (RGBA, the inflated PNG rows,
 * the grayscale and ink copies as float32): 500 MB at the limit. Read from the header before decoding.
 */
export const MAX_IMAGE_PIXELS = 25_000_000;

/** The largest picture file read: 128 MiB, more than an uncompressed 25-megapixel RGBA PNG needs (100 MB). */
export const MAX_IMAGE_FILE_BYTES = 128 << 20;

/**
 * The most layers a model file's architecture may have: 1,000. The CLI builds at most
 * {@link MAX_HIDDEN_LAYERS} hidden layers of four layers each (Dense, batch norm, activation, dropout).
 */
export const MAX_LAYERS = 1000;

/** The most hidden layers `--hidden` may list: 100, far deeper than a plain MLP trains well. */
export const MAX_HIDDEN_LAYERS = 100;

/**
 * The widest layer a flag may ask for (inputs, a hidden width, classes): 65,536, the pixels of a
 * 256×256 image. A wider layer is a typo (`--hidden 100000000`), not a network.
 */
export const MAX_LAYER_WIDTH = 1 << 16;

/**
 * The most parameters a network built from flags may have: 25 million (100 MB of float32 weights;
 * training holds as much again for gradients and up to twice more for Adam's moments: 400 MB). The
 * tutorial's 784-64-32-10 has 52,650; 784-4096-4096-10 has 20 million.
 */
export const MAX_PARAMETERS = 25_000_000;

/**
 * The most values one sample may have at any layer of a network built from a layer string: 4,194,304
 * (16 MB of float32 per sample, a 64-channel map of a 256×256 image). Every layer keeps its output and
 * its input gradient for the whole batch, so a typo (`conv2d(65536,3)`) would otherwise ask for
 * gigabytes at the first batch.
 */
export const MAX_SAMPLE_VALUES = 1 << 22;

/**
 * The largest batch: 65,536 rows, more than MNIST's whole training set. The batch buffers hold batch ×
 * layer width floats, so a batch beyond the data is memory for nothing.
 */
export const MAX_BATCH_SIZE = 1 << 16;

/**
 * The most digits a figure (`plot samples`, `plot predictions`, `plot wrong`) draws: 100. Vega draws
 * every pixel as a mark: 100 digits at the largest scale ({@link MAX_PNG_SCALE}) peaked at 610 MB and
 * 6.6 s (measured with `plot samples`), where 400 digits at scale 4 took 730 MB and 10 s.
 */
export const MAX_FIGURE_SAMPLES = 100;

/** The largest `--scale` of a PNG figure: 8 PNG pixels per SVG pixel (a 600-pixel figure becomes 4,800). */
export const MAX_PNG_SCALE = 8;
