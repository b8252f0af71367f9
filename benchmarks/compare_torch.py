#!/usr/bin/python3
"""fermap against PyTorch on custom_cnn, in one run, alternating, several rounds.

Measures, at the same thread count:
  train    one training step at batch 64 (forward + cross-entropy + backward + Adam)  images/s
  infer64  inference at batch 64                                                     images/s
  infer1   inference at batch 1                                                      ms
for fermap (the bench_model driver, one subprocess per measurement) and PyTorch in NCHW,
channels_last, and (inference only) mkldnn tensors and a frozen TorchScript module. Each round
measures every configuration once, in an order rotated from round to round; the table reports
medians over rounds and fermap / PyTorch-best.

    /usr/bin/python3 benchmarks/compare_torch.py --driver build/benchmarks/bench_model \
        --threads 2 --rounds 5 --seconds 3 [--markdown]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SeparableConv(nn.Module):
    """Keras SeparableConv2D: depthwise 3x3 (no bias) then pointwise 1x1 with bias, ReLU."""

    def __init__(self, cin, cout):
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1)

    def forward(self, x):
        return F.relu(self.pointwise(self.depthwise(x)))


def custom_cnn(classes=4):
    """The paper's model, layer by layer as fermap's zoo builds it (Keras BN: eps 1e-3, momentum 0.99)."""
    bn2 = lambda c: nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        bn2(64), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Conv2d(64, 96, 3, padding=1), nn.ReLU(),
        nn.Conv2d(96, 96, 3, padding=1), nn.ReLU(),
        bn2(96), nn.MaxPool2d(2), nn.Dropout(0.25),
        SeparableConv(96, 128),
        SeparableConv(128, 128),
        bn2(128), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(6 * 6 * 128, 256), nn.ReLU(),
        nn.BatchNorm1d(256, eps=1e-3, momentum=0.01), nn.Dropout(0.5),
        nn.Linear(256, classes),
    )


def timed_median(fn, warmup, seconds):
    for _ in range(warmup):
        fn()
    times, start = [], time.perf_counter()
    while len(times) < 5 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def torch_train(layout, seconds):
    torch.manual_seed(0)
    model = custom_cnn()
    x = torch.rand(64, 1, 48, 48)
    y = torch.arange(64) % 4
    if layout == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, eps=1e-7)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return 64 / timed_median(step, 2, seconds)


def torch_infer(layout, batch, seconds):
    torch.manual_seed(0)
    model = custom_cnn().eval()
    x = torch.rand(batch, 1, 48, 48)
    if layout == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    if layout == "mkldnn":
        # Convolution stack on mkldnn tensors; the dense head (BatchNorm1d has no mkldnn kernel) dense.
        from torch.utils import mkldnn as mkldnn_utils
        features = mkldnn_utils.to_mkldnn(nn.Sequential(*list(model.children())[:-6]))
        head = nn.Sequential(*list(model.children())[-6:])
        run = lambda: head(features(x.to_mkldnn()).to_dense())
    elif layout == "torchscript":
        frozen = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(model)))
        run = lambda: frozen(x)
    else:
        run = lambda: model(x)
    with torch.inference_mode():
        t = timed_median(run, 20 if batch == 1 else 3, seconds)
    return batch / t if batch > 1 else t * 1e3


def fermap_measure(driver, mode, threads, seconds):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run([driver, "--json", mode, str(threads), str(seconds)], env=env, check=True,
                         capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    return r["ms"] if mode == "infer1" else r["images_per_s"]


MODES = {
    "train": ("training step, batch 64 (images/s)", ["NCHW", "channels_last"], True),
    "infer64": ("inference, batch 64 (images/s)", ["NCHW", "channels_last", "mkldnn", "torchscript"], True),
    "infer1": ("inference, batch 1 (ms)", ["NCHW", "channels_last", "mkldnn", "torchscript"], False),
}


def measure(name, args, mode):
    if name == "fermap":
        return fermap_measure(args.driver, mode, args.threads, args.seconds)
    if mode == "train":
        return torch_train(name, args.seconds)
    return torch_infer(name, 64 if mode == "infer64" else 1, args.seconds)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--driver", default="build/benchmarks/bench_model")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--modes", default="train,infer64,infer1")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    modes = args.modes.split(",")
    results = {m: {n: [] for n in ["fermap"] + MODES[m][1]} for m in modes}
    for rnd in range(args.rounds):
        for mode in modes:
            names = ["fermap"] + MODES[mode][1]
            shift = rnd % len(names)
            for name in names[shift:] + names[:shift]:
                v = measure(name, args, mode)
                results[mode][name].append(v)
                print(f"round {rnd + 1}/{args.rounds} {mode:8s} {name:14s} {v:9.2f}", file=sys.stderr, flush=True)

    print(f"# custom_cnn, {args.threads} threads, medians of {args.rounds} rounds; "
          f"torch {torch.__version__}; {platform.processor() or platform.machine()}")
    rows = []
    for mode in modes:
        title, torch_names, higher_better = MODES[mode]
        med = {n: statistics.median(v) for n, v in results[mode].items()}
        best_name = (max if higher_better else min)(torch_names, key=lambda n: med[n])
        ratio = med["fermap"] / med[best_name]
        cells = [f"{med['fermap']:.2f}"] + [f"{med[n]:.2f}" if n in med else "-"
                                             for n in ["NCHW", "channels_last", "mkldnn", "torchscript"]]
        rows.append([title] + cells + [best_name, f"{ratio:.2f}"])
    header = ["measure", "fermap", "torch NCHW", "torch channels_last", "torch mkldnn", "torch TorchScript",
              "PyTorch best", "fermap / best"]
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
        print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    print("(for batch 1 the figure is milliseconds: fermap / best below 1 means fermap is faster)")


if __name__ == "__main__":
    main()
