// The tutorial's ReLU layer test: forward on [-2, -1, 0, 1, 2], backward with a gradient of ones.
// Run: npm run build && node dist/examples/02-relu-layer.js
import { ReLU, Tensor } from '../src/index.js';
import { formatTensor } from './print.js';

const relu = new ReLU();
const input = Tensor.from([[-2.0, -1.0, 0.0, 1.0, 2.0]]);

const output = relu.forward(input, 'train');
console.log('Input:', formatTensor(input, 1));
console.log('ReLU output:', formatTensor(output, 1));

// dL/dinput = dL/doutput · [input > 0]
const gradOutput = Tensor.from([[1, 1, 1, 1, 1]]);
const gradInput = relu.backward(gradOutput, true)!;
console.log('Gradient output (dL/doutput):', formatTensor(gradOutput, 1));
console.log('Gradient input (dL/dinput):', formatTensor(gradInput, 1));
console.log('\nThe plots of this step: `scratchnet plot activations` draws ReLU and its derivative.');
