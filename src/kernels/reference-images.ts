import type { ImageWindow, Kernels } from './kernels.js';

/**
 * The reference image kernels (convolution and pooling over NCHW batches) as plain loops, written to be
 * read: part of the `reference` backend, and what the WebAssembly versions are tested against.
 */
export const referenceImageKernels: Pick<
  Kernels,
  'im2col' | 'col2imTapMajor' | 'sumChannels' | 'transposeSamples' | 'maxPool2d' | 'maxPool2dBackward'
> = {
  // cols[(n·H′ + i)·W′ + j, (c·k + u)·k + v] = x[n, c, i·s + u − p, j·s + v − p], 0 outside the image
  im2col(images, w, x, cols) {
    forEachTap(images, w, (row, column, pixel) => {
      cols[row * patchSize(w) + column] = pixel < 0 ? 0 : x[pixel];
    });
  },

  // dx[n, c, i·s + u − p, j·s + v − p] += dcolsT[n, (c·k + u)·k + v, i·W′ + j], tap by tap
  col2imTapMajor(images, w, dcolsT, dx) {
    const { channels, height, width, kernel, stride, padding, outHeight, outWidth } = w;
    dx.fill(0, 0, images * channels * height * width);
    let from = 0;
    for (let n = 0; n < images; n++) {
      for (let c = 0; c < channels; c++) {
        const plane = (n * channels + c) * height * width;
        for (let u = 0; u < kernel; u++) {
          for (let v = 0; v < kernel; v++) {
            for (let i = 0; i < outHeight; i++) {
              for (let j = 0; j < outWidth; j++, from++) {
                const y = i * stride + u - padding;
                const x = j * stride + v - padding;
                if (y >= 0 && y < height && x >= 0 && x < width) dx[plane + y * width + x] += dcolsT[from];
              }
            }
          }
        }
      }
    }
  },

  // out[c] = Σ_n Σ_p x[n, c, p], in float64 (a JavaScript number), rounded once
  sumChannels(images, channels, positions, x, out) {
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let n = 0; n < images; n++) {
        for (let p = 0, at = (n * channels + c) * positions; p < positions; p++) sum += x[at + p];
      }
      out[c] = sum;
    }
  },

  // y[s, c, r] = x[s, r, c]
  transposeSamples(count, rows, cols, x, y) {
    for (let s = 0, at = 0; s < count; s++, at += rows * cols) {
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) y[at + c * rows + r] = x[at + r * cols + c];
      }
    }
  },

  // y = the window's largest value, NaN the largest of all (the first one wins a tie)
  maxPool2d(images, w, x, y, winners) {
    const { channels, height, width, kernel, stride, outHeight, outWidth } = w;
    let out = 0;
    for (let plane = 0; plane < images * channels; plane++) {
      const first = plane * height * width;
      for (let i = 0; i < outHeight; i++) {
        for (let j = 0; j < outWidth; j++, out++) {
          let best = first + i * stride * width + j * stride;
          for (let u = 0; u < kernel; u++) {
            const line = first + (i * stride + u) * width + j * stride;
            for (let v = 0; v < kernel; v++) {
              const value = x[line + v];
              if (value > x[best] || (value !== value && x[best] === x[best])) best = line + v;
            }
          }
          y[out] = x[best];
          winners[out] = best;
        }
      }
    }
  },

  // dx[winners[o]] += dy[o]: each output's gradient goes to the input that won its window
  maxPool2dBackward(_images, outputs, inputs, dy, winners, dx) {
    dx.fill(0, 0, inputs);
    for (let o = 0; o < outputs; o++) dx[winners[o]] += dy[o];
  },
};

/** C·k·k: values in one receptive field, the width of im2col's rows. */
function patchSize(w: ImageWindow): number {
  return w.channels * w.kernel * w.kernel;
}

/**
 * Calls visit(row, column, pixel) for every tap of every window: row (n·H′ + i)·W′ + j and column
 * (c·k + u)·k + v of cols, and the index of the pixel it reads in x [images, C, H, W], or −1 in the padding.
 */
function forEachTap(images: number, w: ImageWindow, visit: (row: number, column: number, pixel: number) => void): void {
  const { channels, height, width, kernel, stride, padding, outHeight, outWidth } = w;
  let row = 0;
  for (let n = 0; n < images; n++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++, row++) {
        let column = 0;
        for (let c = 0; c < channels; c++) {
          const plane = (n * channels + c) * height * width;
          for (let u = 0; u < kernel; u++) {
            const y = i * stride + u - padding;
            for (let v = 0; v < kernel; v++, column++) {
              const x = j * stride + v - padding;
              visit(row, column, y >= 0 && y < height && x >= 0 && x < width ? plane + y * width + x : -1);
            }
          }
        }
      }
    }
  }
}
