#!/usr/bin/env python3
"""Trains a small PyTorch nn.Sequential on digits for a few steps, saves its state_dict as safetensors with
nothing but json + NumPy (save_safetensors below, the function docs/interop.md shows), and writes the
softmax probabilities of the test digits in evaluation mode, so that test/cli/torch-interop.test.ts can
import the weights with `scratchnet import` and check that scratchnet predicts the same.

Usage: python3 torch-interop.py ARCH DATA_DIR OUT_DIR
  ARCH      mlp | convnet (the networks below; the test gives scratchnet the same layers as flags)
  DATA_DIR  train-images.u8 [n, 784], train-labels.u8 [n], test-images.u8 [m, 784] (pixels 0-255, raw bytes)
  OUT_DIR   receives torch.safetensors (the state_dict) and probabilities.f32 ([m, 10] float32, little-endian)
Inputs are pixels / 255, as scratchnet reads images.
"""
import json
import struct
import sys

import numpy as np
import torch
from torch import nn


def save_safetensors(tensors, path):
    """Writes a dict of tensors (a state_dict) as a safetensors file, as safetensors.torch.save_file does:
    8 bytes of header length (little-endian), the JSON header, then each tensor's raw little-endian bytes."""
    dtypes = {"float32": "F32", "int64": "I64"}  # weights, and batch norm's num_batches_tracked
    header, chunks, offset = {}, [], 0
    for name, tensor in tensors.items():
        array = tensor.detach().cpu().contiguous().numpy()
        data = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtypes[array.dtype.name], "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.writelines(chunks)


def network(arch):
    """The PyTorch twin of scratchnet's `--hidden 64,32 --batch-norm --dropout 0.2` and of the convnet's --layers."""
    if arch == "mlp":
        return nn.Sequential(
            nn.Linear(784, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(32, 10),
        )
    # conv2d(8,3),relu,maxpool2d(2),conv2d(16,3,1,same),batchnorm,relu,maxpool2d(2),flatten,dropout(0.25),dense(32),relu,dense(10)
    return nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding="same"), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(16 * 6 * 6, 32), nn.ReLU(), nn.Linear(32, 10),
    )


def main():
    arch, data_dir, out_dir = sys.argv[1:4]
    torch.manual_seed(0)
    torch.set_num_threads(1)
    shape = (-1, 784) if arch == "mlp" else (-1, 1, 28, 28)
    read = lambda name: np.fromfile(f"{data_dir}/{name}", dtype=np.uint8)
    x_train = torch.from_numpy(read("train-images.u8").astype(np.float32) / np.float32(255)).reshape(shape)
    y_train = torch.from_numpy(read("train-labels.u8").astype(np.int64))
    x_test = torch.from_numpy(read("test-images.u8").astype(np.float32) / np.float32(255)).reshape(shape)

    model = network(arch)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
    model.train()
    for step in range(40):  # a few steps: enough to move every weight and running statistic
        rows = slice((step * 64) % len(y_train), (step * 64) % len(y_train) + 64)
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x_train[rows]), y_train[rows]).backward()
        optimizer.step()

    save_safetensors(model.state_dict(), f"{out_dir}/torch.safetensors")
    model.eval()
    with torch.no_grad():
        probabilities = torch.softmax(model(x_test), dim=1)
    probabilities.numpy().astype("<f4").tofile(f"{out_dir}/probabilities.f32")
    print(json.dumps({"test_images": len(x_test), "tensors": list(model.state_dict().keys())}))


if __name__ == "__main__":
    main()
