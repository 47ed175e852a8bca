"""Reads IDX files (MNIST, Fashion-MNIST), gzipped or not, into NumPy arrays: the benchmark's data loader."""
import gzip
import os
import struct

import numpy as np


def read_idx(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    zero, dtype_code, dims = struct.unpack('>HBB', data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f'{path}: not an unsigned-byte IDX file')
    shape = struct.unpack('>' + 'I' * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(directory, stem):
    for name in (stem + '.gz', stem):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f'{directory}: no {stem}[.gz]')


def load(directory, train_samples):
    """X_train [n, 784] float64 in [0, 1], y_train, X_test [10000, 784], y_test — as the tutorial prepares them."""
    X_train = read_idx(find(directory, 'train-images-idx3-ubyte'))[:train_samples].reshape(-1, 784) / 255.0
    y_train = read_idx(find(directory, 'train-labels-idx1-ubyte'))[:train_samples].astype(np.int64)
    X_test = read_idx(find(directory, 't10k-images-idx3-ubyte')).reshape(-1, 784) / 255.0
    y_test = read_idx(find(directory, 't10k-labels-idx1-ubyte')).astype(np.int64)
    return X_train, y_train, X_test, y_test
