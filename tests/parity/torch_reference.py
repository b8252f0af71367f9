#!/usr/bin/python3
"""PyTorch reference cases for fermap's parity test (tests/test_parity_torch.cpp).

Usage: torch_reference.py OUT_DIR [layers|custom_cnn|all]

Writes OUT_DIR/index.json and OUT_DIR/tensors.bin. Every tensor is stored as raw little-endian
float32 in tensors.bin; the index gives, per case, each tensor's {"offset" (in floats), "shape"}.
All tensors are in fermap's layouts: activations NHWC, conv kernels [KH][KW][Cin][Cout], depthwise
kernels [KH][KW][C], Dense kernels [in][out]. The conversion to PyTorch's layouts happens here,
inside the autograd graph, so the gradients come back in fermap's layouts too.

Inputs, weights and upstream gradients are drawn as float32 from fixed seeds; the reference is then
computed in float64 from those exact float32 values, so a mismatch measures fermap's error alone.

Keras semantics reproduced here: TensorFlow "same" padding (extra pad at the end), batch norm with
momentum 0.99 / epsilon 1e-3 whose moving variance is updated with the BIASED batch variance,
cross-entropy loss = sum_i w[y_i] * loss_i / N with target (1-s)*onehot + s/K, L2 = lambda*sum w^2
over kernels, Keras' Adam (epsilon outside the bias correction).

Case modes (the C++ test dispatches on them):
  train          training forward of a layer chain: y, then dx and every parameter gradient for a
                 given dy, and the moving statistics after the step ("after:<param>")
  infer          inference forward only
  dropout_train  x and dy only: fermap's own mask is checked for consistency in C++
  loss           softmax cross-entropy: loss value and dL/dlogits
  distill        distillation loss T^2 * KL(teacher || softmax(z / T)): loss value and dL/dlogits
  adam_step      one full training step of custom_cnn with L2 and Adam

Cases in train and adam_step mode also list "zero_grads": bias gradients that are zero by
construction (a bias right before a batch norm), each with the magnitude of the terms that cancel,
against which fermap's float32 rounding noise is measured. "conditioning" records the smallest
|ReLU input| and max-pool top-2 gap, where float32 and float64 could take different branches.
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

DT = torch.float64


class Store:
    """Accumulates float32 tensors into one blob; returns their index entries."""

    def __init__(self):
        self.parts = []
        self.offset = 0

    def add(self, t):
        a = t.detach().to(torch.float32).contiguous().numpy().astype("<f4", copy=False)
        entry = {"offset": self.offset, "shape": list(a.shape)}
        self.parts.append(a.tobytes())
        self.offset += a.size
        return entry

    def write(self, path):
        with open(path, "wb") as f:
            for p in self.parts:
                f.write(p)


# ----------------------------------------------------------------------------------------------
# Layer specs: the same {"type", "config"} objects fermap's make_layer reads.

def conv(filters, k=3, stride=1, padding="same", bias=True, act="linear"):
    kernel = list(k) if isinstance(k, tuple) else [k, k]
    return {"type": "Conv2D", "config": {"filters": filters, "kernel": kernel, "stride": stride,
                                         "padding": padding, "use_bias": bias, "activation": act}}


def depthwise(k=3, stride=1, padding="same", bias=True, act="linear"):
    return {"type": "DepthwiseConv2D", "config": {"kernel": [k, k], "stride": stride,
                                                  "padding": padding, "use_bias": bias,
                                                  "activation": act}}


def separable(filters, k=3, padding="same", bias=True, act="linear"):
    return {"type": "SeparableConv2D", "config": {"filters": filters, "kernel": [k, k],
                                                  "padding": padding, "use_bias": bias,
                                                  "activation": act}}


def bn(momentum=0.99, epsilon=1e-3):
    return {"type": "BatchNormalization", "config": {"momentum": momentum, "epsilon": epsilon}}


def maxpool(k=2, stride=0, padding="valid"):
    pool = list(k) if isinstance(k, tuple) else [k, k]
    return {"type": "MaxPooling2D", "config": {"pool": pool, "stride": stride or pool[0],
                                               "padding": padding}}


def dense(units, bias=True, act="linear"):
    return {"type": "Dense", "config": {"units": units, "use_bias": bias, "activation": act}}


def zeropad(top, bottom, left, right):
    return {"type": "ZeroPadding2D", "config": {"top": top, "bottom": bottom, "left": left,
                                                "right": right}}


def simple(type_name):
    return {"type": type_name, "config": {}}


def dropout(rate):
    return {"type": "Dropout", "config": {"rate": rate}}


def residual(main, shortcut):
    return {"type": "ResidualBlock", "config": {"main": main, "shortcut": shortcut}}


def snake_case(type_name):
    """'SeparableConv2D' -> 'separable_conv2d', 'ReLU' -> 're_lu', as fermap and Keras name layers."""
    out = ""
    for i, c in enumerate(type_name):
        if c.isupper() and i > 0 and type_name[i - 1].islower():
            out += "_"
        out += c.lower()
    return out


def assign_names(layers, counts=None, names=None):
    """Names every layer (nested ones depth-first, main path before shortcut) as fermap's Model does.
    Returns {id(spec): name}."""
    counts = {} if counts is None else counts
    names = {} if names is None else names
    for spec in layers:
        base = snake_case(spec["type"])
        k = counts.get(base, 0)
        counts[base] = k + 1
        names[id(spec)] = base if k == 0 else f"{base}_{k}"
        if spec["type"] == "ResidualBlock":
            assign_names(spec["config"]["main"], counts, names)
            assign_names(spec["config"]["shortcut"], counts, names)
    return names


# ----------------------------------------------------------------------------------------------
# The network, functionally, on NHWC float64 tensors.

class Net:
    """Runs a list of layer specs. Parameters are created on first use from `gen` (float32 values),
    so every case is determined by its seed alone."""

    def __init__(self, layers, gen, dropout_identity=False):
        self.layers = layers
        self.names = assign_names(layers)
        self.gen = gen
        self.params = {}      # "conv2d/kernel" -> leaf tensor (requires_grad for trainables)
        self.trainable = []   # names, in creation order
        self.l2 = []          # names of the regularised kernels
        self.after = {}       # moving statistics after a training forward
        self.kinks = []       # |pre-activation| minima of every ReLU, for the conditioning report
        self.pool_gaps = []   # smallest non-zero top-2 gap of every max-pool window
        self.bias_outputs = {}  # bias name -> (the output it is added to, its channel dim)
        self.dropout_identity = dropout_identity

    # -- parameter creation ------------------------------------------------------------------
    def _uniform(self, shape, lo, hi):
        u = torch.rand(shape, generator=self.gen, dtype=torch.float32)
        return (lo + (hi - lo) * u).to(DT)

    def _param(self, layer, name, shape, kind, fan=None):
        key = f"{layer}/{name}"
        if key not in self.params:
            if kind == "kernel":
                limit = math.sqrt(6.0 / (fan[0] + fan[1]))
                t = self._uniform(shape, -limit, limit)
            elif kind == "bias":
                t = self._uniform(shape, -0.2, 0.2)
            elif kind == "gamma":
                t = self._uniform(shape, 0.5, 1.5)
            elif kind == "beta":
                t = self._uniform(shape, -0.3, 0.3)
            elif kind == "moving_mean":
                t = self._uniform(shape, -0.3, 0.3)
            elif kind == "moving_variance":
                t = self._uniform(shape, 0.5, 2.0)
            else:
                raise ValueError(kind)
            if kind in ("moving_mean", "moving_variance"):
                self.params[key] = t
            else:
                self.params[key] = t.requires_grad_(True)
                self.trainable.append(key)
            if kind == "kernel":
                self.l2.append(key)
        return self.params[key]

    # -- ops -----------------------------------------------------------------------------------
    @staticmethod
    def _same_pads(n, k, s):
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        return total // 2, total - total // 2   # TensorFlow: the odd pixel goes at the end

    def _pad(self, xc, kh, kw, stride, padding, value=0.0):
        if padding == "valid":
            return xc
        t, b = self._same_pads(xc.shape[2], kh, stride)
        l, r = self._same_pads(xc.shape[3], kw, stride)
        return F.pad(xc, (l, r, t, b), value=value)

    def _track_bias(self, layer, z, channel_dim):
        if f"{layer}/bias" in self.params and z.requires_grad:
            z.retain_grad()
            self.bias_outputs[f"{layer}/bias"] = (z, channel_dim)

    def zero_gradients(self):
        """Bias gradients that are zero by construction, all of them (a bias added right before a
        batch norm: the mean subtraction cancels it), each with the scale its float32 rounding
        error is measured against: max over channels of sum |dL/dz|, the magnitude of the terms
        that cancel. Called after backward."""
        out = {}
        for key, (z, dim) in self.bias_outputs.items():
            dims = [d for d in range(z.dim()) if d != dim]
            scale = float(z.grad.abs().sum(dim=dims).max())
            if float(self.params[key].grad.abs().max()) <= 1e-10 * scale:
                out[key] = scale
        return out

    def _act(self, z, act):
        if act == "relu":
            self.kinks.append(float(z.detach().abs().min()))
            return F.relu(z)
        return z

    def _conv2d(self, name, c, x, kernel_name="kernel", bias=None):
        kh, kw = c["kernel"]
        cin = x.shape[3]
        k = self._param(name, kernel_name, (kh, kw, cin, c["filters"]), "kernel",
                        (kh * kw * cin, kh * kw * c["filters"]))
        b = bias
        if b is None and c["use_bias"]:
            b = self._param(name, "bias", (c["filters"],), "bias")
        xc = self._pad(x.permute(0, 3, 1, 2), kh, kw, c.get("stride", 1), c["padding"])
        z = F.conv2d(xc, k.permute(3, 2, 0, 1), b, stride=c.get("stride", 1))
        self._track_bias(name, z, 1)
        return z.permute(0, 2, 3, 1)

    def _depthwise(self, name, c, x, use_bias):
        kh, kw = c["kernel"]
        ch = x.shape[3]
        k = self._param(name, "depthwise_kernel", (kh, kw, ch), "kernel", (kh * kw * ch, kh * kw))
        b = self._param(name, "bias", (ch,), "bias") if use_bias else None
        stride = c.get("stride", 1)
        xc = self._pad(x.permute(0, 3, 1, 2), kh, kw, stride, c["padding"])
        z = F.conv2d(xc, k.permute(2, 0, 1).unsqueeze(1), b, stride=stride, groups=ch)
        self._track_bias(name, z, 1)
        return z.permute(0, 2, 3, 1)

    def _batch_norm(self, name, c, x, training):
        ch = x.shape[-1]
        gamma = self._param(name, "gamma", (ch,), "gamma")
        beta = self._param(name, "beta", (ch,), "beta")
        mm = self._param(name, "moving_mean", (ch,), "moving_mean")
        mv = self._param(name, "moving_variance", (ch,), "moving_variance")
        rows = x.reshape(-1, ch)   # NHWC: a channel's values are one column
        if not training:
            return F.batch_norm(rows, mm, mv, gamma, beta, training=False,
                                eps=c["epsilon"]).reshape(x.shape)
        # PyTorch's own running-stat update (momentum 1-m, unbiased variance) ...
        run_mean, run_var = mm.clone(), mv.clone()
        y = F.batch_norm(rows, run_mean, run_var, gamma, beta, training=True,
                         momentum=1.0 - c["momentum"], eps=c["epsilon"])
        # ... and Keras' (biased variance), derived from it so both stay tied to PyTorch.
        m, n = c["momentum"], rows.shape[0]
        batch_mean = (run_mean - m * mm) / (1.0 - m)
        unbiased = (run_var - m * mv) / (1.0 - m)
        biased = rows.detach().var(0, unbiased=False)
        assert torch.allclose(batch_mean, rows.detach().mean(0), rtol=1e-9, atol=1e-12)
        assert torch.allclose(unbiased * (n - 1) / n, biased, rtol=1e-9, atol=1e-12)
        self.after[f"{name}/moving_mean"] = m * mm + (1.0 - m) * batch_mean
        self.after[f"{name}/moving_variance"] = m * mv + (1.0 - m) * biased
        return y.reshape(x.shape)

    def _maxpool(self, c, x):
        ph, pw = c["pool"]
        s = c["stride"]
        xc = self._pad(x.permute(0, 3, 1, 2), ph, pw, s, c["padding"], value=-math.inf)
        # Conditioning: the gap between the two largest values of each window (exact ties, as
        # BN(ReLU(0)) gives, resolve to the first in both engines and are left out).
        win = F.unfold(xc.detach().reshape(-1, 1, *xc.shape[2:]), (ph, pw), stride=s)
        top2 = win.topk(2, dim=1).values
        gap = top2[:, 0] - top2[:, 1]
        gap = gap[gap > 0]
        if gap.numel():
            self.pool_gaps.append(float(gap.min()))
        return F.max_pool2d(xc, (ph, pw), s).permute(0, 2, 3, 1)

    def layer(self, spec, x, training):
        t, c, name = spec["type"], spec["config"], self.names[id(spec)]
        if t == "Conv2D":
            return self._act(self._conv2d(name, c, x), c["activation"])
        if t == "DepthwiseConv2D":
            return self._act(self._depthwise(name, c, x, c["use_bias"]), c["activation"])
        if t == "SeparableConv2D":
            mid = self._depthwise(name, c, x, False)
            z = self._conv2d(name, {"filters": c["filters"], "kernel": [1, 1], "padding": "valid",
                                    "use_bias": c["use_bias"]}, mid, kernel_name="pointwise_kernel")
            return self._act(z, c["activation"])
        if t == "BatchNormalization":
            return self._batch_norm(name, c, x, training)
        if t == "MaxPooling2D":
            return self._maxpool(c, x)
        if t == "Dense":
            k = self._param(name, "kernel", (x.shape[1], c["units"]), "kernel",
                            (x.shape[1], c["units"]))
            b = self._param(name, "bias", (c["units"],), "bias") if c["use_bias"] else None
            z = F.linear(x, k.t(), b)
            self._track_bias(name, z, 1)
            return self._act(z, c["activation"])
        if t == "ReLU":
            return self._act(x, "relu")
        if t == "Flatten":
            # Keras order: x is NHWC here; from an NCHW tensor this is permute(0, 2, 3, 1) first.
            return x.reshape(x.shape[0], -1)
        if t == "ZeroPadding2D":
            xc = F.pad(x.permute(0, 3, 1, 2), (c["left"], c["right"], c["top"], c["bottom"]))
            return xc.permute(0, 2, 3, 1)
        if t == "GlobalAveragePooling2D":
            return x.mean(dim=(1, 2))
        if t == "Dropout":
            if training and not self.dropout_identity:
                raise ValueError("training-mode dropout has no deterministic reference")
            return F.dropout(x, c["rate"], training=False)
        if t == "ResidualBlock":
            a = self.chain(c["main"], x, training)
            b = self.chain(c["shortcut"], x, training)
            return self._act(a + b, "relu")
        raise ValueError(f"unknown layer type {t}")

    def chain(self, layers, x, training):
        for spec in layers:
            x = self.layer(spec, x, training)
        return x

    def forward(self, x, training):
        return self.chain(self.layers, x, training)


# ----------------------------------------------------------------------------------------------
# Cases.

def generator(seed):
    return torch.Generator().manual_seed(seed)


def randn(gen, shape, scale=1.0):
    return (scale * torch.randn(shape, generator=gen, dtype=torch.float32)).to(DT)


def conditioning(net):
    return {"min_relu_input": min(net.kinks) if net.kinks else None,
            "min_pool_gap": min(net.pool_gaps) if net.pool_gaps else None}


def layer_case(store, name, layers, sample, batch=3, mode="train", seed=0):
    gen = generator(seed)
    x = randn(gen, (batch, *sample)).requires_grad_(True)
    net = Net(layers, gen)
    y = net.forward(x, training=(mode == "train"))
    tensors = {"x": store.add(x), "y": store.add(y)}
    for key, p in net.params.items():
        tensors[f"param:{key}"] = store.add(p)
    if mode == "train":
        dy = randn(gen, tuple(y.shape))
        y.backward(dy)
        tensors["dy"] = store.add(dy)
        tensors["dx"] = store.add(x.grad)
        for key in net.trainable:
            tensors[f"grad:{key}"] = store.add(net.params[key].grad)
        for key, t in net.after.items():
            tensors[f"after:{key}"] = store.add(t)
    return {"name": name, "mode": mode, "input": list(sample), "layers": layers,
            "tensors": tensors, "zero_grads": net.zero_gradients() if mode == "train" else {},
            "conditioning": conditioning(net)}


def dropout_train_case(store, name, rate, sample, batch, seed):
    gen = generator(seed)
    x = randn(gen, (batch, *sample))
    dy = randn(gen, (batch, *sample))
    return {"name": name, "mode": "dropout_train", "input": list(sample), "layers": [dropout(rate)],
            "tensors": {"x": store.add(x), "dy": store.add(dy)}}


def cross_entropy(logits, labels, smoothing, class_weights):
    """Keras' loss: sum_i w[y_i] * CE(target_i, softmax(z_i)) / N. PyTorch's `weight=` argument
    would instead divide by sum_i w[y_i] and weight the smoothing term per class, so the weights
    are applied here, per sample, to PyTorch's unweighted per-sample loss."""
    per_sample = F.cross_entropy(logits, labels, reduction="none", label_smoothing=smoothing)
    k = logits.shape[1]
    target = (1.0 - smoothing) * F.one_hot(labels, k).to(DT) + smoothing / k
    manual = -(target * F.log_softmax(logits, dim=1)).sum(1)
    assert torch.allclose(per_sample, manual, rtol=1e-12, atol=1e-12)
    w = torch.ones(logits.shape[0], dtype=DT) if class_weights is None else \
        torch.tensor(class_weights, dtype=torch.float32).to(DT)[labels]
    return (w * per_sample).sum() / logits.shape[0]


def loss_case(store, name, n, k, smoothing, class_weights, seed, scale=3.0):
    gen = generator(seed)
    logits = randn(gen, (n, k), scale).requires_grad_(True)
    labels = torch.randint(0, k, (n,), generator=gen)
    loss = cross_entropy(logits, labels, smoothing, class_weights)
    loss.backward()
    return {"name": name, "mode": "loss", "labels": labels.tolist(),
            "label_smoothing": smoothing, "class_weights": class_weights or [],
            "loss": float(loss), "tensors": {"logits": store.add(logits),
                                             "dlogits": store.add(logits.grad)}}


def distill_case(store, name, n, k, temperature, seed, scale=3.0):
    """Hinton's distillation term as PyTorch users write it: kl_div over log_softmax(z / T),
    batch mean, times T^2. The teacher's probabilities come from other random logits at T."""
    gen = generator(seed)
    logits = randn(gen, (n, k), scale).requires_grad_(True)
    teacher = F.softmax(randn(gen, (n, k), scale) / temperature, dim=1).to(torch.float32).to(DT)
    loss = F.kl_div(F.log_softmax(logits / temperature, dim=1), teacher, reduction="batchmean") * temperature ** 2
    loss.backward()
    return {"name": name, "mode": "distill", "temperature": temperature, "loss": float(loss),
            "tensors": {"logits": store.add(logits), "teacher": store.add(teacher),
                        "dlogits": store.add(logits.grad)}}


def custom_cnn_layers(classes):
    """zoo.cpp's custom_cnn, layer for layer (the C++ test checks the two architectures agree)."""
    return [conv(32, act="relu"), conv(64, act="relu"), bn(), maxpool(), dropout(0.25),
            conv(96, act="relu"), conv(96, act="relu"), bn(), maxpool(), dropout(0.25),
            separable(128, act="relu"), separable(128, act="relu"), bn(), maxpool(), dropout(0.25),
            simple("Flatten"), dense(256, act="relu"), bn(), dropout(0.5),
            dense(classes)]


def adam_step_case(store, seed=7):
    classes, batch, sample = 4, 4, (48, 48, 1)
    lr, l2, b1, b2, eps = 1e-3, 1e-4, 0.9, 0.999, 1e-7
    smoothing, class_weights = 0.1, [1.0, 2.0, 0.5, 1.5]
    gen = generator(seed)
    layers = custom_cnn_layers(classes)
    # Dropout is the identity here (fermap runs the same architecture with every rate set to 0):
    # its training-mode masks come from fermap's own counter-based generator.
    net = Net(layers, gen, dropout_identity=True)
    x = torch.rand((batch, *sample), generator=gen, dtype=torch.float32).to(DT)  # pixels in [0,1)
    labels = torch.tensor([0, 3, 1, 2])
    with torch.no_grad():   # inference (moving statistics) first; it creates the parameters
        infer_logits = net.forward(x, training=False)
    logits = net.forward(x, training=True)
    tensors = {"x": store.add(x), "logits": store.add(logits), "infer_logits": store.add(infer_logits)}
    initial = {key: p.detach().clone() for key, p in net.params.items()}
    for key, p in initial.items():
        tensors[f"param:{key}"] = store.add(p)

    ce = cross_entropy(logits, labels, smoothing, class_weights)
    penalty = l2 * sum((net.params[key] ** 2).sum() for key in net.l2)
    loss = ce + penalty
    logits.retain_grad()
    loss.backward()
    tensors["dlogits"] = store.add(logits.grad)   # from the cross-entropy alone
    for key in net.trainable:
        tensors[f"grad:{key}"] = store.add(net.params[key].grad)   # L2 gradient included

    # Keras' Adam via torch.optim.Adam: PyTorch computes
    #   w -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps_torch),
    # which equals Keras' lr_t * m / (sqrt(v) + eps) for eps_torch = eps / sqrt(1 - b2^t).
    t = 1
    trainables = [net.params[key] for key in net.trainable]
    keras = {}
    for key, p in zip(net.trainable, trainables):   # Keras' formula, written out, as a cross-check
        g = p.grad.detach()
        m, v = (1 - b1) * g, (1 - b2) * g * g
        lr_t = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        keras[key] = p.detach() - lr_t * m / (v.sqrt() + eps)
    opt = torch.optim.Adam(trainables, lr=lr, betas=(b1, b2), eps=eps / math.sqrt(1 - b2 ** t))
    opt.step()
    for key in net.trainable:
        diff = float((keras[key] - net.params[key].detach()).abs().max())
        assert diff < 1e-12, f"Adam reformulation differs on {key}: {diff}"
    for key in net.params:
        final = net.after.get(key, net.params[key])
        tensors[f"after:{key}"] = store.add(final)
    total = sum(p.numel() for p in net.params.values())
    return {"name": "custom_cnn_adam_step", "mode": "adam_step", "model": "custom_cnn",
            "classes": classes, "input": list(sample), "layers": layers, "labels": labels.tolist(),
            "lr": lr, "l2": l2, "beta1": b1, "beta2": b2, "epsilon": eps,
            "label_smoothing": smoothing, "class_weights": class_weights,
            "loss": float(loss), "l2_names": net.l2, "total_params": total,
            "zero_grads": net.zero_gradients(),
            "tensors": tensors, "conditioning": conditioning(net)}


def layer_cases(store):
    cases = []
    seed = iter(range(100, 1000))

    def add(name, layers, sample, batch=3, mode="train"):
        cases.append(layer_case(store, name, layers, sample, batch, mode, next(seed)))

    # Conv2D
    add("conv2d_3x3_same_s1_bias", [conv(4)], (5, 7, 3))
    add("conv2d_3x3_same_s1_nobias", [conv(5, bias=False)], (7, 5, 3))
    add("conv2d_3x3_same_s1_relu", [conv(4, act="relu")], (5, 7, 3))
    add("conv2d_3x3_same_s2_odd", [conv(4, stride=2)], (7, 5, 3))
    add("conv2d_3x3_same_s2_even", [conv(3, stride=2, act="relu")], (6, 8, 2))
    add("conv2d_1x1_valid", [conv(6, k=1, padding="valid", bias=False)], (5, 7, 3))
    add("conv2d_1x1_valid_s2", [conv(4, k=1, stride=2, padding="valid")], (7, 6, 3))
    add("conv2d_7x7_valid_s2", [conv(4, k=7, stride=2, padding="valid")], (13, 12, 3))
    add("conv2d_7x7_valid_s2_nobias_relu", [conv(5, k=7, stride=2, padding="valid", bias=False,
                                                 act="relu")], (11, 14, 2))
    add("conv2d_4x4_same_s1_even_kernel", [conv(3, k=4)], (6, 5, 2))
    add("conv2d_5x5_same_s1", [conv(3, k=5)], (5, 7, 3))
    add("conv2d_3x3_valid_s1", [conv(4, padding="valid")], (5, 7, 3))
    add("conv2d_1x3_same_s2", [conv(3, k=(1, 3), stride=2)], (6, 7, 3))
    add("conv2d_5x3_valid_s1_relu", [conv(4, k=(5, 3), padding="valid", act="relu")], (7, 6, 2))
    add("conv2d_batch1", [conv(5, stride=2)], (7, 5, 3), batch=1)
    add("conv2d_many_channels_tiled", [conv(7, act="relu")], (9, 11, 48))
    add("conv2d_infer", [conv(4, stride=2, act="relu")], (7, 5, 3), mode="infer")
    # DepthwiseConv2D
    add("depthwise_3x3_same_s1_bias", [depthwise()], (5, 7, 3))
    add("depthwise_3x3_same_s2_relu_nobias", [depthwise(stride=2, bias=False, act="relu")], (7, 6, 5))
    add("depthwise_3x3_valid", [depthwise(padding="valid")], (5, 7, 4))
    # SeparableConv2D
    add("separable_3x3_same_relu", [separable(6, act="relu")], (5, 7, 3))
    add("separable_3x3_same_nobias", [separable(4, bias=False)], (7, 5, 2))
    add("separable_3x3_valid", [separable(5, padding="valid")], (6, 7, 3))
    add("separable_infer", [separable(4, act="relu")], (5, 7, 3), mode="infer")
    # BatchNormalization
    add("batch_norm_4d_train", [bn()], (5, 7, 3))
    add("batch_norm_2d_train", [bn()], (11,), batch=5)
    add("batch_norm_4d_train_resnet_eps", [bn(0.99, 1.001e-5)], (7, 5, 4), batch=2)
    add("batch_norm_4d_infer", [bn()], (5, 7, 3), mode="infer")
    add("batch_norm_2d_infer", [bn()], (11,), batch=5, mode="infer")
    # Pooling and padding
    add("maxpool_2x2_s2_valid", [maxpool()], (5, 7, 3))
    add("maxpool_2x2_s2_valid_even", [maxpool()], (6, 8, 2))
    add("zeropad1_maxpool_3x3_s2", [zeropad(1, 1, 1, 1), maxpool(3, 2)], (7, 5, 3))
    add("maxpool_3x3_s2_same", [maxpool(3, 2, "same")], (6, 7, 2))
    add("maxpool_2x3_s2_valid", [maxpool((2, 3), 2)], (7, 8, 3))
    add("maxpool_infer", [maxpool(3, 2, "same")], (7, 5, 3), mode="infer")
    add("zeropad_asymmetric", [zeropad(1, 2, 3, 0)], (5, 7, 3))
    add("global_avg_pool", [simple("GlobalAveragePooling2D")], (5, 7, 3))
    # Dense, Flatten, ReLU
    add("dense_relu", [dense(7, act="relu")], (13,), batch=5)
    add("dense_linear", [dense(4)], (13,), batch=5)
    add("dense_linear_nobias", [dense(6, bias=False)], (9,), batch=3)
    add("flatten_dense", [simple("Flatten"), dense(5, act="relu")], (5, 7, 3))
    add("relu", [simple("ReLU")], (5, 7, 3))
    add("relu_2d", [simple("ReLU")], (17,), batch=4)
    # Dropout at inference is the identity
    add("dropout_infer", [dropout(0.5)], (5, 7, 3), mode="infer")
    # Residual blocks
    add("residual_projection", [residual(
        [conv(4, stride=2), bn(), simple("ReLU"), conv(4), bn()],
        [conv(4, k=1, stride=2, padding="valid"), bn()])], (7, 5, 3))
    add("residual_identity", [residual([conv(3), bn(), simple("ReLU"), conv(3), bn()], [])],
        (5, 7, 3))
    add("residual_block_infer", [residual(
        [conv(4), bn(), simple("ReLU"), conv(4), bn()],
        [conv(4, k=1, padding="valid"), bn()])], (5, 7, 3), mode="infer")
    # A small network: stem, a block, head
    small = [conv(4, k=7, stride=2, padding="valid", act="relu"), bn(), zeropad(1, 1, 1, 1),
             maxpool(3, 2), residual([conv(4), bn(), simple("ReLU"), conv(4), bn()], []),
             simple("GlobalAveragePooling2D"), dense(3)]
    add("small_network", small, (17, 15, 3))
    add("small_network_infer", small, (17, 15, 3), mode="infer")

    cases.append(dropout_train_case(store, "dropout_train", 0.3, (9, 11, 5), 4, next(seed)))

    # Softmax cross-entropy
    cases.append(loss_case(store, "loss_plain", 5, 4, 0.0, None, next(seed)))
    cases.append(loss_case(store, "loss_label_smoothing", 6, 7, 0.1, None, next(seed)))
    cases.append(loss_case(store, "loss_class_weights", 5, 4, 0.0, [0.5, 2.0, 1.0, 3.0],
                           next(seed)))
    cases.append(loss_case(store, "loss_smoothing_and_weights", 7, 4, 0.2, [1.5, 0.25, 1.0, 2.0],
                           next(seed)))
    cases.append(loss_case(store, "loss_confident", 4, 3, 0.05, None, next(seed), scale=40.0))
    cases.append(distill_case(store, "distill_t1", 5, 4, 1.0, next(seed)))
    cases.append(distill_case(store, "distill_t3", 6, 7, 3.0, next(seed)))
    cases.append(distill_case(store, "distill_confident", 4, 4, 2.0, next(seed), scale=40.0))
    return cases


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and
                                       sys.argv[2] not in ("layers", "custom_cnn", "all")):
        sys.exit("usage: torch_reference.py OUT_DIR [layers|custom_cnn|all]")
    out_dir = sys.argv[1]
    group = sys.argv[2] if len(sys.argv) == 3 else "all"
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    os.makedirs(out_dir, exist_ok=True)
    store = Store()
    cases = []
    if group in ("layers", "all"):
        cases += layer_cases(store)
    if group in ("custom_cnn", "all"):
        cases.append(adam_step_case(store))
    index = {"format": 1, "torch": torch.__version__, "numpy": np.__version__, "cases": cases}
    # Written to temporary names, then renamed: a reader never sees half a file.
    store.write(os.path.join(out_dir, "tensors.bin.tmp"))
    with open(os.path.join(out_dir, "index.json.tmp"), "w") as f:
        json.dump(index, f)
    os.replace(os.path.join(out_dir, "tensors.bin.tmp"), os.path.join(out_dir, "tensors.bin"))
    os.replace(os.path.join(out_dir, "index.json.tmp"), os.path.join(out_dir, "index.json"))


if __name__ == "__main__":
    main()
