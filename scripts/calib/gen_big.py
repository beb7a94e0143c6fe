#!/usr/bin/python3
"""Throughput check for lsce eval (not a test input; nothing is committed).

Writes /tmp/big_logits.npy (1,000,000 × 1000 float32, 4.0 GB) and
/tmp/big_targets.npy: an over-confident model (targets drawn from softmax(s)
with the Gumbel-max trick, logits 3·s), in chunks so memory stays small.
The fitted temperature should come out near 3. Then:

  /usr/bin/time -v lsce eval --logits /tmp/big_logits.npy --targets /tmp/big_targets.npy --plot /tmp/big.png
  rm /tmp/big_logits.npy /tmp/big_targets.npy
"""
import numpy as np
N, C, B = 1_000_000, 1000, 20_000
rng = np.random.default_rng(7)
z = np.lib.format.open_memmap("/tmp/big_logits.npy", mode="w+", dtype="<f4", shape=(N, C))
y = np.empty(N, dtype="<i8")
for i in range(0, N, B):
    s = rng.standard_normal((B, C), dtype=np.float32)
    g = rng.gumbel(size=(B, C)).astype(np.float32)
    y[i:i+B] = np.argmax(s + g, axis=1)   # a draw from softmax(s)
    z[i:i+B] = 3 * s
z.flush(); del z
np.save("/tmp/big_targets.npy", y)
