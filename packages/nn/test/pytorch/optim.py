"""Reference trajectories for @tapegrad/nn's optimisers, schedulers and gradient clipping, from PyTorch (float64).

Run with Debian's python3-torch (1.13):  /usr/bin/python3 packages/nn/test/pytorch/optim.py
It rewrites optim.json beside it; optim-pytorch.test.ts replays every case. Each optimiser case sets the
gradients itself, step by step (None: the parameter has no gradient at that step), so both libraries see
exactly the same numbers and only the update rules are compared.
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)

W0 = [0.5, -1.2, 2.0]
B0 = [0.3, -0.1]
# Gradients per step for w and b. b gets none until step 3 (its state, and its step count, start late);
# the gradients shrink after step 4, so AMSGrad's running maximum differs from Adam's second moment.
GRADS = [
    ([0.9, -0.4, 1.5], None),
    ([0.7, 0.2, -1.1], None),
    ([1.2, -0.8, 0.3], [0.5, -2.0]),
    ([-0.6, 1.0, 0.9], [1.5, 0.4]),
    ([0.1, -0.05, 0.2], [-0.2, 0.1]),
    ([0.05, 0.02, -0.1], None),
    ([-0.02, 0.04, 0.01], [0.05, -0.03]),
]

cases = []


SNAKE = {"weightDecay": "weight_decay", "lrDecay": "lr_decay"}


def torch_group(group, w, b):
    """A group as PyTorch spells it (snake_case options, tuple betas); PyTorch keeps unknown keys silently."""
    out = {SNAKE.get(k, k): tuple(v) if k == "betas" else v for k, v in group.items()}
    out["params"] = [w] if group["params"] == "w" else [b]
    return out


def trajectory(name, make, groups=None, options=None):
    w = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    opt = make([w, b]) if groups is None else make([torch_group(g, w, b) for g in groups])
    out = []
    for gw, gb in GRADS:
        opt.zero_grad()  # PyTorch 1.13 sets grads to None here
        w.grad = None if gw is None else torch.tensor(gw)
        b.grad = None if gb is None else torch.tensor(gb)
        opt.step()
        out.append([w.tolist(), b.tolist()])
    cases.append(dict(name=name, optimizer=name.split(" ")[0], options=options or {}, groups=groups, w0=W0, b0=B0, grads=GRADS, params=out))


O = torch.optim
trajectory("SGD momentum", lambda p: O.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01), options=dict(lr=0.1, momentum=0.9, weightDecay=0.01))
trajectory(
    "SGD nesterov dampening-free", lambda p: O.SGD(p, lr=0.05, momentum=0.5, nesterov=True), options=dict(lr=0.05, momentum=0.5, nesterov=True)
)
trajectory("AdaGrad lrDecay", lambda p: O.Adagrad(p, lr=0.3, lr_decay=0.1, weight_decay=0.05), options=dict(lr=0.3, lrDecay=0.1, weightDecay=0.05))
trajectory(
    "RMSprop centered momentum",
    lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1),
    options=dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weightDecay=0.1),
)
trajectory("Adam", lambda p: O.Adam(p, lr=0.1, betas=(0.8, 0.95), weight_decay=0.02), options=dict(lr=0.1, betas=[0.8, 0.95], weightDecay=0.02))
trajectory(
    "Adam amsgrad",
    lambda p: O.Adam(p, lr=0.1, betas=(0.8, 0.95), amsgrad=True),
    options=dict(lr=0.1, betas=[0.8, 0.95], amsgrad=True),
)
trajectory("AdamW", lambda p: O.AdamW(p, lr=0.1, weight_decay=0.3), options=dict(lr=0.1, weightDecay=0.3))
trajectory("AdamW amsgrad", lambda p: O.AdamW(p, lr=0.1, weight_decay=0.3, amsgrad=True), options=dict(lr=0.1, weightDecay=0.3, amsgrad=True))
# Parameter groups: each group's options override the defaults given after them.
trajectory(
    "Adam groups",
    lambda g: O.Adam(g, lr=0.1, weight_decay=0.2),
    groups=[dict(params="w", lr=0.03), dict(params="b", weightDecay=0.0, betas=[0.5, 0.9])],
    options=dict(lr=0.1, weightDecay=0.2),
)
trajectory(
    "SGD groups",
    lambda g: O.SGD(g, lr=0.1, momentum=0.9),
    groups=[dict(params="w"), dict(params="b", lr=0.5, momentum=0.0)],
    options=dict(lr=0.1, momentum=0.9),
)


# Schedulers: the learning rate (and momentum / beta1, for one-cycle) after construction and after each step.
schedules = []


def schedule(name, make_opt, make_sched, steps, metrics=None, options=None, opt_options=None, optimizer="SGD"):
    w = torch.tensor([1.0], requires_grad=True)
    b = torch.tensor([1.0], requires_grad=True)
    opt = make_opt([w, b])
    sched = make_sched(opt)

    def snapshot():
        out = []
        for g in opt.param_groups:
            m = g["betas"][0] if "betas" in g else g.get("momentum")
            out.append([g["lr"], m])
        return out

    seq = [snapshot()]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        seq.append(snapshot())
    schedules.append(dict(name=name, scheduler=name.split(" ")[0], options=options, optimizer=optimizer, optOptions=opt_options, metrics=metrics, steps=steps, trace=seq))


S = torch.optim.lr_scheduler
schedule("LinearLR warm-up", lambda p: O.SGD(p, lr=0.2), lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4), 7, options=dict(startFactor=0.25, endFactor=1.0, totalIters=4), opt_options=dict(lr=0.2))
schedule("LinearLR decay", lambda p: O.SGD(p, lr=0.2), lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=3), 5, options=dict(startFactor=1.0, endFactor=0.1, totalIters=3), opt_options=dict(lr=0.2))
schedule("ExponentialLR", lambda p: O.SGD(p, lr=0.5), lambda o: S.ExponentialLR(o, gamma=0.8), 5, options=dict(gamma=0.8), opt_options=dict(lr=0.5))
schedule(
    "OneCycleLR cos SGD",
    lambda p: O.SGD(p, lr=0.01, momentum=0.9),
    lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=10),
    10,
    options=dict(maxLr=0.5, totalSteps=10),
    opt_options=dict(lr=0.01, momentum=0.9),
)
schedule(
    "OneCycleLR linear three-phase Adam",
    lambda p: O.Adam(p, lr=0.01),
    lambda o: S.OneCycleLR(o, max_lr=0.4, epochs=2, steps_per_epoch=6, pct_start=0.25, anneal_strategy="linear", three_phase=True, div_factor=10, final_div_factor=100),
    12,
    options=dict(maxLr=0.4, epochs=2, stepsPerEpoch=6, pctStart=0.25, annealStrategy="linear", threePhase=True, divFactor=10, finalDivFactor=100),
    opt_options=dict(lr=0.01),
    optimizer="Adam",
)
schedule(
    "OneCycleLR no momentum cycling",
    lambda p: O.SGD(p, lr=0.01, momentum=0.5),
    lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=6, cycle_momentum=False),
    6,
    options=dict(maxLr=1.0, totalSteps=6, cycleMomentum=False),
    opt_options=dict(lr=0.01, momentum=0.5),
)
schedule(
    "SequentialLR warm-up then cosine, two groups",
    lambda p: O.SGD([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.05}], lr=0.2),
    lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=3), S.CosineAnnealingLR(o, T_max=4, eta_min=0.01)], milestones=[3]),
    8,
    options=dict(warmup=dict(startFactor=0.1, totalIters=3), cosine=dict(tMax=4, etaMin=0.01), milestones=[3]),
    opt_options=dict(lr=0.2, groups=[{}, {"lr": 0.05}]),
)
LOSSES = [1.0, 0.9, 0.95, 0.92, 0.9, 0.91, 0.9, 0.7, 0.71, 0.72, 0.73, 0.74, 0.69995, 0.75, 0.76, 0.77]
schedule(
    "ReduceLROnPlateau min rel",
    lambda p: O.SGD(p, lr=1.0),
    lambda o: S.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, threshold=1e-4),
    len(LOSSES),
    metrics=LOSSES,
    options=dict(mode="min", factor=0.5, patience=2, threshold=1e-4),
    opt_options=dict(lr=1.0),
)
schedule(
    "ReduceLROnPlateau max abs cooldown minLr",
    lambda p: O.SGD(p, lr=1.0),
    lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs", cooldown=2, min_lr=0.05),
    len(LOSSES),
    metrics=[-v for v in LOSSES],
    options=dict(mode="max", factor=0.3, patience=1, threshold=0.05, thresholdMode="abs", cooldown=2, minLr=0.05),
    opt_options=dict(lr=1.0),
)

# clip_grad_value_
clip_in = [[3.0, -0.5, -7.0], [0.25, 2.0]]
ps = [torch.zeros(len(g), requires_grad=True) for g in clip_in]
for p, g in zip(ps, clip_in):
    p.grad = torch.tensor(g)
torch.nn.utils.clip_grad_value_(ps, 1.5)
clip = dict(clipValue=1.5, grads=clip_in, clipped=[p.grad.tolist() for p in ps])

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim.json")
with open(out, "w") as f:
    f.write('{"torch": "%s",\n"optimizers": [\n' % torch.__version__)
    f.write(",\n".join(json.dumps(c) for c in cases))
    f.write('\n],\n"schedulers": [\n')
    f.write(",\n".join(json.dumps(s) for s in schedules))
    f.write('\n],\n"clipGradValue": %s}\n' % json.dumps(clip))
print(f"{len(cases)} optimiser and {len(schedules)} scheduler cases -> {out}")
