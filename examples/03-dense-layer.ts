// The tutorial's Dense layer test with its numbers: forward, backward, and one SGD step (lr 0.1).
// Run: npm run build && node dist/examples/03-dense-layer.js
import { Dense, SGD, Tensor } from '../src/index.js';
import { formatTensor, shapeOf } from './print.js';

const dense = new Dense(2, 3);
dense.weight.value.data.set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
dense.bias.value.data.set([0.1, 0.2, 0.3]);
const input = Tensor.from([
  [1.0, 2.0],
  [3.0, 4.0],
]);

const output = dense.forward(input, 'train');
console.log('Input shape:', shapeOf(input));
console.log('Input:\n', formatTensor(input, 1));
console.log('\nWeights shape:', shapeOf(dense.weight.value));
console.log('Weights:\n', formatTensor(dense.weight.value, 1));
console.log('\nBiases:', formatTensor(dense.bias.value, 1));
console.log('\nOutput shape:', shapeOf(output));
console.log('Output:\n', formatTensor(output, 1));

const expected = [
  1.0 * 0.1 + 2.0 * 0.4 + 0.1,
  1.0 * 0.2 + 2.0 * 0.5 + 0.2,
  1.0 * 0.3 + 2.0 * 0.6 + 0.3,
  3.0 * 0.1 + 4.0 * 0.4 + 0.1,
  3.0 * 0.2 + 4.0 * 0.5 + 0.2,
  3.0 * 0.3 + 4.0 * 0.6 + 0.3,
];
console.log(
  '\nCorrect forward pass:',
  expected.every((v, i) => Math.abs(v - output.data[i]) < 1e-6),
);

const gradOutput = Tensor.from([
  [0.1, 0.2, 0.3],
  [0.4, 0.5, 0.6],
]);
const weightsBefore = dense.weight.value.clone();
const biasesBefore = dense.bias.value.clone();
const gradInput = dense.backward(gradOutput, true)!;
console.log('\nGradient output (dL/doutput):\n', formatTensor(gradOutput, 1));
console.log('Gradient input (dL/dinput):\n', formatTensor(gradInput));

// The layer only computes gradients; an optimizer applies them (so Adam & co. can replace SGD).
new SGD(0.1).step(dense.params());
console.log('\nWeights before update:\n', formatTensor(weightsBefore, 2));
console.log('Weights after update:\n', formatTensor(dense.weight.value));
console.log('\nBiases before update:', formatTensor(biasesBefore, 2));
console.log('Biases after update:', formatTensor(dense.bias.value));

console.log(`
Why these numbers differ from the tutorial's: its Dense.backward divides dW by the batch size (here 2)
although dL/doutput already carries the 1/batch of the mean loss. Here dW = Xᵀ·dY exactly, so the step
is twice the tutorial's for this batch of 2 — and 32 times for its training batches of 32.`);
