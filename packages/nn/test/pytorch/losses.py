"""Reference values for @tapegrad/nn's losses, from PyTorch (float64).

Run with Debian's python3-torch (1.13):  /usr/bin/python3 packages/nn/test/pytorch/losses.py
It rewrites losses.json beside it; losses-pytorch.test.ts replays every case. The inputs are written out here
(not drawn), so the JSON holds exactly what both libraries saw.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
INF = float("inf")

LOGITS = [
    [1.5, -0.3, 0.2, 2.0],
    [0.1, 0.4, -1.2, 0.0],
    [-2.0, 0.7, 0.3, 1.1],
    [0.0, 0.0, 3.0, -0.5],
    [0.9, -1.1, 0.6, 0.25],
]
LABELS = [3, 1, 0, 2, 1]
WEIGHT = [0.5, 2.0, 1.0, 1.5]
UPSTREAM = 1.7  # the seed gradient of a reduced loss; 'none' uses PER_SAMPLE_UPSTREAM
PER_SAMPLE_UPSTREAM = [0.3, -1.2, 0.8, 2.1, -0.4]
SOFT = [
    [0.1, 0.2, 0.3, 0.4],
    [0.7, 0.1, 0.1, 0.1],
    [0.25, 0.25, 0.25, 0.25],
    [0.0, 0.0, 1.0, 0.0],
    [0.5, 0.0, 0.0, 0.5],
]


def run(fn, inputs, reduction, upstream):
    x = torch.tensor(inputs, requires_grad=True)
    loss = fn(x)
    seed = torch.tensor(upstream if reduction == "none" else UPSTREAM).reshape(loss.shape)
    loss.backward(seed)
    return loss.tolist(), x.grad.tolist(), seed.tolist()


cases = []


def add(name, loss, inputs, target, options, fn, upstream=PER_SAMPLE_UPSTREAM):
    reduction = options.get("reduction", "mean")
    value, grad, seed = run(fn, inputs, reduction, upstream)
    cases.append(dict(name=name, loss=loss, input=inputs, target=target, options=options, seed=seed, value=value, grad=grad))


# Cross-entropy with class indices: weight, ignore_index, label_smoothing and every reduction.
for reduction in ["mean", "sum", "none"]:
    for weight in [None, WEIGHT]:
        for ignore in [None, 1]:
            for ls in [0.0, 0.2]:
                opts = {"reduction": reduction}
                kw = dict(reduction=reduction, label_smoothing=ls)
                if weight is not None:
                    opts["weight"] = weight
                    kw["weight"] = torch.tensor(weight)
                if ignore is not None:
                    opts["ignoreIndex"] = ignore
                    kw["ignore_index"] = ignore
                if ls:
                    opts["labelSmoothing"] = ls
                name = f"crossEntropy labels {reduction} weight={weight is not None} ignore={ignore} ls={ls}"
                add(name, "crossEntropy", LOGITS, LABELS, opts, lambda x, kw=kw: F.cross_entropy(x, torch.tensor(LABELS), **kw))

# Cross-entropy with probabilities: weight and label smoothing (ignore_index does not apply).
for reduction in ["mean", "sum", "none"]:
    for weight in [None, WEIGHT]:
        for ls in [0.0, 0.3]:
            opts = {"reduction": reduction}
            kw = dict(reduction=reduction, label_smoothing=ls)
            if weight is not None:
                opts["weight"] = weight
                kw["weight"] = torch.tensor(weight)
            if ls:
                opts["labelSmoothing"] = ls
            name = f"crossEntropy probabilities {reduction} weight={weight is not None} ls={ls}"
            add(name, "crossEntropy", LOGITS, SOFT, opts, lambda x, kw=kw: F.cross_entropy(x, torch.tensor(SOFT), **kw))

# Cross-entropy over [N, C, d]: the class axis is 1, as in PyTorch (a per-position loss, e.g. per token).
LOGITS_3D = [[[0.2, -0.4, 1.0], [1.1, 0.3, -0.7]], [[-0.5, 0.9, 0.0], [0.4, 0.4, 2.2]]]  # [N=2, C=2, d=3]
LABELS_3D = [[1, 0, -100], [0, 1, 1]]
for reduction in ["mean", "none"]:
    opts = {"reduction": reduction, "labelSmoothing": 0.1}
    add(
        f"crossEntropy [N, C, d] {reduction} ignore -100 ls=0.1",
        "crossEntropy",
        LOGITS_3D,
        LABELS_3D,
        opts,
        lambda x, r=reduction: F.cross_entropy(x, torch.tensor(LABELS_3D), reduction=r, label_smoothing=0.1),
        upstream=[[0.5, -1.0, 0.25], [1.5, 0.75, -0.3]],
    )

# A logit of -Infinity away from the label (issue 12): finite loss and gradient.
add(
    "crossEntropy -Infinity logit",
    "crossEntropy",
    [[0.0, -INF, 1.0], [2.0, 0.5, -INF]],
    [0, 1],
    {"reduction": "sum"},
    lambda x: F.cross_entropy(x, torch.tensor([0, 1]), reduction="sum"),
)

# NLL on log-probabilities.
LOGP = torch.log_softmax(torch.tensor(LOGITS), 1).tolist()
for reduction in ["mean", "sum", "none"]:
    for weight in [None, WEIGHT]:
        for ignore in [None, 3]:
            opts = {"reduction": reduction}
            kw = dict(reduction=reduction)
            if weight is not None:
                opts["weight"] = weight
                kw["weight"] = torch.tensor(weight)
            if ignore is not None:
                opts["ignoreIndex"] = ignore
                kw["ignore_index"] = ignore
            name = f"nllLoss {reduction} weight={weight is not None} ignore={ignore}"
            add(name, "nllLoss", LOGP, LABELS, opts, lambda x, kw=kw: F.nll_loss(x, torch.tensor(LABELS), **kw))

# Regression losses: differences on both sides of beta / delta, none at a kink.
PRED = [[0.3, -2.0, 1.25], [0.05, 4.0, -0.6]]
TRUE = [[0.0, 0.5, 1.0], [-0.4, 1.0, -0.2]]
UP2 = [[0.3, -1.2, 0.8], [2.1, -0.4, 1.1]]
for reduction in ["mean", "sum", "none"]:
    opts = {"reduction": reduction}
    add(f"l1Loss {reduction}", "l1Loss", PRED, TRUE, opts, lambda x, r=reduction: F.l1_loss(x, torch.tensor(TRUE), reduction=r), UP2)
    for beta in [1.0, 0.5, 0.0]:
        o = dict(opts, beta=beta)
        add(
            f"smoothL1Loss {reduction} beta={beta}",
            "smoothL1Loss",
            PRED,
            TRUE,
            o,
            lambda x, r=reduction, b=beta: F.smooth_l1_loss(x, torch.tensor(TRUE), reduction=r, beta=b),
            UP2,
        )
    for delta in [1.0, 0.35, 2.0]:
        o = dict(opts, delta=delta)
        add(
            f"huberLoss {reduction} delta={delta}",
            "huberLoss",
            PRED,
            TRUE,
            o,
            lambda x, r=reduction, d=delta: F.huber_loss(x, torch.tensor(TRUE), reduction=r, delta=d),
            UP2,
        )

# Binary cross-entropy at p = 0 and p = 1 (issue 12), and confidently wrong predictions (log clamped at -100).
P = [0.0, 1.0, 0.5, 0.0, 1.0, 0.8]
T = [0.0, 1.0, 1.0, 1.0, 0.0, 0.3]
for reduction in ["mean", "sum", "none"]:
    add(
        f"binaryCrossEntropy {reduction} at p = 0 and 1",
        "binaryCrossEntropy",
        P,
        T,
        {"reduction": reduction},
        lambda x, r=reduction: F.binary_cross_entropy(x, torch.tensor(T), reduction=r),
        upstream=[0.3, -1.2, 0.8, 2.1, -0.4, 1.1],
    )

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses.json")


def clean(v):
    if isinstance(v, float) and math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    if isinstance(v, list):
        return [clean(x) for x in v]
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    return v


with open(out, "w") as f:
    # One case per line: diffs stay readable when a case changes.
    f.write('{"torch": "%s", "cases": [\n' % torch.__version__)
    f.write(",\n".join(json.dumps(clean(c)) for c in cases))
    f.write("\n]}\n")
print(f"{len(cases)} cases -> {out}")
