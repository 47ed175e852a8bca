"""
The recipe rows of the benchmark in PyTorch: 784-256-128-10 (or any hidden widths) with optional
BatchNorm1d after each hidden Linear, Dropout after each hidden activation, and SGD, momentum,
Nesterov or Adam — as scratchnet's CLI builds them (Linear, [BatchNorm1d], ReLU, [Dropout]).

Usage: torch_recipes.py '<json spec>' — spec: data, trainSamples, threads, reps, flushDenormal,
recipes: [{name, hidden, batch, batchNorm, dropout, optimizer, lr}]. Prints one JSON object:
{recipes: [{name, samplesPerSecond: [...], testAccuracy}]}.
"""
import json
import sys
import time

import torch
from torch import nn

import idx


def build(hidden, batch_norm, dropout):
    sizes = [784, *hidden, 10]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            if batch_norm:
                layers.append(nn.BatchNorm1d(sizes[i + 1]))
            layers.append(nn.ReLU())
            if dropout:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def make_optimizer(name, params, lr):
    if name == 'sgd':
        return torch.optim.SGD(params, lr=lr)
    if name == 'momentum':
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == 'nesterov':
        return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)
    if name == 'adam':
        return torch.optim.Adam(params, lr=lr)
    raise ValueError(name)


def train_epoch(model, optimizer, loss_fn, X, y, batch_size, limit=None):
    model.train()
    order = torch.randperm(len(X))
    batches = 0
    for start in range(0, len(X), batch_size):
        if limit is not None and batches >= limit:
            break
        rows = order[start:start + batch_size]
        if len(rows) < 2:
            break
        optimizer.zero_grad()
        loss = loss_fn(model(X[rows]), y[rows])
        loss.backward()
        optimizer.step()
        batches += 1


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec['threads'])
    torch.set_flush_denormal(bool(spec.get('flushDenormal', False)))
    torch.manual_seed(42)
    X_train, y_train, X_test, y_test = idx.load(spec['data'], spec['trainSamples'])
    X_train = torch.tensor(X_train, dtype=torch.float32)
    y_train = torch.tensor(y_train)
    X_test = torch.tensor(X_test, dtype=torch.float32)
    y_test = torch.tensor(y_test)
    result = {'recipes': []}
    for case in spec['recipes']:
        model = build(case['hidden'], case.get('batchNorm', False), case.get('dropout', 0))
        optimizer = make_optimizer(case['optimizer'], model.parameters(), case['lr'])
        loss_fn = nn.CrossEntropyLoss()
        # The first epoch is the warm-up (moment buffers reach their steady state, subnormals included).
        train_epoch(model, optimizer, loss_fn, X_train, y_train, case['batch'])
        rates = []
        for _ in range(spec['reps']):
            start = time.perf_counter()
            train_epoch(model, optimizer, loss_fn, X_train, y_train, case['batch'])
            rates.append(len(X_train) / (time.perf_counter() - start))
        model.eval()
        with torch.inference_mode():
            accuracy = float((model(X_test).argmax(1) == y_test).float().mean())
        result['recipes'].append({'name': case['name'], 'samplesPerSecond': rates, 'testAccuracy': accuracy})
    print(json.dumps(result))


if __name__ == '__main__':
    main()
