"""Loads a scratchnet model file into PyTorch with nothing but json + numpy (no `safetensors` package),
then prints the softmax probabilities of every row of a CSV of pixels (0-255, label first) as JSON.

Usage: python3 torch_load.py MODEL.safetensors ROWS.csv
This is what a PyTorch user does: parse the header, build the equivalent nn.Sequential from the
architecture in __metadata__, and load_state_dict(strict=True) with the tensors as stored.
"""
import json
import struct
import sys

import numpy as np
import torch
from torch import nn

model_path, csv_path = sys.argv[1], sys.argv[2]
with open(model_path, "rb") as f:
    raw = f.read()
(header_length,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8 : 8 + header_length])
data = raw[8 + header_length :]
metadata = header.pop("__metadata__")
state = {}
for name, entry in header.items():
    assert entry["dtype"] == "F32", entry
    begin, end = entry["data_offsets"]
    array = np.frombuffer(data[begin:end], dtype="<f4").reshape(entry["shape"])
    state[name] = torch.from_numpy(array.copy())

def layer(config):
    kind = config["type"]
    if kind == "dense":
        return nn.Linear(config["inputs"], config["units"])
    if kind == "relu":
        return nn.ReLU()
    if kind == "leaky-relu":
        return nn.LeakyReLU(config.get("slope", 0.1))
    if kind == "sigmoid":
        return nn.Sigmoid()
    if kind == "tanh":
        return nn.Tanh()
    raise SystemExit(f"unknown layer {kind}")

# Where the official `safetensors` package is installed, it must read the very same tensors.
try:
    from safetensors.torch import load_file
except ImportError:
    load_file = None
if load_file is not None:
    official = load_file(model_path)
    assert official.keys() == state.keys(), (official.keys(), state.keys())
    for name, tensor in official.items():
        assert torch.equal(tensor, state[name]), name
    print("checked with the safetensors package", file=sys.stderr)

architecture = json.loads(metadata["architecture"])
model = nn.Sequential(*[layer(c) for c in architecture["layers"]])
model.load_state_dict(state, strict=True)
model.eval()

rows = np.loadtxt(csv_path, delimiter=",", dtype=np.float32, ndmin=2)
x = torch.from_numpy(rows[:, 1:] / np.float32(255))
with torch.no_grad():
    probabilities = torch.softmax(model(x), dim=1)
print(json.dumps(probabilities.tolist()))
