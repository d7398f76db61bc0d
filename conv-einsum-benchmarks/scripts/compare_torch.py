#!/usr/bin/env python3
"""Side-by-side timing of conv-einsum (bin/conv-einsum bench) and PyTorch on this machine.

PyTorch evaluates each tensorial layer the way its users do (TensorLy-Torch's default): rebuild
the dense kernel from the factors with torch.einsum, then call conv2d. conv-einsum evaluates the
whole layer as one conv_einsum on its optimal path. Both use the same number of threads, float32.

Usage (Debian's python3-torch):
  /usr/bin/python3 conv-einsum-benchmarks/scripts/compare_torch.py [--threads 2] [--batch 32]
      [--layers CP-stage2-cr010,...] [--backward] [--reps 5] [--json OUT.json]
      [--glibc-default-malloc]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

# glibc returns large freed blocks to the kernel (mmap threshold), so PyTorch would page-fault
# its 25 MiB activations in again on every call: 80-170 ms instead of 21 ms for the dense layer
# on this VM. conv-einsum's bench runs on a pre-touched heap; give PyTorch the same steady state
# (set the variables yourself, or --glibc-default-malloc, to measure otherwise). glibc reads
# them at start-up, hence the re-exec before torch is loaded.
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "2000000000", "MALLOC_TRIM_THRESHOLD_": "20000000000"}
if "--glibc-default-malloc" not in sys.argv and any(k not in os.environ for k in MALLOC_ENV):
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, **MALLOC_ENV})

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LAYERS = os.path.join(ROOT, "conv-einsum-benchmarks", "src", "main", "resources",
                      "tnn_layers.json")
DEFAULT = ["DENSE", "CP-stage2-cr010", "TK-stage2-cr010", "TT-stage2-cr010",
           "RCP-stage2-cr010", "TR-stage1-cr010"]


def terms(expr):
    """Splits 'bshw,(r1)t->...|hw' into lists of index names."""
    lhs = expr.split("|")[0]
    ins, out = lhs.split("->")
    parse = lambda t: re.findall(r"\(([A-Za-z0-9_]+)\)|([A-Za-z])", t)
    flat = lambda t: [a or b for a, b in parse(t)]
    return [flat(t) for t in ins.split(",")], flat(out)


def kernel_einsum(expr):
    """The torch.einsum expression that rebuilds the dense kernel [T, S, k, k] from the factors."""
    inputs, out = terms(expr)
    x = inputs[0]
    in_ch, out_ch, spatial = x[1:-2], out[1:-2], x[-2:]
    names = sorted({n for t in inputs[1:] for n in t} | set(out_ch) | set(in_ch) | set(spatial))
    letters = dict(zip(names, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    spell = lambda t: "".join(letters[n] for n in t)
    return ",".join(spell(t) for t in inputs[1:]) + "->" + spell(out_ch + in_ch + spatial)


def time_it(fn, reps, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times)


def torch_layer(layer, batch, backward, reps):
    shapes = [list(s) for s in layer["shapes"]]
    shapes[0][0] = batch
    S, T, H, W, k = (layer["in_channels"], layer["out_channels"], layer["height"],
                     layer["width"], layer["kernel"])
    g = torch.Generator().manual_seed(0)
    x = torch.rand(batch, S, H, W, generator=g) * 2 - 1
    factors = [torch.rand(*s, generator=g) * 2 - 1 for s in shapes[1:]]
    if backward:
        x.requires_grad_(True)
        for f in factors:
            f.requires_grad_(True)
    kexpr = None if layer["decomposition"] == "DENSE" else kernel_einsum(layer["expression"])

    def forward():
        w = factors[0] if kexpr is None else torch.einsum(kexpr, *factors).reshape(T, S, k, k)
        return F.conv2d(x, w, padding=k // 2)

    if not backward:
        with torch.no_grad():
            return time_it(forward, reps)
    grad = torch.rand(batch, T, H, W, generator=g)

    def step():
        for t in [x] + factors:
            t.grad = None
        forward().backward(grad)

    return time_it(step, reps)


def ours(layer, batch, backward, reps, threads, path="optimal"):
    shapes = [list(s) for s in layer["shapes"]]
    shapes[0][0] = batch
    cmd = [os.path.join(ROOT, "bin", "conv-einsum"), "bench", layer["expression"], "--shapes",
           ";".join("x".join(str(d) for d in s) for s in shapes), "--options",
           json.dumps(layer["options"]), "--threads", str(threads), "--reps", str(reps),
           "--warmup", "2", "--dtype", "float32", "--path", path, "--json"]
    if backward:
        cmd.append("--backward")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def dense_layer(template):
    """A dense 3x3 layer entry in the same form as tnn_layers.json."""
    S = T = template["in_channels"]
    H, W = template["height"], template["width"]
    return {"name": "DENSE", "decomposition": "DENSE", "in_channels": S, "out_channels": T,
            "height": H, "width": W, "kernel": 3, "expression": "bshw,tshw->bthw|hw",
            "shapes": [[1, S, H, W], [T, S, 3, 3]],
            "options": {"kind": "CROSS_CORRELATION",
                        "conv": {"h": {"padding": "SAME"}, "w": {"padding": "SAME"}}}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--layers", default=",".join(DEFAULT))
    ap.add_argument("--backward", action="store_true")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--dense-size", default="64x56", help="channels x spatial of DENSE")
    ap.add_argument("--json")
    ap.add_argument("--glibc-default-malloc", action="store_true",
                    help="keep glibc's default malloc thresholds (PyTorch then page-faults)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with open(LAYERS) as f:
        table = {l["name"]: l for l in json.load(f)["layers"]}
    rows = []
    malloc = "glibc default malloc" if args.glibc_default_malloc else "malloc keeps freed memory"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch}, "
          f"{'forward+backward' if args.backward else 'forward'}, float32, {malloc}", flush=True)
    for name in args.layers.split(","):
        if name == "DENSE":
            ch, sp = (int(v) for v in args.dense_size.split("x"))
            layer = dense_layer({"in_channels": ch, "height": sp, "width": sp})
        else:
            layer = table[name]
        t_med, t_min = torch_layer(layer, args.batch, args.backward, args.reps)
        o = ours(layer, args.batch, args.backward, args.reps, args.threads)
        ratio = o["median_ms"] / t_med
        rows.append({"layer": name, "torch_median_ms": t_med, "torch_min_ms": t_min,
                     "ours_median_ms": o["median_ms"], "ours_min_ms": o["min_ms"],
                     "ratio": ratio, "path": o["path"], "flops": o["flops"],
                     "peak_bytes": o["peak_bytes"]})
        print(f"{name:20s} torch {t_med:9.2f} ms   conv-einsum {o['median_ms']:9.2f} ms   "
              f"ratio {ratio:5.2f}", flush=True)
    tensorial = [r["ratio"] for r in rows if r["layer"] != "DENSE"]
    if tensorial:
        gm = statistics.geometric_mean(tensorial)
        print(f"geometric mean ratio over tensorial layers: {gm:.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
