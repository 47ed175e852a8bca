// AssemblyScript entry point: the exports of scratchnet's WebAssembly kernels (see src/kernels/wasm/).
// Built with SIMD and threads over an imported shared memory; the module keeps no state of its own,
// so every thread instantiates it over the same memory.
export { gemmRows, chainRows, transpose } from './gemm';
export {
  sumRows,
  leakyRelu,
  leakyReluBackward,
  sgdStep,
  firstNonFinite,
  softmaxCrossEntropy,
  bytesToFloats,
} from './elementwise';
export { batchNormStatistics, batchNormForward, batchNormBackward } from './normalization';
export { dropout, dropoutBackward } from './dropout';
export { sgdDecayStep, momentumStep, adamStep, rmspropStep, adagradStep, sumOfSquares, scaleInPlace, updateRows } from './optimizers';
export { im2col, col2imTapMajor, sumChannels, transposeSamples, maxPool2d, maxPool2dBackward } from './images';
export { imageRows } from './image-job';

// First free byte after the module's static data: the JavaScript allocator starts here.
export function heapBase(): usize {
  return __heap_base;
}
