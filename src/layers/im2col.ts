/**
 * The geometry of a 2-D convolution or pooling window over one [channels, height, width] image, and the
 * two copies that turn a convolution into a matrix product (im2col) and its gradient back into an image
 * (col2im). Shared by Conv2d and the pooling layers.
 *
 * Output size along one axis, for input size n, kernel k, stride s and padding p on each side:
 *   out = ⌊(n + 2p − k) / s⌋ + 1
 */
export interface Window {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly kernel: number;
  readonly stride: number;
  /** Zeros before the first row and column; the total may add one more after (PyTorch's 'same' for even kernels). */
  readonly padding: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

/**
 * The window of a kernel × kernel filter at `stride` over a [channels, height, width] input with `padding`
 * zeros before and `paddingAfter` (default the same) after, along both axes.
 */
export function windowOf(
  channels: number,
  height: number,
  width: number,
  kernel: number,
  stride: number,
  padding: number,
  paddingAfter = padding,
): Window {
  return {
    channels,
    height,
    width,
    kernel,
    stride,
    padding,
    outHeight: Math.floor((height + padding + paddingAfter - kernel) / stride) + 1,
    outWidth: Math.floor((width + padding + paddingAfter - kernel) / stride) + 1,
  };
}

/**
 * cols[(c·k + u)·k + v, i·outWidth + j] = x[c, i·s + u − p, j·s + v − p], 0 outside the image: every
 * receptive field as a column, so that a convolution is W [out, c·k·k] · cols [c·k·k, outH·outW].
 * `x` is one image at offset `xAt`; `cols` is [c·k·k, outH·outW].
 */
export function im2col(w: Window, x: Float32Array, xAt: number, cols: Float32Array): void {
  const { channels, height, width, kernel, stride, padding, outHeight, outWidth } = w;
  let row = 0;
  for (let c = 0; c < channels; c++) {
    const plane = xAt + c * height * width;
    for (let u = 0; u < kernel; u++) {
      for (let v = 0; v < kernel; v++, row++) {
        let at = row * outHeight * outWidth;
        for (let i = 0; i < outHeight; i++) {
          const y = i * stride + u - padding;
          if (y < 0 || y >= height) {
            cols.fill(0, at, at + outWidth);
            at += outWidth;
            continue;
          }
          const line = plane + y * width;
          for (let j = 0; j < outWidth; j++, at++) {
            const xx = j * stride + v - padding;
            cols[at] = xx >= 0 && xx < width ? x[line + xx] : 0;
          }
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: dx[c, i·s + u − p, j·s + v − p] += dcols[(c·k + u)·k + v, i·outWidth + j] for
 * every position inside the image (overlapping windows add up). `dx` is one image at offset `dxAt`,
 * zeroed here first.
 */
export function col2im(w: Window, dcols: Float32Array, dx: Float32Array, dxAt: number): void {
  const { channels, height, width, kernel, stride, padding, outHeight, outWidth } = w;
  dx.fill(0, dxAt, dxAt + channels * height * width);
  let row = 0;
  for (let c = 0; c < channels; c++) {
    const plane = dxAt + c * height * width;
    for (let u = 0; u < kernel; u++) {
      for (let v = 0; v < kernel; v++, row++) {
        let at = row * outHeight * outWidth;
        for (let i = 0; i < outHeight; i++) {
          const y = i * stride + u - padding;
          if (y < 0 || y >= height) {
            at += outWidth;
            continue;
          }
          const line = plane + y * width;
          for (let j = 0; j < outWidth; j++, at++) {
            const xx = j * stride + v - padding;
            if (xx >= 0 && xx < width) dx[line + xx] += dcols[at];
          }
        }
      }
    }
  }
}
