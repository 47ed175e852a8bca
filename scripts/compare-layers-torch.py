#!/usr/bin/env python3
"""Runs the layers of src/layers/torch-agreement.test.ts in PyTorch, with the same weights and inputs,
and prints their outputs and gradients, so the test can check that scratchnet computes the same.

Input (stdin, JSON): {"cases": [{"label", "layers": [scratchnet layer configs], "params": {"<i>.<name>": [...]},
  "input": {"shape": [...], "values": [...]}, "upstream": [...]}]}
The loss is L = Σ upstream ⊙ output, so the gradients are those of backward(upstream).
Dense weights travel as scratchnet stores them, [inputs, units], and are transposed here (nn.Linear's [units, inputs]).
Output (stdout, JSON): {label: {"output": [...], "inputGrad": [...], "grads": {"<i>.<name>": [...]},
  "buffers": {"<i>.running_mean": [...], …} (after the one training-mode forward)}}
"""
import json
import sys

import torch
from torch import nn


class BatchNorm(nn.modules.batchnorm._BatchNorm):
    """BatchNorm1d and BatchNorm2d in one, as scratchnet's BatchNorm: per channel (dim 1) of an input of any rank."""

    def _check_input_dim(self, input):
        pass


def module(config):
    kind = config["type"]
    if kind == "batch-norm":
        return BatchNorm(config["features"], eps=config.get("eps", 1e-5), momentum=config.get("momentum", 0.1))
    if kind == "conv2d":
        return nn.Conv2d(config["inChannels"], config["outChannels"], config["kernel"], stride=config.get("stride", 1),
                         padding=config.get("padding", 0), bias=config.get("bias", True))
    if kind == "max-pool2d":
        return nn.MaxPool2d(config["kernel"], config.get("stride"))
    if kind == "avg-pool2d":
        return nn.AvgPool2d(config["kernel"], config.get("stride"))
    if kind == "global-avg-pool2d":
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
    if kind == "flatten":
        return nn.Flatten()
    if kind == "relu":
        return nn.ReLU()
    if kind == "dense":
        return nn.Linear(config["inputs"], config["units"])
    raise ValueError(f"no PyTorch module for layer type {kind}")


def run(case):
    model = nn.Sequential(*[module(c) for c in case["layers"]])
    with torch.no_grad():
        for name, tensor in model.named_parameters():
            values = torch.tensor(case["params"][name], dtype=torch.float32)
            if isinstance(model[int(name.split(".")[0])], nn.Linear) and name.endswith("weight"):
                values = values.reshape(tensor.shape[1], tensor.shape[0]).t()
            tensor.copy_(values.reshape(tensor.shape))
    model.train()
    x = torch.tensor(case["input"]["values"], dtype=torch.float32).reshape(case["input"]["shape"]).requires_grad_()
    y = model(x)
    upstream = torch.tensor(case["upstream"], dtype=torch.float32).reshape(y.shape)
    (y * upstream).sum().backward()
    grads = {}
    for name, tensor in model.named_parameters():
        grad = tensor.grad
        if isinstance(model[int(name.split(".")[0])], nn.Linear) and name.endswith("weight"):
            grad = grad.t()
        grads[name] = grad.reshape(-1).tolist()
    buffers = {name: tensor.reshape(-1).tolist() for name, tensor in model.named_buffers() if tensor.dtype == torch.float32}
    return {"output": y.detach().reshape(-1).tolist(), "inputGrad": x.grad.reshape(-1).tolist(), "grads": grads, "buffers": buffers}


def main():
    torch.set_num_threads(1)
    spec = json.load(sys.stdin)
    print(json.dumps({case["label"]: run(case) for case in spec["cases"]}))


if __name__ == "__main__":
    main()
