#!/usr/bin/env python3
"""Runs PyTorch's optimizers on the same problem as src/optimizers/torch-agreement.test.ts and prints
their trajectories, so the test can check that scratchnet's optimizers take the same steps.

Input (stdin, JSON): {"params": {name: {"value": [...], "shape": [...]}}, "target": {name: [...]},
  "curvature": {name: [...]}, "noise": [{name: [...]} per step], "steps": N,
  "configs": [{"label", "optimizer", "options", "clipNorm"}]}
Gradient at every step, in float32 as both sides compute it:  g = (θ − target) · curvature + noise_t.
Output (stdout, JSON): {label: {"trajectory": [{name: [...]} per step], "state": {"name/slot": [...]}}}
"""
import json
import sys

import torch


def make(parameters, optimizer, o):
    wd = o.get("weightDecay", 0.0)
    if optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=o["lr"], weight_decay=wd)
    if optimizer in ("momentum", "nesterov"):
        return torch.optim.SGD(parameters, lr=o["lr"], momentum=o["momentum"], dampening=o.get("dampening", 0.0),
                               nesterov=optimizer == "nesterov", weight_decay=wd)
    if optimizer == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=o["lr"], alpha=o.get("alpha", 0.99), eps=o.get("eps", 1e-8),
                                   momentum=o.get("momentum", 0.0), centered=o.get("centered", False), weight_decay=wd)
    if optimizer == "adagrad":
        return torch.optim.Adagrad(parameters, lr=o["lr"], eps=o.get("eps", 1e-10), weight_decay=wd,
                                   initial_accumulator_value=o.get("initialAccumulator", 0.0))
    if optimizer in ("adam", "adamw"):
        cls = torch.optim.Adam if optimizer == "adam" else torch.optim.AdamW
        return cls(parameters, lr=o["lr"], betas=(o.get("beta1", 0.9), o.get("beta2", 0.999)), eps=o.get("eps", 1e-8),
                   weight_decay=wd if optimizer == "adam" else o.get("weightDecay", 0.01))
    raise SystemExit(f"unknown optimizer {optimizer}")


def main():
    spec = json.load(sys.stdin)
    f32 = lambda values, shape=None: torch.tensor(values, dtype=torch.float32).reshape(shape or [len(values)])
    results = {}
    for config in spec["configs"]:
        names = list(spec["params"])
        params = {n: f32(p["value"], p["shape"]).requires_grad_(False) for n, p in spec["params"].items()}
        for p in params.values():
            p.grad = torch.zeros_like(p)
        target = {n: f32(v, spec["params"][n]["shape"]) for n, v in spec["target"].items()}
        curvature = {n: f32(v, spec["params"][n]["shape"]) for n, v in spec["curvature"].items()}
        optimizer = make([params[n] for n in names], config["optimizer"], config["options"])
        trajectory = []
        for t in range(spec["steps"]):
            for n in names:
                params[n].grad.copy_((params[n] - target[n]) * curvature[n] + f32(spec["noise"][t][n], spec["params"][n]["shape"]))
            if config.get("clipNorm") is not None:
                torch.nn.utils.clip_grad_norm_([params[n] for n in names], config["clipNorm"])
            optimizer.step()
            trajectory.append({n: params[n].flatten().tolist() for n in names})
        state = {}
        for n in names:
            for slot, value in optimizer.state[params[n]].items():
                if slot != "step" and torch.is_tensor(value):
                    state[f"{n}/{slot}"] = value.flatten().tolist()
        results[config["label"]] = {"trajectory": trajectory, "state": state}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
