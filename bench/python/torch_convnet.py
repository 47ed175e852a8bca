"""
The benchmark's convnet in PyTorch, as a PyTorch user writes it: nn.Sequential of Conv2d, ReLU, MaxPool2d,
Flatten, Dropout and Linear on [N, 1, 28, 28] float32 images, CrossEntropyLoss, optim.Adam(lr=1e-3), a
shuffled mini-batch loop; inference in batches under torch.inference_mode(). The same network goes to
onnxruntime-web through torch.onnx.export (torch 1.13 writes ONNX itself: no `onnx` package needed).

Usage: torch_convnet.py '<json spec>' — spec: mode ('train' | 'infer' | 'export'), data, trainSamples,
threads, reps, batch, lr, warmupSamples (train); inferSamples, inferBatch, inferReps (infer); onnx, the
file to write (export). Prints one JSON object: {samplesPerSecond: [...], images, testAccuracy, coresBusy}
(train), {samplesPerSecond: [...], images, coresBusy} (infer), {onnx: path} (export).
"""
import json
import sys
import time

import torch
from torch import nn

import idx


def build():
    """conv2d(32,3),relu,maxpool2d(2),conv2d(64,3),relu,maxpool2d(2),flatten,dropout(0.25),dense(128),relu,dropout(0.5),dense(10)"""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25),
        nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10),
    )


def train_epoch(model, optimizer, loss_fn, X, y, batch_size, count):
    model.train()
    order = torch.randperm(len(X))[:count]
    for start in range(0, count, batch_size):
        rows = order[start:start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(X[rows]), y[rows])
        loss.backward()
        optimizer.step()


def images(X):
    return torch.tensor(X, dtype=torch.float32).reshape(-1, 1, 28, 28)


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec.get('threads', 1))
    torch.manual_seed(42)
    model = build()
    if spec['mode'] == 'export':
        model.eval()
        torch.onnx.export(model, torch.zeros(1, 1, 28, 28), spec['onnx'], input_names=['images'], output_names=['logits'],
                          dynamic_axes={'images': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=13)
        print(json.dumps({'onnx': spec['onnx']}))
        return
    X_train, y_train, X_test, y_test = idx.load(spec['data'], spec.get('trainSamples', 1))
    X_test, y_test = images(X_test), torch.tensor(y_test)
    if spec['mode'] == 'train':
        X_train, y_train = images(X_train), torch.tensor(y_train)
        optimizer = torch.optim.Adam(model.parameters(), lr=spec['lr'])
        loss_fn = nn.CrossEntropyLoss()
        count = len(X_train)
        train_epoch(model, optimizer, loss_fn, X_train, y_train, spec['batch'], min(count, spec['warmupSamples']))
        rates = []
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(spec['reps']):
            start = time.perf_counter()
            train_epoch(model, optimizer, loss_fn, X_train, y_train, spec['batch'], count)
            rates.append(count / (time.perf_counter() - start))
        cores = (time.process_time() - cpu) / (time.perf_counter() - wall)
        model.eval()
        with torch.inference_mode():
            predicted = torch.cat([model(X_test[i:i + 1000]).argmax(1) for i in range(0, len(X_test), 1000)])
        accuracy = float((predicted == y_test).float().mean())
        print(json.dumps({'samplesPerSecond': rates, 'images': count, 'testAccuracy': accuracy, 'coresBusy': cores}))
        return
    model.eval()
    X = X_test[:spec['inferSamples']]
    batch = spec['inferBatch']
    rates = []
    with torch.inference_mode():
        for i in range(0, len(X), batch):  # warm-up pass
            model(X[i:i + batch]).argmax(1)
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(spec['inferReps']):
            start = time.perf_counter()
            for i in range(0, len(X), batch):
                model(X[i:i + batch]).argmax(1)
            rates.append(len(X) / (time.perf_counter() - start))
        cores = (time.process_time() - cpu) / (time.perf_counter() - wall)
    print(json.dumps({'samplesPerSecond': rates, 'images': len(X), 'coresBusy': cores}))


if __name__ == '__main__':
    main()
