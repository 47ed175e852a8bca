#!/usr/bin/env python3
"""Trains in PyTorch the same network — an MLP (--hidden) or a convnet (--layers, scratchnet's spec) —
with the same optimizer, schedule and augmentation settings that a `scratchnet train` run uses, and
prints its test accuracy: the comparison beside each accuracy in docs/training.md and docs/convnets.md.
Not a test: run it by hand, e.g.

  /usr/bin/python3 scripts/compare-accuracy-torch.py --train /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz \
      --test /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz --hidden 256,128 --batch-norm --dropout 0.2 \
      --optimizer adam --lr 1e-3 --schedule cosine --epochs 20 --batch-size 64

  /usr/bin/python3 scripts/compare-accuracy-torch.py --train …/train-images-idx3-ubyte.gz --test …/t10k-images-idx3-ubyte.gz \
      --layers "conv2d(32,3),batchnorm,relu,maxpool2d(2),flatten,dense(10)" --augment shift=2 --optimizer adam --epochs 15

The MLP is nn.Sequential(Linear, [BatchNorm1d], activation, [Dropout], …, Linear) exactly as
Sequential.mlp builds it; a --layers network is the nn.Sequential its PyTorch names spell, on
[1, 28, 28] images, Conv2d and Linear initialised He-normal (fan-in) with zero biases as scratchnet's
layers are. --augment moves each training image by whole pixels (dx, dy uniform in {-N…N}, zeros
shifted in), turns it by up to D degrees (bilinear) and, with flip, mirrors half the images left-right, drawn anew every epoch, as scratchnet's
--augment does (other random numbers than scratchnet's: the same distribution, not the same draws). Both initialised as scratchnet does (--init; biases 0), trained with softmax
cross-entropy on pixels scaled to [0, 1], with 10% of the training rows held out for validation
(early stopping and reduce-on-plateau watch its loss). Schedules are stepped per epoch and the warm-up
per batch, as scratchnet's LearningRateSchedule does.
"""
import argparse
import gzip
import re
import json
import math
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(images_path):
    labels_path = images_path.replace("images-idx3", "labels-idx1")
    x = read_idx(images_path).reshape(-1, 784).astype(np.float32) / 255.0
    y = read_idx(labels_path).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def init_weight(weight, scheme):
    fan_out, fan_in = weight.shape
    if scheme == "he-normal":
        nn.init.normal_(weight, 0.0, math.sqrt(2.0 / fan_in))
    elif scheme == "he-uniform":
        nn.init.uniform_(weight, -math.sqrt(6.0 / fan_in), math.sqrt(6.0 / fan_in))
    elif scheme == "xavier-normal":
        nn.init.normal_(weight, 0.0, math.sqrt(2.0 / (fan_in + fan_out)))
    elif scheme == "xavier-uniform":
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        nn.init.uniform_(weight, -bound, bound)
    elif scheme == "lecun-normal":
        nn.init.normal_(weight, 0.0, math.sqrt(1.0 / fan_in))
    else:
        raise SystemExit(f"unknown init {scheme}")


def mlp(args):
    activations = {"relu": nn.ReLU, "leaky-relu": lambda: nn.LeakyReLU(0.1), "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
    layers, width = [], 784
    for units in args.hidden:
        linear = nn.Linear(width, units)
        init_weight(linear.weight, args.init)
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if args.batch_norm:
            layers.append(nn.BatchNorm1d(units))
        layers.append(activations[args.activation]())
        if args.dropout > 0:
            layers.append(nn.Dropout(args.dropout))
        width = units
    out = nn.Linear(width, 10)
    init_weight(out.weight, args.init)
    nn.init.zeros_(out.bias)
    layers.append(out)
    return nn.Sequential(*layers)


def parse_layers(spec):
    """[(name, [args])] from scratchnet's --layers syntax, e.g. conv2d(32,3),relu,maxpool2d(2)."""
    layers = []
    for part in re.findall(r"[a-z0-9]+(?:\([^)]*\))?", spec.replace(" ", "")):
        name, _, rest = part.partition("(")
        args = [a for a in rest.rstrip(")").split(",") if a] if rest else []
        layers.append((name, args))
    return layers


def convnet(spec):
    """nn.Sequential of a --layers spec on [1, 28, 28] images, initialised as scratchnet initialises it."""
    shape, modules = (1, 28, 28), []
    for name, args in parse_layers(spec):
        if name == "conv2d":
            out, k = int(args[0]), int(args[1])
            stride = int(args[2]) if len(args) > 2 else 1
            padding = args[3] if len(args) > 3 else 0
            padding = padding if padding in ("same", "valid") else int(padding)
            conv = nn.Conv2d(shape[0], out, k, stride=stride, padding=padding)
            nn.init.normal_(conv.weight, 0.0, math.sqrt(2.0 / (shape[0] * k * k)))
            nn.init.zeros_(conv.bias)
            modules.append(conv)
        elif name in ("maxpool2d", "avgpool2d"):
            k = int(args[0])
            stride = int(args[1]) if len(args) > 1 else k
            modules.append((nn.MaxPool2d if name == "maxpool2d" else nn.AvgPool2d)(k, stride))
        elif name == "globalavgpool2d":
            modules.append(nn.AdaptiveAvgPool2d(1))
            modules.append(nn.Flatten())
        elif name == "flatten":
            modules.append(nn.Flatten())
        elif name in ("batchnorm", "batchnorm1d", "batchnorm2d"):
            modules.append(nn.BatchNorm2d(shape[0]) if len(shape) == 3 else nn.BatchNorm1d(shape[0]))
        elif name in ("dense", "linear"):
            width = int(np.prod(shape))
            if len(shape) > 1:
                modules.append(nn.Flatten())
            linear = nn.Linear(width, int(args[0]))
            init_weight(linear.weight, "he-normal")
            nn.init.zeros_(linear.bias)
            modules.append(linear)
        elif name == "dropout":
            modules.append(nn.Dropout(float(args[0])))
        elif name == "relu":
            modules.append(nn.ReLU())
        elif name == "leakyrelu":
            modules.append(nn.LeakyReLU(float(args[0]) if args else 0.01))
        elif name == "sigmoid":
            modules.append(nn.Sigmoid())
        elif name == "tanh":
            modules.append(nn.Tanh())
        else:
            raise SystemExit(f"--layers: unknown layer {name}")
        with torch.no_grad():
            shape = tuple(nn.Sequential(*modules)(torch.zeros(2, 1, 28, 28)).shape[1:])
    return nn.Sequential(*modules)


def augment(x, shift, rotate, flip=False):
    """Each image of x [n, 1, 28, 28] moved by whole pixels, turned and mirrored, as scratchnet's --augment does."""
    n = len(x)
    if rotate > 0:
        angles = (torch.rand(n) * 2 - 1) * math.radians(rotate)
        cos, sin = torch.cos(angles), torch.sin(angles)
        theta = torch.stack([torch.stack([cos, -sin, torch.zeros(n)], 1), torch.stack([sin, cos, torch.zeros(n)], 1)], 1)
        grid = nn.functional.affine_grid(theta, list(x.shape), align_corners=False)
        x = nn.functional.grid_sample(x, grid, align_corners=False, padding_mode="zeros")
    if shift > 0:
        padded = nn.functional.pad(x, (shift, shift, shift, shift))
        rows = torch.randint(0, 2 * shift + 1, (n, 1)) + torch.arange(28)  # [n, 28]: the rows each image keeps
        cols = torch.randint(0, 2 * shift + 1, (n, 1)) + torch.arange(28)
        x = padded[torch.arange(n)[:, None, None], 0, rows[:, :, None], cols[:, None, :]].unsqueeze(1)
    if flip:
        mirrored = torch.rand(n) < 0.5
        x = torch.where(mirrored[:, None, None, None], x.flip(3), x)
    return x


def optimizer_for(args, params):
    wd = args.weight_decay
    name = args.optimizer
    if name == "sgd":
        return torch.optim.SGD(params, lr=args.lr or 0.1, momentum=args.momentum or 0.0, weight_decay=wd or 0.0)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=args.lr or 0.01, momentum=args.momentum if args.momentum is not None else 0.9,
                               nesterov=name == "nesterov", weight_decay=wd or 0.0)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=args.lr or 0.01, momentum=args.momentum or 0.0, weight_decay=wd or 0.0)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=args.lr or 0.01, weight_decay=wd or 0.0)
    if name == "adam":
        return torch.optim.Adam(params, lr=args.lr or 1e-3, weight_decay=wd or 0.0)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=args.lr or 1e-3, weight_decay=0.01 if wd is None else wd)
    raise SystemExit(f"unknown optimizer {name}")


def epoch_rate(args, base, epoch, reductions):
    if args.schedule == "step":
        return base * (args.gamma or 0.1) ** (epoch // args.step_size)
    if args.schedule == "exponential":
        return base * (args.gamma or 0.95) ** epoch
    if args.schedule == "cosine":
        t = args.cosine_epochs or args.epochs
        return args.min_lr + (base - args.min_lr) * (1 + math.cos(math.pi * min(epoch, t) / t)) / 2
    if args.schedule == "plateau":
        return max(args.min_lr, base * args.factor ** reductions)
    return base


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(x[i:i + 1000]) for i in range(0, len(x), 1000)])
        loss = nn.functional.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(1) == y).float().mean().item()
    return loss, accuracy


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train", required=True, help="IDX training images (labels beside it)")
    p.add_argument("--test", required=True, help="IDX test images (labels beside it)")
    p.add_argument("--hidden", default="64,32", type=lambda s: [int(v) for v in s.split(",") if v])
    p.add_argument("--layers", help="scratchnet's --layers spec (a convnet on [1, 28, 28] images)")
    p.add_argument("--augment", default="", help="shift=N,rotate=D,flip, as scratchnet's --augment")
    p.add_argument("--activation", default="relu")
    p.add_argument("--init", default="he-normal")
    p.add_argument("--batch-norm", action="store_true")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--optimizer", default="sgd")
    p.add_argument("--lr", type=float)
    p.add_argument("--momentum", type=float)
    p.add_argument("--weight-decay", type=float)
    p.add_argument("--clip-norm", type=float)
    p.add_argument("--schedule", default="constant")
    p.add_argument("--step-size", type=int, default=10)
    p.add_argument("--gamma", type=float)
    p.add_argument("--cosine-epochs", type=int)
    p.add_argument("--min-lr", type=float, default=0.0)
    p.add_argument("--factor", type=float, default=0.1)
    p.add_argument("--patience", type=int, default=10)
    p.add_argument("--warmup", type=int, default=0)
    p.add_argument("--early-stopping", type=int, default=0)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--validation", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    x, y = load(args.train)
    x_test, y_test = load(args.test)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(args.seed))
    n_val = int(round(len(x) * args.validation))
    x_val, y_val = x[order[:n_val]], y[order[:n_val]]
    x_train, y_train = x[order[n_val:]], y[order[n_val:]]

    if args.layers:
        x, x_val, x_test = (t.reshape(-1, 1, 28, 28) for t in (x_train, x_val, x_test))
        x_train = x
    model = convnet(args.layers) if args.layers else mlp(args)
    augmentation = dict((part.split("=") + ["1"])[:2] for part in args.augment.split(",") if part)
    shift, rotate = int(augmentation.get("shift", 0)), float(augmentation.get("rotate", 0))
    flip = augmentation.get("flip", "0") != "0"
    optimizer = optimizer_for(args, model.parameters())
    base = optimizer.param_groups[0]["lr"]
    batches = math.ceil(len(x_train) / args.batch_size)
    best, best_state, wait, reductions, plateau_best, bad = math.inf, None, 0, 0, math.inf, 0
    started = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(x_train))
        for b in range(batches):
            step = epoch * batches + b
            warm = (step + 1) / args.warmup if step < args.warmup else 1.0
            for group in optimizer.param_groups:
                group["lr"] = warm * epoch_rate(args, base, epoch, reductions)
            rows = perm[b * args.batch_size:(b + 1) * args.batch_size]
            if args.batch_norm and len(rows) < 2:
                continue
            optimizer.zero_grad()
            batch = x_train[rows]
            if args.layers and (shift or rotate or flip):
                batch = augment(batch, shift, rotate, flip)
            loss = nn.functional.cross_entropy(model(batch), y_train[rows])
            loss.backward()
            if args.clip_norm:
                nn.utils.clip_grad_norm_(model.parameters(), args.clip_norm)
            optimizer.step()
        val_loss, val_accuracy = evaluate(model, x_val, y_val) if n_val else (float("nan"), float("nan"))
        print(f"epoch {epoch + 1}/{args.epochs}: val loss {val_loss:.4f}, val accuracy {100 * val_accuracy:.2f}%, "
              f"lr {optimizer.param_groups[0]['lr']:.3g}, {time.time() - started:.0f}s", flush=True)
        if args.schedule == "plateau":
            if val_loss < plateau_best * (1 - 1e-4):
                plateau_best, bad = val_loss, 0
            else:
                bad += 1
            if bad > args.patience:
                reductions, bad = reductions + 1, 0
        if args.early_stopping:
            if val_loss < best:
                best, wait = val_loss, 0
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
            else:
                wait += 1
                if wait >= args.early_stopping:
                    break
    if best_state is not None:
        model.load_state_dict(best_state)
    test_loss, test_accuracy = evaluate(model, x_test, y_test)
    seconds = time.time() - started
    print(f"PyTorch {torch.__version__}: test accuracy {100 * test_accuracy:.2f}%, test loss {test_loss:.4f}, {seconds:.0f}s")
    print(json.dumps({"testAccuracy": test_accuracy, "testLoss": test_loss, "seconds": seconds, "epochs": epoch + 1}))


if __name__ == "__main__":
    main()
