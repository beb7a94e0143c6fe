#!/usr/bin/python3
# Runs the page's "Check it in PyTorch" lines (the *.py files here, written by
# go test ./explain/page -run PyTorchLines -update-pytorch) in PyTorch and
# writes the losses they print, at full precision, to the *.json files next
# to them. Made with Debian's python3-torch 1.13.1: /usr/bin/python3 run.py
import glob
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
for path in sorted(glob.glob(os.path.join(here, "*.py"))):
    if os.path.basename(path) == "run.py":
        continue
    printed = []
    with open(path) as f:
        exec(f.read(), {"print": printed.append})
    (losses,) = printed
    with open(path[:-3] + ".json", "w") as f:
        json.dump([float(x) for x in losses.tolist()], f)
        f.write("\n")
    print(os.path.basename(path), losses)
