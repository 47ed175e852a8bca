// The tutorial's "Understanding Matrix Operations": a batch of 3 examples through a 4 → 5 → 2 network,
// printing every matrix and its shape. Run: npm run build && node dist/examples/01-matrix-operations.js
import { Rng, Tensor, kernels } from '../src/index.js';
import { formatTensor, shapeOf } from './print.js';

const rng = new Rng(42);
const k = kernels();
const random = (shape: number[], draw: () => number) => {
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = draw();
  return t;
};

// A batch of 3 examples with 4 features each, and a small network 4 → 5 → 2
const X = random([3, 4], () => rng.uniform());
const W1 = random([4, 5], () => rng.normal() * 0.1);
const b1 = Tensor.zeros([5]);
const W2 = random([5, 2], () => rng.normal() * 0.1);
const b2 = Tensor.zeros([2]);

console.log('Input X (batch_size=3, features=4):');
console.log(formatTensor(X));
console.log('\nWeight matrix W1 (features=4, hidden_units=5):');
console.log(formatTensor(W1));

// Z1 = X·W1 + b1 (the product's epilogue adds the bias to every row)
const Z1 = Tensor.zeros([3, 5]);
k.gemm(false, false, 3, 5, 4, X.data, W1.data, Z1.data, false, { bias: b1.data });
console.log('\nZ1 = X·W1 + b1 (batch_size=3, hidden_units=5):');
console.log(formatTensor(Z1));

// A1 = ReLU(Z1)
const A1 = Tensor.zeros([3, 5]);
k.relu(A1.size, Z1.data, A1.data);
console.log('\nA1 = ReLU(Z1) (batch_size=3, hidden_units=5):');
console.log(formatTensor(A1));

// Z2 = A1·W2 + b2
const Z2 = Tensor.zeros([3, 2]);
k.gemm(false, false, 3, 2, 5, A1.data, W2.data, Z2.data, false, { bias: b2.data });
console.log('\nZ2 = A1·W2 + b2 (batch_size=3, output_units=2):');
console.log(formatTensor(Z2));

// A2 = softmax(Z2), each row a probability distribution
const A2 = Tensor.zeros([3, 2]);
k.softmax(3, 2, Z2.data, A2.data);
console.log('\nA2 = softmax(Z2) (batch_size=3, output_units=2):');
console.log(formatTensor(A2));
console.log('\nSum of probabilities for each example (should be 1):');
console.log([0, 1, 2].map((r) => (A2.data[r * 2] + A2.data[r * 2 + 1]).toFixed(4)).join(' '));

console.log('\nMatrix shapes visualization:');
for (const [name, t] of Object.entries({ X, W1, b1, Z1, A1, W2, b2, Z2, A2 })) console.log(`${name}: ${shapeOf(t)}`);
