import { ScratchnetError } from '../errors.js';
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Data augmentation for images: every training sample moved by a random whole number of pixels, turned
 * by a small random angle and, where left and right do not matter, mirrored, drawn afresh each time the
 * sample is seen, so the network learns that a digit drawn a little to the left or slanted is the same
 * digit (Simard et al., 2003; Keras's ImageDataGenerator, torchvision's RandomAffine and
 * RandomHorizontalFlip). `fit` applies it to each gathered batch, in place, before the network sees it;
 * evaluation never does.
 */

/** How far {@link ImageAugmentation} may move and turn a sample; 0 turns a part off. */
export interface AugmentOptions {
  /** Largest shift in pixels, along each axis independently: dx, dy uniform in {−shift, …, shift}. Default 0. */
  readonly shift?: number;
  /** Largest rotation in degrees: θ uniform in [−rotate, rotate), positive counter-clockwise. Default 0. */
  readonly rotate?: number;
  /**
   * Mirror left-right with probability ½. Right for pictures of things (a shoe pointing left is still a
   * shoe: Fashion-MNIST, CIFAR), wrong for digits and letters (a mirrored 2 is not a 2). Default false.
   */
  readonly flip?: boolean;
}

/** Changes a training batch in place, drawing from the run's Rng (`fit`'s `augment` option). */
export interface BatchAugmentation {
  /** x: [batch, ...sampleShape], changed in place; every random choice from `rng`. */
  apply(x: Tensor, rng: Rng): void;
}

/**
 * The image a sample of `sampleShape` is: [C, H, W] as it stands, or [1, n, n] for a flat sample of n²
 * values (a CSV row of MNIST pixels), as layersFromSpec reads it.
 * @throws {@link ScratchnetError} for samples that are neither.
 */
export function imageShapeOf(sampleShape: readonly number[]): [number, number, number] {
  if (sampleShape.length === 3) return [sampleShape[0], sampleShape[1], sampleShape[2]];
  const side = sampleShape.length === 1 ? Math.round(Math.sqrt(sampleShape[0])) : 0;
  if (side > 0 && side * side === sampleShape[0]) return [1, side, side];
  throw new ScratchnetError(
    `augmentation needs images [channels, height, width] or a square number of values, but the samples are [${sampleShape.join(', ')}]`,
  );
}

/**
 * Random shifts, rotations and mirrorings of image samples, resampled bilinearly with 0 outside the image.
 *
 * Per sample, in this order: dx, dy = rng.int(2·shift + 1) − shift (when shift > 0), then
 * θ = rng.uniformIn(−rotate, rotate) degrees (when rotate > 0), then mirrored when rng.int(2) = 1 (when
 * flip is on); a part that is off draws nothing. Each sample is copied to a scratch image (allocated once,
 * for the first batch) and resampled back into the batch, so nothing is allocated per batch.
 */
export class ImageAugmentation implements BatchAugmentation {
  readonly shift: number;
  readonly rotate: number;
  readonly flip: boolean;
  private scratch = new Float32Array(0); // one sample [C·H·W]
  private sampleShape: readonly number[] = []; // of the last batch, and the image it is
  private image: readonly [number, number, number] = [0, 0, 0];

  /** @throws {@link ScratchnetError} if shift is not a non-negative integer or rotate is outside [0, 180]. */
  constructor(options: AugmentOptions = {}) {
    const { shift = 0, rotate = 0, flip = false } = options;
    if (!(Number.isInteger(shift) && shift >= 0))
      throw new ScratchnetError(`augmentation: shift must be a non-negative whole number of pixels, got ${shift}`);
    if (!(rotate >= 0 && rotate <= 180))
      throw new ScratchnetError(`augmentation: rotate must be between 0 and 180 degrees, got ${rotate}`);
    this.shift = shift;
    this.rotate = rotate;
    this.flip = flip;
  }

  /** x: [batch, C, H, W], or [batch, n²] read as one-channel n×n images; each sample moved, turned and mirrored in place. */
  apply(x: Tensor, rng: Rng): void {
    if (this.shift === 0 && this.rotate === 0 && !this.flip) return;
    const image = this.imageShape(x);
    const channels = image[0];
    const height = image[1];
    const width = image[2];
    const size = channels * height * width;
    if (this.scratch.length !== size) this.scratch = new Float32Array(size);
    const data = x.data;
    for (let n = 0; n < x.rows; n++) {
      const dx = this.shift > 0 ? rng.int(2 * this.shift + 1) - this.shift : 0;
      const dy = this.shift > 0 ? rng.int(2 * this.shift + 1) - this.shift : 0;
      const degrees = this.rotate > 0 ? rng.uniformIn(-this.rotate, this.rotate) : 0;
      const mirror = this.flip && rng.int(2) === 1;
      const at = n * size;
      if (dx !== 0 || dy !== 0 || degrees !== 0) {
        for (let i = 0; i < size; i++) this.scratch[i] = data[at + i];
        shiftAndRotate(this.scratch, data, at, channels, height, width, dx, dy, degrees);
      }
      if (mirror) mirrorRows(data, at, channels * height, width);
    }
  }

  // [C, H, W] of x's samples, worked out again only when the sample shape changes (no allocation per batch).
  private imageShape(x: Tensor): readonly [number, number, number] {
    const sample = this.sampleShape;
    let same = x.shape.length === sample.length + 1;
    for (let i = 0; same && i < sample.length; i++) same = sample[i] === x.shape[i + 1];
    if (!same) {
      this.image = imageShapeOf(x.shape.slice(1));
      this.sampleShape = x.shape.slice(1);
    }
    return this.image;
  }

  /** `ImageAugmentation(shift 2 px, rotate ±10°)`, `…, mirrored half the time)` with flip. */
  toString(): string {
    return `ImageAugmentation(${describeAugmentation(this)})`;
  }
}

/** `shift 2 px, rotate ±10°`, with `, mirrored half the time` when flip is on: the report's wording. */
export function describeAugmentation(options: AugmentOptions): string {
  const { shift = 0, rotate = 0, flip = false } = options;
  return `shift ${shift} px, rotate ±${rotate}°${flip ? ', mirrored half the time' : ''}`;
}

/** Mirrors `rows` rows of `width` values, starting at data[at], left-right in place: row[x] ↔ row[width − 1 − x]. */
export function mirrorRows(data: Float32Array, at: number, rows: number, width: number): void {
  for (let r = at; r < at + rows * width; r += width)
    for (let left = r, right = r + width - 1; left < right; left++, right--) {
      const value = data[left];
      data[left] = data[right];
      data[right] = value;
    }
}

/**
 * One image moved by (dx, dy) pixels (right, down) and turned by `degrees` counter-clockwise about its
 * centre c = ((W − 1)/2, (H − 1)/2), the same for every channel. src is [C, H, W]; the result is written to
 * out[at .. at + C·H·W) (a sample inside a batch), which must not overlap src.
 *
 * Each output pixel p = (x, y) reads the source where the inverse map sends it, p' = R(−θ)·(p − t − c) + c,
 * with y pointing down, so on screen the image turns counter-clockwise:
 *
 *   u = c_x + (x − dx − c_x)·cos θ − (y − dy − c_y)·sin θ
 *   v = c_y + (x − dx − c_x)·sin θ + (y − dy − c_y)·cos θ
 *   out[y, x] = Σ over the four pixels around (u, v) of weight · src, weights (1 − f_u or f_u)(1 − f_v or f_v),
 *               a pixel outside the image counting as 0
 *
 * Bilinear rather than nearest: nearest sampling of a small rotation repeats or drops whole pixels of a
 * one- or two-pixel-wide stroke, which bilinear spreads smoothly (Keras's choice; torchvision's default is
 * nearest). With θ = 0 every (u, v) is a whole pixel, so a shift alone is a copy (done as one, exactly).
 */
export function shiftAndRotate(
  src: Float32Array,
  out: Float32Array,
  at: number,
  channels: number,
  height: number,
  width: number,
  dx: number,
  dy: number,
  degrees: number,
): void {
  const plane = height * width;
  if (src.length !== channels * plane || !(at >= 0 && at + channels * plane <= out.length))
    throw new ScratchnetError(
      `shiftAndRotate: [${channels}, ${height}, ${width}] needs ${channels * plane} values, got ${src.length}, and out[${at}..${at + channels * plane}) of ${out.length}`,
    );
  if (degrees === 0) {
    // Whole-pixel moves: out[y, x] = src[y − dy, x − dx], 0 where that is outside the image.
    for (let o = 0; o < channels * plane; o += plane)
      for (let y = 0; y < height; y++) {
        const sy = y - dy;
        for (let x = 0; x < width; x++) {
          const sx = x - dx;
          out[at + o + y * width + x] = sy >= 0 && sy < height && sx >= 0 && sx < width ? src[o + sy * width + sx] : 0;
        }
      }
    return;
  }
  const theta = (degrees * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  for (let y = 0; y < height; y++) {
    const ry = y - dy - cy;
    // (u, v) at x = 0; each step along the row adds (cos θ, sin θ).
    let u = cx + (-dx - cx) * cos - ry * sin;
    let v = cy + (-dx - cx) * sin + ry * cos;
    for (let x = 0; x < width; x++, u += cos, v += sin) {
      const u0 = Math.floor(u);
      const v0 = Math.floor(v);
      const fu = u - u0;
      const fv = v - v0;
      const from = v0 * width + u0;
      const to = at + y * width + x;
      if (u0 >= 0 && v0 >= 0 && u0 < width - 1 && v0 < height - 1) {
        // All four neighbours inside the image (most pixels).
        for (let o = 0; o < channels * plane; o += plane) {
          const top = (1 - fu) * src[o + from] + fu * src[o + from + 1];
          const bottom = (1 - fu) * src[o + from + width] + fu * src[o + from + width + 1];
          out[to + o] = (1 - fv) * top + fv * bottom;
        }
        continue;
      }
      // At the border: each neighbour's weight, 0 where it lies outside the image.
      const inLeft = u0 >= 0 && u0 < width;
      const inRight = u0 + 1 >= 0 && u0 + 1 < width && fu > 0;
      const inTop = v0 >= 0 && v0 < height;
      const inBottom = v0 + 1 >= 0 && v0 + 1 < height && fv > 0;
      for (let o = 0; o < channels * plane; o += plane) {
        let sum = 0;
        if (inTop) {
          if (inLeft) sum += (1 - fu) * (1 - fv) * src[o + from];
          if (inRight) sum += fu * (1 - fv) * src[o + from + 1];
        }
        if (inBottom) {
          if (inLeft) sum += (1 - fu) * fv * src[o + from + width];
          if (inRight) sum += fu * fv * src[o + from + width + 1];
        }
        out[to + o] = sum;
      }
    }
  }
}
