"""Loads a scratchnet model file into PyTorch with nothing but json + numpy (no `safetensors` package),
then prints the softmax probabilities of every row of a CSV of pixels (0-255, label first) as JSON.

Usage: python3 torch_load.py MODEL.safetensors ROWS.csv
This is what a PyTorch user does: parse the header, build the equivalent nn.Sequential from the
architecture in __metadata__ (MLPs and convnets: Linear, Conv2d, BatchNorm1d/2d, pools, Flatten, Dropout),
and load_state_dict(strict=True) with the tensors as stored. Prints the number of batches each batch norm
layer counted (num_batches_tracked) to stderr.
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
    assert entry["dtype"] in ("F32", "I64"), entry  # I64: batch norm's num_batches_tracked, as PyTorch keeps it
    begin, end = entry["data_offsets"]
    array = np.frombuffer(data[begin:end], dtype="<f4" if entry["dtype"] == "F32" else "<i8").reshape(entry["shape"])
    state[name] = torch.from_numpy(array.copy())

def layer(config, rank):
    """The PyTorch module of one layer config, for inputs of `rank` dimensions (batch included)."""
    kind = config["type"]
    if kind == "dense":
        return nn.Linear(config["inputs"], config["units"])
    if kind == "conv2d":
        return nn.Conv2d(config["inChannels"], config["outChannels"], config["kernel"], stride=config.get("stride", 1),
                         padding=config.get("padding", 0), bias=config.get("bias", True))
    if kind == "batch-norm":
        norm = nn.BatchNorm2d if rank == 4 else nn.BatchNorm1d
        return norm(config["features"], eps=config.get("eps", 1e-5), momentum=config.get("momentum", 0.1))
    if kind == "max-pool2d":
        return nn.MaxPool2d(config["kernel"], config.get("stride"))
    if kind == "avg-pool2d":
        return nn.AvgPool2d(config["kernel"], config.get("stride"))
    if kind == "global-avg-pool2d":
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
    if kind == "flatten":
        return nn.Flatten()
    if kind == "dropout":
        return nn.Dropout(config["rate"])
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
modules = []
rank = 1 + len(architecture["inputShape"])
for config in architecture["layers"]:
    modules.append(layer(config, rank))
    if config["type"] in ("flatten", "global-avg-pool2d"):
        rank = 2
model = nn.Sequential(*modules)
model.load_state_dict(state, strict=True)
model.eval()
counts = {name: int(tensor) for name, tensor in model.state_dict().items() if name.endswith("num_batches_tracked")}
print(json.dumps(counts), file=sys.stderr)

rows = np.loadtxt(csv_path, delimiter=",", dtype=np.float32, ndmin=2)
x = torch.from_numpy(rows[:, 1:] / np.float32(255)).reshape(-1, *architecture["inputShape"])
with torch.no_grad():
    probabilities = torch.softmax(model(x), dim=1)
print(json.dumps(probabilities.tolist()))
