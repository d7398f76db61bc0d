#!/usr/bin/env python3
"""Side-by-side timing of conv-einsum (bin/conv-einsum bench) and PyTorch on this machine.

For each layer PyTorch runs every form below and the fastest one is the baseline (what an expert
would ship), in channels-first (NCHW) and channels-last (NHWC) memory format:

  * expert:  the factorised layer as a chain of small convolutions, the weights stored in conv
             layout (CP = 1x1 conv, depthwise 3x1, depthwise 1x3, 1x1 conv; TK = 1x1, 3x3, 1x1;
             TT = 1x1, 1x3, 3x1, 1x1; TR the same chain with the ring rank folded into the batch);
  * rebuild: the dense kernel rebuilt from the factors in the FLOPs-optimal pairwise order
             (RCP), or by one torch.einsum (TensorLy-Torch's default), then conv2d;
  * dense:   conv2d with the dense kernel (the DENSE workload).

conv-einsum evaluates the whole layer as one conv_einsum on its optimal path. Every project build
given with --project (default: this checkout's bin/conv-einsum) is timed in the same run,
interleaved with PyTorch round by round: medians over the rounds of the per-round medians. Both
sides use the same thread count, float32, batch 32 by default. GFLOPS are of useful work: the
optimal path's FLOPs (training FLOPs for forward+backward, SPEC section 4) over the time, for
every implementation alike, printed next to the machine's measured GEMM peak (torch.mm and
conv-einsum on 2048x2048x2048 float32).

Usage (Debian's python3-torch):
  /usr/bin/python3 conv-einsum-benchmarks/scripts/compare_torch.py [--threads 2] [--batch 32]
      [--layers DENSE,CP-stage2-cr010,...] [--modes forward,backward] [--rounds 3] [--reps 10]
      [--project NAME=PATH/bin/conv-einsum ...] [--json OUT.json] [--glibc-default-malloc]
      [--torch-blas openblas|default]
"""
import argparse
import json
import math
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
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "1073741824"}
# Debian's torch calls the system libblas.so.3, by default the reference BLAS (torch.mm at
# 2048^3: 6 GFLOPS here), and its 1x1 convolutions and einsums go through it. With
# libopenblas0-openmp installed, PyTorch is run on OpenBLAS (195 GFLOPS) by putting its
# directory first on the library path (--torch-blas default keeps the system's BLAS).
OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
_blas = "default" if "--torch-blas=default" in sys.argv or (
    "--torch-blas" in sys.argv and sys.argv[sys.argv.index("--torch-blas") + 1] == "default") \
    else "openblas"
WANT_ENV = {} if "--glibc-default-malloc" in sys.argv else dict(MALLOC_ENV)
if _blas == "openblas" and os.path.isdir(OPENBLAS):
    WANT_ENV["LD_LIBRARY_PATH"] = OPENBLAS
if any(os.environ.get(k) != v for k, v in WANT_ENV.items()):
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, **WANT_ENV})

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


def median_ms(fn, reps, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def rand(g, *shape):
    return torch.rand(*shape, generator=g) * 2 - 1


def expert_forms(layer, batch):
    """{form name: (inputs list, forward(inputs) -> output)} with weights in conv layout."""
    dec = layer["decomposition"]
    S, T, H, W, k = (layer["in_channels"], layer["out_channels"], layer["height"],
                     layer["width"], layer["kernel"])
    shapes = [list(s) for s in layer["shapes"]]
    g = torch.Generator().manual_seed(0)
    x = rand(g, batch, S, H, W)
    p = k // 2
    forms = {}
    if dec == "DENSE":
        w = rand(g, T, S, k, k)
        forms["dense conv2d"] = ([x, w], lambda x, w: F.conv2d(x, w, padding=p))
        return forms
    factors = [rand(g, *s[:]) for s in shapes[1:]]
    kexpr = kernel_einsum(layer["expression"])
    forms["rebuild einsum+conv2d"] = (
        [x] + factors,
        lambda x, *fs: F.conv2d(x, torch.einsum(kexpr, *fs).reshape(T, S, k, k), padding=p))
    c = lambda t: t.detach().clone().contiguous()
    if dec == "CP":  # bshw,rt,rs,rh,rw
        rt, rs, rh, rw = factors
        r = rt.shape[0]
        ws = [c(rs[:, :, None, None]), c(rh[:, None, :, None]), c(rw[:, None, None, :]),
              c(rt.t()[:, :, None, None])]
        forms["expert 1x1,dw3x1,dw1x3,1x1"] = ([x] + ws, lambda x, a, b, c, d: F.conv2d(
            F.conv2d(F.conv2d(F.conv2d(x, a), b, padding=(p, 0), groups=r), c, padding=(0, p),
                     groups=r), d))
    elif dec == "TK":  # bshw,pt,qs,pqhw
        pt, qs, core = factors
        ws = [c(qs[:, :, None, None]), c(core), c(pt.t()[:, :, None, None])]
        forms["expert 1x1,3x3,1x1"] = ([x] + ws, lambda x, a, b, c: F.conv2d(
            F.conv2d(F.conv2d(x, a), b, padding=p), c))
    elif dec == "TT":  # bshw,pt,pqh,quw,us
        pt, pqh, quw, us = factors
        ws = [c(us[:, :, None, None]), c(quw[:, :, None, :]), c(pqh[:, :, :, None]),
              c(pt.t()[:, :, None, None])]
        forms["expert 1x1,1x3,3x1,1x1"] = ([x] + ws, lambda x, a, b, c, d: F.conv2d(
            F.conv2d(F.conv2d(F.conv2d(x, a), b, padding=(0, p)), c, padding=(p, 0)), d))
    elif dec == "TR":  # bshw,apt,pqh,quw,uas: ring rank a folded into the batch
        apt, pqh, quw, uas = factors
        ra, rp, ru = apt.shape[0], apt.shape[1], uas.shape[0]
        ws = [c(uas.permute(1, 0, 2).reshape(ra * ru, S)[:, :, None, None]),
              c(quw[:, :, None, :]), c(pqh[:, :, :, None]),
              c(apt.permute(2, 0, 1).reshape(T, ra * rp)[:, :, None, None])]

        def tr(x, a, b, c, d):
            n = x.shape[0]
            y = F.conv2d(x, a).reshape(n * ra, ru, H, W)
            y = F.conv2d(F.conv2d(y, b, padding=(0, p)), c, padding=(p, 0))
            return F.conv2d(y.reshape(n, ra * rp, H, W), d)
        forms["expert 1x1,(a)1x3,(a)3x1,1x1"] = ([x] + ws, tr)
    elif dec == "RCP":  # bijkhw,rxi,ryj,rzk,rhw: kernel rebuilt in the FLOPs-optimal order
        def rcp(x, a, b, c, d):
            r = a.shape[0]
            ab = torch.einsum("rxi,ryj->rxyij", a, b).reshape(r, -1)
            cd = torch.einsum("rzk,rhw->rzkhw", c, d)
            kz = cd.shape[1]
            kk = cd.shape[2]
            w = (ab.t() @ cd.reshape(r, -1)).reshape(a.shape[1], b.shape[1], a.shape[2],
                                                        b.shape[2], kz, kk, k, k)
            w = w.permute(0, 1, 4, 2, 3, 5, 6, 7).reshape(T, S, k, k)
            return F.conv2d(x, w, padding=p)
        forms["rebuild optimal order+conv2d"] = ([x] + factors, rcp)
    return forms


def check_forms(layer):
    """Every form computes the same layer as the one-einsum kernel rebuild (batch 2)."""
    forms = expert_forms(layer, 2)
    with torch.no_grad():
        outs = {n: f(*ins) for n, (ins, f) in forms.items()}
    ref = outs.get("rebuild einsum+conv2d")
    for n, y in outs.items():
        if ref is not None and not torch.allclose(y, ref, rtol=1e-3, atol=1e-3 * ref.abs().max()):
            raise SystemExit(f"{layer['name']}: form '{n}' disagrees with the kernel rebuild")


def torch_forms(layer, batch, backward):
    """[(name, step function)] for every form in channels-first and channels-last."""
    out = []
    T, H, W = layer["out_channels"], layer["height"], layer["width"]
    g = torch.Generator().manual_seed(1)
    for name, (inputs, fwd) in expert_forms(layer, batch).items():
        for fmt, mf in (("NCHW", torch.contiguous_format), ("NHWC", torch.channels_last)):
            ins = [t.contiguous(memory_format=mf) if t.dim() == 4 else t.clone() for t in inputs]
            grad = (torch.rand(batch, T, H, W, generator=g)).contiguous(memory_format=mf)
            if not backward:
                def step(ins=ins, fwd=fwd):
                    with torch.no_grad():
                        fwd(*ins)
            else:
                for t in ins:
                    t.requires_grad_(True)

                def step(ins=ins, fwd=fwd, grad=grad):
                    for t in ins:
                        t.grad = None
                    fwd(*ins).backward(grad)
            out.append((f"{name} {fmt}", step))
    return out


def ours(binary, layer, batch, backward, reps, threads):
    shapes = [list(s) for s in layer["shapes"]]
    shapes[0][0] = batch
    cmd = [binary, "bench", layer["expression"], "--shapes",
           ";".join("x".join(str(d) for d in s) for s in shapes), "--options",
           json.dumps(layer["options"]), "--threads", str(threads), "--reps", str(reps),
           "--dtype", "float32", "--path", "optimal", "--json"]
    if backward:
        cmd.append("--backward")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def dense_layer(ch, sp):
    """A dense 3x3 layer entry in the same form as tnn_layers.json."""
    return {"name": "DENSE", "decomposition": "DENSE", "in_channels": ch, "out_channels": ch,
            "height": sp, "width": sp, "kernel": 3, "expression": "bshw,tshw->bthw|hw",
            "shapes": [[1, ch, sp, sp], [ch, ch, 3, 3]],
            "options": {"kind": "CROSS_CORRELATION",
                        "conv": {"h": {"padding": "SAME"}, "w": {"padding": "SAME"}}}}


def gemm_peak(projects, threads):
    n = 2048
    a, b = torch.rand(n, n), torch.rand(n, n)
    t = median_ms(lambda: torch.mm(a, b), 10)
    peaks = {"torch.mm": 2 * n ** 3 / t / 1e6}
    for name, binary in projects:
        o = subprocess.run([binary, "bench", "ij,jk->ik", "--shapes", f"{n}x{n};{n}x{n}",
                            "--threads", str(threads), "--reps", "10", "--json"], check=True,
                           capture_output=True, text=True).stdout
        peaks[f"conv-einsum {name}"] = json.loads(o)["gflops"]
    return peaks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--layers", default=",".join(DEFAULT))
    ap.add_argument("--modes", default="forward,backward",
                    help="forward and/or backward (= forward+backward)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    ap.add_argument("--reps", type=int, default=10, help="timed calls per round and form")
    ap.add_argument("--project", action="append", default=[],
                    help="NAME=PATH of a conv-einsum launcher (repeatable)")
    ap.add_argument("--dense-size", default="64x56", help="channels x spatial of DENSE")
    ap.add_argument("--json")
    ap.add_argument("--glibc-default-malloc", action="store_true",
                    help="keep glibc's default malloc thresholds (PyTorch then page-faults)")
    ap.add_argument("--torch-blas", choices=["openblas", "default"], default="openblas",
                    help="BLAS under PyTorch: OpenBLAS-openmp when installed, or the system's")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    projects = [tuple(p.split("=", 1)) for p in args.project] or [
        ("conv-einsum", os.path.join(ROOT, "bin", "conv-einsum"))]
    with open(LAYERS) as f:
        table = {l["name"]: l for l in json.load(f)["layers"]}
    malloc = "glibc default malloc" if args.glibc_default_malloc else "malloc keeps freed memory"
    blas = ("OpenBLAS-openmp" if os.environ.get("LD_LIBRARY_PATH") == OPENBLAS
            else "system libblas.so.3")
    print(f"torch {torch.__version__} on {blas}, {torch.get_num_threads()} threads, batch "
          f"{args.batch}, float32, {malloc}, {args.rounds} interleaved rounds x {args.reps} "
          f"calls", flush=True)
    peaks = gemm_peak(projects, args.threads)
    print("GEMM peak 2048^3 float32: " + ", ".join(f"{k} {v:.0f} GFLOPS"
                                                   for k, v in peaks.items()), flush=True)
    rows = []
    for mode in args.modes.split(","):
        backward = mode == "backward"
        label = "forward+backward" if backward else "forward"
        for name in args.layers.split(","):
            if name == "DENSE":
                ch, sp = (int(v) for v in args.dense_size.split("x"))
                layer = dense_layer(ch, sp)
            else:
                layer = table[name]
            check_forms(layer)
            forms = torch_forms(layer, args.batch, backward)
            times = {n: [] for n, _ in forms}
            ourt = {p: [] for p, _ in projects}
            flops = None
            for _ in range(args.rounds):
                for n, step in forms:
                    times[n].append(median_ms(step, args.reps))
                for p, binary in projects:
                    o = ours(binary, layer, args.batch, backward, args.reps, args.threads)
                    ourt[p].append(o["median_ms"])
                    flops = o["flops"]
            med = {n: statistics.median(v) for n, v in times.items()}
            best = min(med, key=med.get)
            tb = med[best]
            gf = lambda ms: flops / ms / 1e6
            print(f"\n{label} {name}: optimal-path FLOPs {flops:.3e}", flush=True)
            for n in sorted(med, key=med.get):
                print(f"  torch {n:40s} {med[n]:9.2f} ms {gf(med[n]):7.1f} GFLOPS"
                      + ("   <- fastest" if n == best else ""))
            row = {"mode": label, "layer": name, "flops": flops, "torch": med,
                   "torch_best_form": best, "torch_best_ms": tb, "ours": {}}
            for p, _ in projects:
                m = statistics.median(ourt[p])
                row["ours"][p] = {"median_ms": m, "rounds_ms": ourt[p], "ratio": m / tb}
                print(f"  conv-einsum {p:34s} {m:9.2f} ms {gf(m):7.1f} GFLOPS   "
                      f"ratio {m / tb:5.2f} (rounds: {', '.join(f'{t:.2f}' for t in ourt[p])})")
            rows.append(row)
        for p, _ in projects:
            rs = [r["ours"][p]["ratio"] for r in rows
                  if r["mode"] == label and r["layer"] != "DENSE"]
            if rs:
                print(f"{label}: geometric mean ratio {p} / fastest PyTorch over tensorial "
                      f"layers: {statistics.geometric_mean(rs):.3f}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"gemm_peak_gflops": peaks, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
