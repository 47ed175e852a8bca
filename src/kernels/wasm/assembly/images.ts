// AssemblyScript, compiled to WebAssembly by `npm run build:wasm` (see package.json); not part of tsc.
//
// The image kernels of convolution and pooling over NCHW batches (src/kernels/kernels.ts states each as
// its equation; reference-images.ts is the readable version). Every pointer is a byte address into the
// shared memory. A window is passed as its numbers: channels, height, width, kernel, stride, padding
// (zeros before), outHeight, outWidth.

import { transpose } from './gemm';

// cols[(n·H′ + i)·W′ + j, (c·k + u)·k + v] = x[n, c, i·s + u − p, j·s + v − p], 0 outside the image.
// A row of cols is one receptive field: for each (c, u) a run of k pixels that is contiguous in x. The
// loops go over (n, i, c, u) and then along j, so one row of x is read while its runs are written a row of
// cols apart. Runs that lie inside the image (columns [jFirst, jEnd)) are copied whole, with loads and
// stores of exactly k floats for k ≤ 4 (the convnets' 3×3); those at the padded edges value by value.
export function im2col(images: i32, channels: i32, height: i32, width: i32, kernel: i32, stride: i32, padding: i32,
  outHeight: i32, outWidth: i32, x: usize, cols: usize): void {
  const plane = <usize>(height * width) << 2;
  const rowBytes = <usize>(channels * kernel * kernel) << 2; // one receptive field
  const runBytes = <usize>kernel << 2;
  const step = <usize>stride << 2;
  // j with left = j·s − p ≥ 0 and left + k ≤ width
  const jFirst = min(outWidth, (padding + stride - 1) / stride);
  const jEnd = max(jFirst, min(outWidth, width - kernel + padding >= 0 ? (width - kernel + padding) / stride + 1 : 0));
  for (let n = 0; n < images; n++) {
    for (let i = 0; i < outHeight; i++) {
      const fields = cols + <usize>((n * outHeight + i) * outWidth) * rowBytes;
      for (let c = 0; c < channels; c++) {
        for (let u = 0; u < kernel; u++) {
          const to = fields + (<usize>(c * kernel + u) * runBytes);
          const y = i * stride + u - padding;
          if (y < 0 || y >= height) {
            for (let j = 0; j < outWidth; j++) memory.fill(to + <usize>j * rowBytes, 0, runBytes);
            continue;
          }
          const line = x + <usize>(n * channels + c) * plane + (<usize>(y * width) << 2); // x[n, c, y, 0]
          for (let j = 0; j < jFirst; j++) edgeRun(line, to + <usize>j * rowBytes, j * stride - padding, kernel, width);
          let from = line + (<usize>(jFirst * stride - padding) << 2);
          let at = to + <usize>jFirst * rowBytes;
          if (kernel == 3) {
            for (let j = jFirst; j < jEnd; j++, from += step, at += rowBytes) {
              const v = v128.load32_lane(from + 8, v128.load64_zero(from), 2);
              v128.store64_lane(at, v, 0);
              v128.store32_lane(at + 8, v, 2);
            }
          } else if (kernel == 4) {
            for (let j = jFirst; j < jEnd; j++, from += step, at += rowBytes) v128.store(at, v128.load(from));
          } else {
            for (let j = jFirst; j < jEnd; j++, from += step, at += rowBytes) memory.copy(at, from, runBytes);
          }
          for (let j = jEnd; j < outWidth; j++) edgeRun(line, to + <usize>j * rowBytes, j * stride - padding, kernel, width);
        }
      }
    }
  }
}

// One run of k values from the row at `line`, from column `left`, 0 where a column is outside [0, width).
function edgeRun(line: usize, to: usize, left: i32, kernel: i32, width: i32): void {
  for (let v = 0; v < kernel; v++) {
    const xx = left + v;
    store<f32>(to + (<usize>v << 2), xx >= 0 && xx < width ? load<f32>(line + (<usize>xx << 2)) : 0);
  }
}

// The adjoint of im2col from tap-major fields: dx = 0, then dx[n, c, i·s + u − p, j·s + v − p] +=
// dcolsT[n, (c·k + u)·k + v, i·W′ + j], tap by tap: each tap's row i is one run of W′ values added into
// a row of dx (at stride 1 four at a time), in the reference's order, so the bits agree. (Scattering
// window-major fields k floats at a time instead read back vectors it had just stored a float away:
// 5–7 ms for the issue-15 convnet's second layer at batch 64.)
export function col2imTapMajor(images: i32, channels: i32, height: i32, width: i32, kernel: i32, stride: i32, padding: i32,
  outHeight: i32, outWidth: i32, dcolsT: usize, dx: usize): void {
  const plane = <usize>(height * width) << 2;
  memory.fill(dx, 0, <usize>(images * channels) * plane);
  const tapBytes = <usize>(outHeight * outWidth) << 2; // one tap's row of dcolsT
  const runBytes = <usize>outWidth << 2;
  let from = dcolsT;
  for (let n = 0; n < images; n++) {
    for (let c = 0; c < channels; c++) {
      const image = dx + <usize>(n * channels + c) * plane;
      for (let u = 0; u < kernel; u++) {
        for (let v = 0; v < kernel; v++, from += tapBytes) {
          // windows j whose column x = j·s + v − p is inside [0, W)
          const jFirst = min(outWidth, max(0, ceilDivide(padding - v, stride)));
          const jEnd = max(jFirst, min(outWidth, width - 1 - v + padding >= 0 ? (width - 1 - v + padding) / stride + 1 : 0));
          for (let i = 0; i < outHeight; i++) {
            const y = i * stride + u - padding;
            if (y < 0 || y >= height) continue;
            const run = from + <usize>i * runBytes;
            const row = image + (<usize>(y * width + v - padding) << 2); // x = j·s + (v − p): pixel of window j
            let j = jFirst;
            if (stride == 1) {
              for (; j + 4 <= jEnd; j += 4) {
                const at = row + (<usize>j << 2);
                v128.store(at, f32x4.add(v128.load(at), v128.load(run + (<usize>j << 2))));
              }
            }
            for (; j < jEnd; j++) {
              const at = row + (<usize>(j * stride) << 2);
              store<f32>(at, load<f32>(at) + load<f32>(run + (<usize>j << 2)));
            }
          }
        }
      }
    }
  }
}

// ⌈a / b⌉ for b > 0 and a of either sign (integer division truncates towards zero).
// @ts-ignore: decorator
@inline function ceilDivide(a: i32, b: i32): i32 {
  return a <= 0 ? -(-a / b) : (a + b - 1) / b;
}

// y = the largest value of each window (NaN the largest, the first one winning a tie), winners = its
// index into x (i32). Comparisons select rather than branch: on a ReLU's output which tap wins is a coin
// toss, and a mispredicted branch per tap cost more than the pooling itself. The 2×2, stride-2 window of
// every small convnet takes four windows at once: two vectors of each input row, split into even and odd
// columns, are the four taps of four windows.
export function maxPool2d(images: i32, channels: i32, height: i32, width: i32, kernel: i32, stride: i32,
  outHeight: i32, outWidth: i32, x: usize, y: usize, winners: usize): void {
  maxPoolImages(images, channels, height, width, kernel, stride, outHeight, outWidth, x, y, winners, 0);
}

// maxPool2d of images that start `base` values into the batch (an image job's share): winners index the batch.
export function maxPoolImages(images: i32, channels: i32, height: i32, width: i32, kernel: i32, stride: i32,
  outHeight: i32, outWidth: i32, x: usize, y: usize, winners: usize, base: i32): void {
  const bases = i32x4.splat(base);
  let out: usize = 0;
  const pairs = kernel == 2 && stride == 2;
  for (let p = 0, planes = images * channels; p < planes; p++) {
    const first = p * height * width;
    for (let i = 0; i < outHeight; i++) {
      let j = 0;
      if (pairs) {
        const line = first + 2 * i * width;
        for (; j + 4 <= outWidth; j += 4, out += 4) {
          const at = x + (<usize>(line + 2 * j) << 2);
          const a0 = v128.load(at), a1 = v128.load(at, 16);
          const b0 = v128.load(at + (<usize>width << 2)), b1 = v128.load(at + (<usize>width << 2), 16);
          const start = i32x4.add(i32x4.splat(line + 2 * j), i32x4(0, 2, 4, 6));
          let top = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
          let best = start;
          let tap = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
          let better = v128.or(f32x4.gt(tap, top), v128.and(f32x4.ne(tap, tap), f32x4.eq(top, top)));
          top = v128.bitselect(tap, top, better);
          best = v128.bitselect(i32x4.add(start, i32x4.splat(1)), best, better);
          tap = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
          better = v128.or(f32x4.gt(tap, top), v128.and(f32x4.ne(tap, tap), f32x4.eq(top, top)));
          top = v128.bitselect(tap, top, better);
          best = v128.bitselect(i32x4.add(start, i32x4.splat(width)), best, better);
          tap = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
          better = v128.or(f32x4.gt(tap, top), v128.and(f32x4.ne(tap, tap), f32x4.eq(top, top)));
          top = v128.bitselect(tap, top, better);
          best = v128.bitselect(i32x4.add(start, i32x4.splat(width + 1)), best, better);
          v128.store(y + (out << 2), top);
          v128.store(winners + (out << 2), i32x4.add(best, bases));
        }
      }
      for (; j < outWidth; j++, out++) {
        let best = first + i * stride * width + j * stride;
        let top = load<f32>(x + (<usize>best << 2));
        for (let u = 0; u < kernel; u++) {
          const line = first + (i * stride + u) * width + j * stride;
          for (let v = 0; v < kernel; v++) {
            const value = load<f32>(x + (<usize>(line + v) << 2));
            const better = value > top || (value != value && top == top);
            top = select<f32>(value, top, better);
            best = select<i32>(line + v, best, better);
          }
        }
        store<f32>(y + (out << 2), top);
        store<i32>(winners + (out << 2), best + base);
      }
    }
  }
}

// dx = 0, then dx[winners[o]] += dy[o], image by image: outputs and inputs are `images` equal parts, and
// each output's winner must lie in its own image. Returns −1, or (writing nothing) the first output whose
// winner does not, so a stray index cannot write into another buffer.
export function maxPool2dBackward(images: i32, outputs: i32, inputs: i32, dy: usize, winners: usize, dx: usize): i32 {
  return maxPoolBackwardImages(0, images, outputs / images, inputs / images, dy, winners, dx);
}

// maxPool2dBackward of images [first, end), with `pooled` outputs and `pixels` inputs each (an image job's share).
export function maxPoolBackwardImages(first: i32, end: i32, pooled: i32, pixels: i32, dy: usize, winners: usize, dx: usize): i32 {
  for (let n = first; n < end; n++) {
    for (let o = n * pooled; o < (n + 1) * pooled; o++) {
      if (<u32>(load<i32>(winners + (<usize>o << 2)) - n * pixels) >= <u32>pixels) return o;
    }
  }
  memory.fill(dx + (<usize>(first * pixels) << 2), 0, <usize>((end - first) * pixels) << 2);
  for (let o = first * pooled; o < end * pooled; o++) {
    const at = dx + (<usize>load<i32>(winners + (<usize>o << 2)) << 2);
    store<f32>(at, load<f32>(at) + load<f32>(dy + (<usize>o << 2)));
  }
  return -1;
}

// y[s, c, r] = x[s, r, c]: each of `count` [rows, cols] matrices transposed, by gemm.ts's 4×4 register tiles.
export function transposeSamples(count: i32, rows: i32, cols: i32, x: usize, y: usize): void {
  const bytes = <usize>(rows * cols) << 2;
  for (let s = 0; s < count; s++) transpose(0, rows, rows, cols, x + <usize>s * bytes, y + <usize>s * bytes);
}

// out[c] = Σ_n Σ_p x[n, c, p], each run of a channel read four at a time and summed in two f64x2 lanes
// (float64, so the order of the sums does not show once rounded to f32).
export function sumChannels(images: i32, channels: i32, positions: i32, x: usize, out: usize): void {
  for (let c = 0; c < channels; c++) {
    let low = f64x2.splat(0), high = low;
    let tail: f64 = 0;
    for (let n = 0; n < images; n++) {
      const run = x + (<usize>((n * channels + c) * positions) << 2);
      let p = 0;
      for (; p + 4 <= positions; p += 4) {
        const v = v128.load(run + (<usize>p << 2));
        low = f64x2.add(low, f64x2.promote_low_f32x4(v));
        high = f64x2.add(high, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
      }
      for (; p < positions; p++) tail += <f64>load<f32>(run + (<usize>p << 2));
    }
    const sum = f64x2.add(low, high);
    store<f32>(out + (<usize>c << 2), <f32>(f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1) + tail));
  }
}
