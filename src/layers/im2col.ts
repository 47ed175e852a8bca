import type { ImageWindow } from '../kernels/kernels.js';

/**
 * The geometry of a 2-D convolution or pooling window over one [channels, height, width] image, shared by
 * Conv2d and the pooling layers: the kernels' ImageWindow. The copies that turn a convolution into a matrix
 * product (im2col, col2im) are kernels (src/kernels/kernels.ts).
 *
 * Output size along one axis, for input size n, kernel k, stride s and padding p on each side:
 *   out = ⌊(n + 2p − k) / s⌋ + 1
 */
export type Window = ImageWindow;

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
