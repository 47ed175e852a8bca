import { ScratchnetError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { firstNonFinite } from '../tensor/finite.js';
import { type ByteSource, checkClassCount, fileLabel, megabytes, openByteSource } from './source.js';

/**
 * IDX, the format of the original MNIST and of Fashion-MNIST: a 4-byte magic number (0, 0, element type,
 * number of dimensions), each dimension as a big-endian uint32, then the elements, row-major, big-endian.
 * Images are `[count, rows, columns]` (magic 0x00000803), labels `[count]` (magic 0x00000801).
 */
export interface IdxOptions {
  /** Number of classes; default 10 for 28×28 byte images, else largest label + 1. */
  classes?: number;
  /** Dataset name; default the images file name. */
  name?: string;
  /** 'float32' stores features already normalised (× scale), scale 1; default bytes with scale 1/255. */
  dtype?: 'auto' | 'float32';
}

/** Element types of IDX: code → bytes per element and how to read one (big-endian). */
const TYPES: Record<number, { name: string; bytes: number; read: (view: DataView, at: number) => number }> = {
  0x08: { name: 'unsigned byte', bytes: 1, read: (v, at) => v.getUint8(at) },
  0x09: { name: 'signed byte', bytes: 1, read: (v, at) => v.getInt8(at) },
  0x0b: { name: 'int16', bytes: 2, read: (v, at) => v.getInt16(at) },
  0x0c: { name: 'int32', bytes: 4, read: (v, at) => v.getInt32(at) },
  0x0d: { name: 'float32', bytes: 4, read: (v, at) => v.getFloat32(at) },
  0x0e: { name: 'float64', bytes: 8, read: (v, at) => v.getFloat64(at) },
};

/** Fashion-MNIST's class names, in label order. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** An IDX array as read: shape, element type and the raw big-endian elements. */
export interface IdxArray {
  /** Dimensions from the header: [count, rows, columns] for images, [count] for labels. */
  shape: number[];
  /** Element type code from the magic number: 0x08 unsigned byte, 0x09 signed byte, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64. */
  type: number;
  /** The elements' bytes as stored (big-endian). */
  data: Uint8Array;
}

/** Reads one IDX file (plain or gzip) completely, checking the magic number and that the size matches the dimensions. */
export async function readIdx(path: string): Promise<IdxArray> {
  const source = await openByteSource(path);
  try {
    const magic = await readExactly(source, 4, 0, 'the 4-byte magic number');
    const type = TYPES[magic[2]];
    if (magic[0] !== 0 || magic[1] !== 0 || !type || magic[3] === 0) {
      const hex = [...magic].map((b) => b.toString(16).padStart(2, '0')).join('');
      throw new ScratchnetError(
        `${path} byte offset 0: bad IDX magic number 0x${hex} (expected 0x0000TTDD: 2 zero bytes, element type 08/09/0B/0C/0D/0E, number of dimensions); is this an IDX file?`,
      );
    }
    const dims = await readExactly(source, 4 * magic[3], 4, `${magic[3]} dimension sizes`);
    const view = new DataView(dims.buffer, dims.byteOffset, dims.byteLength);
    const shape = Array.from({ length: magic[3] }, (_, i) => view.getUint32(4 * i));
    const headerBytes = 4 + 4 * shape.length;
    const dataBytes = shape.reduce((a, b) => a * b, 1) * type.bytes;
    const sizeError = (has: number) =>
      new ScratchnetError(
        `${path}: IDX dimensions ${shape.join('×')} (${type.name}) need ${dataBytes} data bytes after the ${headerBytes}-byte header, but the file has ${has}`,
      );
    // Check against the known size before allocating, so a damaged header cannot ask for gigabytes.
    // A gzip file's decompressed size is only known at its end: its header may not ask for more than
    // the file may decompress to (GZIP_MAX_RATIO times its size), and the stream is stopped there too.
    if (!source.gzipped && headerBytes + dataBytes !== source.fileBytes) throw sizeError(source.fileBytes - headerBytes);
    if (source.gzipped && headerBytes + dataBytes > source.decodedLimit) {
      throw new ScratchnetError(
        `${path}: IDX dimensions ${shape.join('×')} (${type.name}) need ${dataBytes} data bytes, more than a ${megabytes(source.fileBytes)} gzip file may decompress to (${megabytes(source.decodedLimit)}); a damaged header?`,
      );
    }
    const data = new Uint8Array(dataBytes);
    const got = await source.read(data, 0, dataBytes);
    const extra = got < dataBytes ? 0 : await countRemaining(source);
    if (got < dataBytes || extra > 0) throw sizeError(got + extra);
    return { shape, type: magic[2], data };
  } finally {
    await source.close();
  }
}

/**
 * Loads an images file and its labels file as one dataset: features [count, 1, rows, columns] (images of
 * one channel, as PyTorch's MNIST gives them; other IDX shapes keep their dimensions after the count),
 * bytes with scale 1/255 for unsigned-byte images (other element types become float32, scale 1).
 * A multilayer perceptron takes the same samples as rows·columns values (Sequential reads either shape).
 */
export async function loadIdx(imagesPath: string, labelsPath: string, options: IdxOptions = {}): Promise<Dataset> {
  checkClassCount(imagesPath, options.classes);
  const images = await readIdx(imagesPath);
  const labelsFile = await readIdx(labelsPath);
  if (images.shape.length < 2)
    throw new ScratchnetError(
      `${imagesPath}: IDX has shape [${images.shape.join(', ')}]; images need at least 2 dimensions [count, …]`,
    );
  if (labelsFile.shape.length !== 1)
    throw new ScratchnetError(
      `${labelsPath}: IDX has shape [${labelsFile.shape.join(', ')}]; labels must have 1 dimension [count]`,
    );
  const count = images.shape[0];
  if (count === 0) throw new ScratchnetError(`${imagesPath}: IDX holds 0 images; a dataset needs at least one`);
  if (labelsFile.shape[0] !== count) {
    throw new ScratchnetError(
      `${imagesPath} holds ${count} images but ${labelsPath} holds ${labelsFile.shape[0]} labels; they must be the same count (are they a pair?)`,
    );
  }
  const size = images.shape.slice(1).reduce((a, b) => a * b, 1);
  const isMnistShaped = images.type === 0x08 && size === 784;
  const classes = options.classes ?? (isMnistShaped ? 10 : undefined);
  const labels = toLabels(labelsFile, labelsPath, classes);
  const inferred = classes ?? labels.reduce((a, b) => Math.max(a, b), -1) + 1;

  let features: Uint8Array | Float32Array;
  let scale: number;
  if (images.type === 0x08) {
    scale = 1 / 255;
    features = images.data;
    if (options.dtype === 'float32') {
      const floats = new Float32Array(features.length);
      for (let i = 0; i < floats.length; i++) floats[i] = features[i] * scale;
      features = floats;
      scale = 1;
    }
  } else {
    features = toFloats(images, imagesPath);
    scale = 1;
  }
  const fashion = /fashion/i.test(imagesPath) && inferred === 10;
  return {
    name: options.name ?? fileLabel(imagesPath),
    features,
    labels,
    count,
    sampleShape: images.shape.length === 3 ? [1, ...images.shape.slice(1)] : images.shape.slice(1),
    classes: inferred,
    scale,
    ...(fashion ? { classNames: FASHION_MNIST_CLASSES } : {}),
  };
}

function toLabels(file: IdxArray, path: string, classes: number | undefined): Int32Array {
  const type = TYPES[file.type];
  const view = new DataView(file.data.buffer, file.data.byteOffset, file.data.byteLength);
  const labels = new Int32Array(file.shape[0]);
  for (let i = 0; i < labels.length; i++) {
    const label = type.read(view, i * type.bytes);
    const offset = 8 + i * type.bytes;
    if (!Number.isInteger(label) || label < 0)
      throw new ScratchnetError(`${path} byte offset ${offset} (label ${i}): label ${label} is not a class number 0, 1, 2, …`);
    if (classes !== undefined && label >= classes)
      throw new ScratchnetError(
        `${path} byte offset ${offset} (label ${i}): label ${label} is outside the class range 0..${classes - 1}`,
      );
    labels[i] = label;
  }
  return labels;
}

/** The elements as float32; a NaN or ±Inf (or a float64 beyond float32's range) is refused, naming where. */
function toFloats(file: IdxArray, path: string): Float32Array {
  const type = TYPES[file.type];
  const view = new DataView(file.data.buffer, file.data.byteOffset, file.data.byteLength);
  const out = new Float32Array(file.data.length / type.bytes);
  for (let i = 0; i < out.length; i++) out[i] = type.read(view, i * type.bytes);
  const bad = firstNonFinite(out);
  if (bad >= 0) {
    const size = out.length / file.shape[0];
    const value = type.read(view, bad * type.bytes);
    const offset = 4 + 4 * file.shape.length + bad * type.bytes;
    throw new ScratchnetError(
      `${path} byte offset ${offset} (image ${Math.floor(bad / size)}, value ${bad % size}): ${value} is not a finite float32; features must be finite numbers`,
    );
  }
  return out;
}

async function readExactly(source: ByteSource, bytes: number, offset: number, what: string): Promise<Uint8Array> {
  const out = new Uint8Array(bytes);
  const got = await source.read(out, 0, bytes);
  if (got === 0 && offset === 0) throw new ScratchnetError(`${source.path}: file is empty (expected an IDX header)`);
  if (got < bytes)
    throw new ScratchnetError(`${source.path} byte offset ${offset + got}: file ends inside the IDX header (reading ${what})`);
  return out;
}

async function countRemaining(source: ByteSource): Promise<number> {
  const scratch = new Uint8Array(1 << 16);
  let total = 0;
  for (let n = await source.read(scratch, 0, scratch.length); n > 0; n = await source.read(scratch, 0, scratch.length))
    total += n;
  return total;
}
