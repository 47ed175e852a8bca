"""
The tutorial's own network code (nn-from-scratch-session-1.md: Layer, ReLU, Dense,
softmax_crossentropy_with_logits, forward, predict, train and the mini-batch loop of
train_mnist_network), timed on the benchmark's data.

One edit: Dense casts its weights and biases to DTYPE, so the same code runs in float64 (the tutorial:
the cast is a no-op) and in float32 (inputs are cast too). Everything else is the tutorial's, including
its extra division by the batch size in Dense.backward (it changes the numbers, not the work).

Usage: tutorial_numpy.py '<json spec>'  — prints one JSON object (see bench/competitors.ts).
"""
import json
import sys
import time

import numpy as np

import idx

DTYPE = np.float64


class Layer:
    def __init__(self):
        pass

    def forward(self, input):
        return input

    def backward(self, input, grad_output):
        return grad_output


class ReLU(Layer):
    def forward(self, input):
        return np.maximum(0, input)

    def backward(self, input, grad_output):
        relu_grad = input > 0
        return grad_output * relu_grad


class Dense(Layer):
    def __init__(self, input_units, output_units, learning_rate=0.1):
        self.learning_rate = learning_rate
        self.weights = (np.random.randn(input_units, output_units) * np.sqrt(2.0 / input_units)).astype(DTYPE)
        self.biases = np.zeros(output_units, dtype=DTYPE)

    def forward(self, input):
        self.input = input
        return np.dot(input, self.weights) + self.biases

    def backward(self, input, grad_output):
        grad_weights = np.dot(input.T, grad_output) / input.shape[0]
        grad_biases = np.mean(grad_output, axis=0)
        grad_input = np.dot(grad_output, self.weights.T)
        self.weights = self.weights - self.learning_rate * grad_weights
        self.biases = self.biases - self.learning_rate * grad_biases
        return grad_input


def softmax_crossentropy_with_logits(logits, labels):
    batch_size = logits.shape[0]
    one_hot_labels = np.zeros_like(logits)
    one_hot_labels[np.arange(batch_size), labels] = 1
    exp_logits = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    softmax_probs = exp_logits / np.sum(exp_logits, axis=1, keepdims=True)
    loss = -np.sum(one_hot_labels * np.log(softmax_probs + 1e-9)) / batch_size
    grad = (softmax_probs - one_hot_labels) / batch_size
    return loss, grad


def forward(network, X):
    activations = []
    input = X
    for layer in network:
        activations.append(layer.forward(input))
        input = activations[-1]
    return activations


def predict(network, X):
    logits = forward(network, X)[-1]
    return np.argmax(logits, axis=-1)


def train(network, X, y):
    layer_activations = forward(network, X)
    layer_inputs = [X] + layer_activations[:-1]
    logits = layer_activations[-1]
    loss, grad_logits = softmax_crossentropy_with_logits(logits, y)
    grad_output = grad_logits
    for i in range(len(network))[::-1]:
        layer = network[i]
        layer_input = layer_inputs[i]
        grad_output = layer.backward(layer_input, grad_output)
    return loss


def build(sizes):
    network = []
    for i in range(len(sizes) - 1):
        network.append(Dense(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            network.append(ReLU())
    return network


def train_epoch(network, X_train_subset, y_train_subset, batch_size, limit=None):
    """The mini-batch loop of the tutorial's train_mnist_network, one epoch."""
    indices = np.random.permutation(len(X_train_subset))
    X_shuffled = X_train_subset[indices]
    y_shuffled = y_train_subset[indices]
    num_batches = (len(X_train_subset) + batch_size - 1) // batch_size
    epoch_losses = []
    for batch in range(num_batches if limit is None else min(limit, num_batches)):
        start_idx = batch * batch_size
        end_idx = min(start_idx + batch_size, len(X_train_subset))
        X_batch = X_shuffled[start_idx:end_idx]
        y_batch = y_shuffled[start_idx:end_idx]
        loss = train(network, X_batch, y_batch)
        epoch_losses.append(loss)
    return epoch_losses


def main():
    global DTYPE
    spec = json.loads(sys.argv[1])
    DTYPE = np.float32 if spec['dtype'] == 'float32' else np.float64
    np.random.seed(42)
    X_train, y_train, X_test, y_test = idx.load(spec['data'], spec['trainSamples'])
    X_train, X_test = X_train.astype(DTYPE), X_test.astype(DTYPE)
    result = {'train': [], 'infer': None}
    for case in spec['train']:
        network = build([784, *case['hidden'], 10])
        train_epoch(network, X_train, y_train, case['batch'], limit=300)  # warm-up
        rates = []
        for _ in range(spec['reps']):
            start = time.perf_counter()
            train_epoch(network, X_train, y_train, case['batch'])
            rates.append(len(X_train) / (time.perf_counter() - start))
        accuracy = float(np.mean(predict(network, X_test) == y_test))
        result['train'].append({'samplesPerSecond': rates, 'testAccuracy': accuracy})
    if spec.get('infer'):
        case = spec['infer']
        network = build([784, *case['hidden'], 10])
        batch = case['batch']
        for i in range(0, len(X_test), batch):  # warm-up pass
            predict(network, X_test[i:i + batch])
        rates = []
        for _ in range(spec.get('inferReps', spec['reps'])):
            start = time.perf_counter()
            for i in range(0, len(X_test), batch):
                predict(network, X_test[i:i + batch])
            rates.append(len(X_test) / (time.perf_counter() - start))
        result['infer'] = {'samplesPerSecond': rates}
    print(json.dumps(result))


if __name__ == '__main__':
    main()
