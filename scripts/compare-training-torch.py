#!/usr/bin/env python3
"""Trains the networks of src/training/torch-agreement.test.ts in PyTorch from the same initial weights on
the same batches, and prints the loss of every step, so the test can check that scratchnet's training
trajectory (forward, backward and optimizer together, step after step) is PyTorch's.

Input (stdin, JSON): {"cases": [{"label", "layers": [scratchnet layer configs], "params": {"<i>.<name>": [...]},
  "optimizer": {"name", "options"}, "batches": [{"shape": [...], "x": [...], "y": [...]}]}]}
Weights travel as scratchnet stores them (Dense [inputs, units], transposed here); the layers and the
optimizers are built by the two other comparison scripts, so every comparison means the same module.
The loss is the batch's mean cross-entropy of the logits (F.cross_entropy), in training mode.
Output (stdout, JSON): {label: {"losses": [one per step]}}
"""
import importlib.util
import json
import sys
from pathlib import Path

import torch
from torch import nn
import torch.nn.functional as F


def load(name):
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), Path(__file__).with_name(f"{name}.py"))
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


layers = load("compare-layers-torch")
optimizers = load("compare-optimizers-torch")


def run(case):
    model = nn.Sequential(*[layers.module(c) for c in case["layers"]])
    with torch.no_grad():
        for name, tensor in model.named_parameters():
            values = torch.tensor(case["params"][name], dtype=torch.float32)
            if isinstance(model[int(name.split(".")[0])], nn.Linear) and name.endswith("weight"):
                values = values.reshape(tensor.shape[1], tensor.shape[0]).t()
            tensor.copy_(values.reshape(tensor.shape))
    model.train()
    optimizer = optimizers.make(list(model.parameters()), case["optimizer"]["name"], case["optimizer"]["options"])
    losses = []
    for batch in case["batches"]:
        x = torch.tensor(batch["x"], dtype=torch.float32).reshape(batch["shape"])
        y = torch.tensor(batch["y"], dtype=torch.long)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return {"losses": losses}


def main():
    torch.set_num_threads(1)
    spec = json.load(sys.stdin)
    print(json.dumps({case["label"]: run(case) for case in spec["cases"]}))


if __name__ == "__main__":
    main()
