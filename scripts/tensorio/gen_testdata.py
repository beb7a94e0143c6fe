#!/usr/bin/python3
"""Writes the small .npy files under tensorio/testdata/ that tensorio's tests
read, using numpy itself as the oracle for the .npy format.

Run from the repository root:  /usr/bin/python3 scripts/tensorio/gen_testdata.py

Each file's values follow from its name (see VALUES below), so the Go tests
know what to expect without Python: element i of every array is
values(i) = (i - 3) * 0.25 for floats, i - 3 for signed integers,
i % 3 == 0 for bool, and (7 * i) % 256 for uint8.
Formats 2.0 and 3.0 are written with numpy.lib.format.write_array(version=).
"""
import os
import numpy as np
from numpy.lib import format as npformat

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tensorio", "testdata")


def values(dtype, n):
    i = np.arange(n)
    if dtype.kind == "f":
        return ((i - 3) * 0.25).astype(dtype)
    if dtype.kind == "i":
        return (i - 3).astype(dtype)
    if dtype.kind == "b":
        return (i % 3 == 0)
    return ((7 * i) % 256).astype(dtype)


def save(name, arr, version=None):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        if version is None:
            np.save(f, arr)
        else:
            npformat.write_array(f, arr, version=version)


def main():
    os.makedirs(OUT, exist_ok=True)
    shapes = {"2x3": (2, 3), "5": (5,), "2x3x2": (2, 3, 2), "scalar": (), "0x4": (0, 4)}
    for code in ["<f4", ">f4", "<f8", ">f8", "<i4", ">i4", "<i8", ">i8", "|b1", "|u1"]:
        dt = np.dtype(code)
        for sname, shape in shapes.items():
            if sname != "2x3" and code not in ("<f4", "<f8"):
                continue
            n = int(np.prod(shape)) if shape else 1
            arr = values(dt, n).reshape(shape)
            order = {"<": "le", ">": "be", "|": "na"}[code[0]]
            save("%s_%s%d_%s.npy" % (order, dt.kind, dt.itemsize, sname), arr)
    for v in [(2, 0), (3, 0)]:
        save("v%d_f8_2x3.npy" % v[0], values(np.dtype("<f8"), 6).reshape(2, 3), version=v)
    # Rejected inputs, each for a reason the tests check.
    save("bad_fortran.npy", np.asfortranarray(values(np.dtype("<f8"), 6).reshape(2, 3)))
    save("bad_object.npy", np.array([1, "a", None], dtype=object))
    save("bad_int16.npy", np.arange(4, dtype="<i2"))
    save("bad_structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))


if __name__ == "__main__":
    main()
