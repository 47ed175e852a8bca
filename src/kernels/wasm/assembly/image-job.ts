// AssemblyScript, compiled to WebAssembly by `npm run build:wasm`; not part of tsc.
//
// The image job (../row-job.ts): one image kernel over a share of a batch, so that the threads split the
// passes around a convolution (receptive fields, transposes, pooling, ReLU) as they split its products.
// Its rows are images — the ReLU kernels': values — and each share's values lie apart from the others'.

import {
  IMAGE_KERNEL, IMAGE_CHANNELS, IMAGE_HEIGHT, IMAGE_WIDTH, IMAGE_SIZE, IMAGE_STRIDE, IMAGE_PADDING,
  IMAGE_OUT_HEIGHT, IMAGE_OUT_WIDTH, IMAGE_INPUT, IMAGE_OUTPUT, IMAGE_THIRD, IMAGE_BAD, IMAGE_SLOPE,
  IMAGE_IM2COL, IMAGE_COL2IM, IMAGE_TRANSPOSE, IMAGE_MAX_POOL, IMAGE_MAX_POOL_BACKWARD, IMAGE_RELU, IMAGE_RELU_BACKWARD,
} from '../row-job';
import { im2col, col2imTapMajor, transposeSamples, maxPoolImages, maxPoolBackwardImages } from './images';
import { leakyRelu, leakyReluBackward } from './elementwise';

// Rows [first, end) of the image job at `job` (`scratch` is unused: the row kernels' form).
export function imageRows(job: usize, first: i32, end: i32, scratch: usize): void {
  const kernel = field(job, IMAGE_KERNEL);
  const channels = field(job, IMAGE_CHANNELS), height = field(job, IMAGE_HEIGHT), width = field(job, IMAGE_WIDTH);
  const size = field(job, IMAGE_SIZE), stride = field(job, IMAGE_STRIDE), padding = field(job, IMAGE_PADDING);
  const outHeight = field(job, IMAGE_OUT_HEIGHT), outWidth = field(job, IMAGE_OUT_WIDTH);
  const input = <usize>load<u32>(job + 4 * IMAGE_INPUT);
  const output = <usize>load<u32>(job + 4 * IMAGE_OUTPUT);
  const third = <usize>load<u32>(job + 4 * IMAGE_THIRD);
  const rows = end - first;
  const from = <usize>first;
  const pixels = <usize>(channels * height * width); // values of one input image
  const fields = <usize>(outHeight * outWidth * channels * size * size); // receptive-field values of one image
  const pooled = <usize>(channels * outHeight * outWidth); // values of one pooled image
  if (kernel == IMAGE_IM2COL) {
    im2col(rows, channels, height, width, size, stride, padding, outHeight, outWidth, input + ((from * pixels) << 2), output + ((from * fields) << 2));
  } else if (kernel == IMAGE_COL2IM) {
    col2imTapMajor(rows, channels, height, width, size, stride, padding, outHeight, outWidth, input + ((from * fields) << 2), output + ((from * pixels) << 2));
  } else if (kernel == IMAGE_TRANSPOSE) {
    const matrix = <usize>(height * width);
    transposeSamples(rows, height, width, input + ((from * matrix) << 2), output + ((from * matrix) << 2));
  } else if (kernel == IMAGE_MAX_POOL) {
    const at = (from * pooled) << 2;
    maxPoolImages(rows, channels, height, width, size, stride, outHeight, outWidth, input + ((from * pixels) << 2), output + at, third + at, <i32>(from * pixels));
  } else if (kernel == IMAGE_MAX_POOL_BACKWARD) {
    const bad = maxPoolBackwardImages(first, end, <i32>pooled, <i32>pixels, input, third, output);
    if (bad >= 0) store<i32>(job + 4 * IMAGE_BAD, bad);
  } else if (kernel == IMAGE_RELU) {
    leakyRelu(rows, load<f32>(job + 4 * IMAGE_SLOPE), input + (from << 2), output + (from << 2));
  } else if (kernel == IMAGE_RELU_BACKWARD) {
    leakyReluBackward(rows, load<f32>(job + 4 * IMAGE_SLOPE), input + (from << 2), third + (from << 2), output + (from << 2));
  }
}

// @ts-ignore: decorator
@inline function field(job: usize, slot: i32): i32 {
  return load<i32>(job + 4 * <usize>slot);
}
