#!/usr/bin/env python3
"""Decomposition x compression-rate table of one conv layer, measured with bin/conv-einsum.

For each decomposition and rate: parameters, optimal / naive / dense-layer FLOPs (SPEC section
4, from `conv-einsum layer --json`), and the measured forward and forward+backward time of the
optimal path (`conv-einsum bench`), float32. Prints a markdown table.

  python3 conv-einsum-benchmarks/scripts/layer_table.py [--in 64] [--out 64] [--input 32x64x32x32]
      [--rates 0.05,0.1,0.2,0.5] [--threads 2] [--reps 3]
"""
import argparse
import json
import os
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.path.join(ROOT, "bin", "conv-einsum")
DECOMPOSITIONS = ["CP", "RCP", "TK", "RTK", "TT", "RTT", "TR", "RTR"]


def run(*args):
    return json.loads(subprocess.run([CLI, *args], check=True, capture_output=True,
                                     text=True).stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--in", dest="cin", default="64")
    ap.add_argument("--out", default="64")
    ap.add_argument("--input", default="32x64x32x32")
    ap.add_argument("--rates", default="0.05,0.1,0.2,0.5")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--reps", default="3")
    args = ap.parse_args()
    print("| decomposition | rate | parameters | compression | optimal FLOPs | naive FLOPs |"
          " dense FLOPs | forward ms | forward+backward ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for d in DECOMPOSITIONS:
        for rate in args.rates.split(","):
            try:
                layer = run("layer", d, "--in", args.cin, "--out", args.out, "--cr", rate,
                            "--input", args.input, "--json")
            except subprocess.CalledProcessError as e:
                print(f"| {d} | {rate} | {e.stderr.strip()} |||||||")
                continue
            shapes = ";".join("x".join(str(v) for v in s)
                              for s in [layer["input_shape"]] + layer["factor_shapes"])
            common = [layer["expression"], "--shapes", shapes, "--options",
                      json.dumps(layer["options"]), "--threads", args.threads, "--reps",
                      args.reps, "--json"]
            fwd = run("bench", *common)
            bwd = run("bench", *common, "--backward")
            print(f"| {d} | {rate} | {layer['parameters']} | {layer['compression']:.4f} | "
                  f"{layer['flops']:.4g} | {layer['naive_flops']:.4g} | "
                  f"{layer['dense_flops']:.4g} | {fwd['median_ms']:.2f} | "
                  f"{bwd['median_ms']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
