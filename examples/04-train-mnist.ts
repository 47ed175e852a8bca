// The tutorial's "Training a Simple Neural Network on MNIST", as a library user writes it:
// 784-64-32-10 with ReLU, 5 epochs, batch 32, SGD lr 0.1, 10% validation split with seed 42.
// Default data: the built-in 10,000 digits. With two CSV paths (the tutorial's mnist_train.csv and
// mnist_test.csv, plain or gzipped) it trains on those instead.
// Run: npm run build && node dist/examples/04-train-mnist.js [mnist_train.csv mnist_test.csv]
import {
  Dense,
  ReLU,
  Rng,
  Sequential,
  evaluate,
  fit,
  loadBuiltinMnist,
  loadDataset,
  trainValidationSplit,
  useBackend,
} from '../src/index.js';

// The fast WebAssembly kernels where this engine runs them, else the readable TypeScript ones. Choose before building a network.
const backend = await useBackend('auto');
console.log(`Kernels: ${backend.name}`);

const rng = new Rng(42);
const [trainPath, testPath] = process.argv.slice(2);
const { train: full, test } =
  trainPath && testPath ? { train: await loadDataset(trainPath), test: await loadDataset(testPath) } : loadBuiltinMnist();
const { train, validation } = trainValidationSplit(full, { fraction: 0.1, seed: 42 });
console.log(
  `Training data: ${train.count} × ${train.sampleShape.join('×')}, validation: ${validation.count}, test: ${test.count}`,
);

const network = new Sequential(
  [
    new Dense(784, 64, rng), // input → hidden layer 1
    new ReLU(),
    new Dense(64, 32, rng), // hidden layer 1 → hidden layer 2
    new ReLU(),
    new Dense(32, 10, rng), // hidden layer 2 → output logits
  ],
  [784],
);
console.log('Network architecture:');
network.layers.forEach((layer, i) => console.log(`Layer ${i}: ${String(layer)}`));

const batches = Math.ceil(train.count / 32);
fit(network, train, {
  epochs: 5,
  batchSize: 32,
  rng,
  validation,
  callbacks: {
    // Epochs and batches count from 1: batches 1, 21, 41, … are printed, as in the tutorial.
    onBatchEnd: (e) => {
      if (e.batch === 1) console.log(`Epoch ${e.epoch}/${e.epochs}`);
      if (e.batch % 20 === 1) console.log(`  Batch ${e.batch}/${batches}, Loss: ${e.loss.toFixed(4)}`);
    },
    onEpochEnd: (e) =>
      console.log(`  Epoch complete - Avg Loss: ${e.trainLoss.toFixed(4)}, Validation Accuracy: ${e.valAccuracy!.toFixed(4)}`),
  },
});
console.log(`Test accuracy: ${(evaluate(network, test).accuracy * 100).toFixed(2)}%`);
