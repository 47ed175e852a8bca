"""
The same network in PyTorch, written as a PyTorch user would: nn.Sequential of Linear and ReLU,
CrossEntropyLoss, optim.SGD(lr=0.1), a shuffled mini-batch loop over float32 tensors.

Usage: torch_mlp.py '<json spec>'  — spec['threads'] sets torch.set_num_threads; prints one JSON object.
"""
import json
import sys
import time

import torch
from torch import nn

import idx


def build(hidden):
    sizes = [784, *hidden, 10]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def train_epoch(model, optimizer, loss_fn, X, y, batch_size, limit=None):
    order = torch.randperm(len(X))
    batches = 0
    for start in range(0, len(X), batch_size):
        if limit is not None and batches >= limit:
            break
        rows = order[start:start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(X[rows]), y[rows])
        loss.backward()
        optimizer.step()
        batches += 1


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec['threads'])
    torch.manual_seed(42)
    X_train, y_train, X_test, y_test = idx.load(spec['data'], spec['trainSamples'])
    X_train = torch.tensor(X_train, dtype=torch.float32)
    y_train = torch.tensor(y_train)
    X_test = torch.tensor(X_test, dtype=torch.float32)
    y_test = torch.tensor(y_test)
    result = {'train': [], 'infer': None, 'latencyMicroseconds': None}
    for case in spec['train']:
        model = build(case['hidden'])
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loss_fn = nn.CrossEntropyLoss()
        train_epoch(model, optimizer, loss_fn, X_train, y_train, case['batch'], limit=300)  # warm-up
        rates = []
        for _ in range(spec['reps']):
            start = time.perf_counter()
            train_epoch(model, optimizer, loss_fn, X_train, y_train, case['batch'])
            rates.append(len(X_train) / (time.perf_counter() - start))
        with torch.inference_mode():
            accuracy = float((model(X_test).argmax(1) == y_test).float().mean())
        result['train'].append({'samplesPerSecond': rates, 'testAccuracy': accuracy})
    if spec.get('infer'):
        case = spec['infer']
        model = build(case['hidden']).eval()
        batch = case['batch']
        rates, latencies = [], []
        with torch.inference_mode():
            for i in range(0, len(X_test), batch):  # warm-up pass
                model(X_test[i:i + batch]).argmax(1)
            for _ in range(spec.get('inferReps', spec['reps'])):  # batch passes back to back, then single images
                start = time.perf_counter()
                for i in range(0, len(X_test), batch):
                    model(X_test[i:i + batch]).argmax(1)
                rates.append(len(X_test) / (time.perf_counter() - start))
            one = X_test[:1]
            for _ in range(spec.get('inferReps', spec['reps'])):
                start = time.perf_counter()
                for _ in range(2000):
                    model(one).argmax(1)
                latencies.append((time.perf_counter() - start) / 2000 * 1e6)
        result['infer'] = {'samplesPerSecond': rates}
        result['latencyMicroseconds'] = latencies
    print(json.dumps(result))


if __name__ == '__main__':
    main()
