"""PyTorch CPU as a `pnpm bench` peer (see pytorch.ts, which starts this script and speaks to it).

One JSON object per line on stdin, one reply per line on stdout. The inputs and starting parameters arrive as raw
little-endian files written by the Node side from the same seeded generator every peer uses (data.ts), so the
step-1 values must agree with tapegrad's. The script times its own iterations with perf_counter, so the pipe
between the processes never falls inside a timed iteration.
"""
import json
import re
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def load(spec):
    data = np.fromfile(spec["file"], dtype=spec["dtype"]).reshape(spec["shape"])
    return torch.from_numpy(data.copy())


def blas_library():
    """The BLAS this process loaded: Debian's torch uses whichever libblas.so.3 the alternatives system points to."""
    with open("/proc/self/maps") as maps:
        found = sorted(set(re.findall(r"(/\S*(?:openblas|libblas|mkl)\S*\.so[\S]*)", maps.read())))
    return ", ".join(found) or "none found"


def mlp(arrays, dtype, lr):
    x = load(arrays["x"]).to(dtype)
    labels = load(arrays["labels"]).to(torch.int64)
    params = [load(arrays[f"p{i}"]).to(dtype).requires_grad_() for i in range(6)]
    w1, b1, w2, b2, w3, b3 = params
    optimizer = torch.optim.SGD(params, lr=lr)

    def step():
        optimizer.zero_grad(set_to_none=True)
        h1 = torch.relu(x @ w1 + b1)
        h2 = torch.relu(h1 @ w2 + b2)
        loss = F.cross_entropy(h2 @ w3 + b3, labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def matmul(arrays):
    a = load(arrays["a"])
    b = load(arrays["b"])

    def step():
        return (a @ b).sum().item()

    return step


def tanh_sum(arrays, w, b):
    x = load(arrays["x"])
    w = torch.tensor(w, dtype=torch.float32, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float32, requires_grad=True)

    def step():
        y = torch.tanh(x * w + b).sum()
        y.backward()
        # Reading both gradients is part of the work, as in every peer.
        _ = w.grad.item() + b.grad.item()
        w.grad = None
        b.grad = None
        return y.item()

    return step


def prepare(request):
    case = request["case"]
    arrays = request["arrays"]
    if case in ("W1", "W1-f64"):
        return mlp(arrays, torch.float64 if case == "W1-f64" else torch.float32, request["lr"])
    if case.startswith("W2-"):
        return matmul(arrays)
    if case == "W4":
        return tanh_sum(arrays, request["w"], request["b"])
    raise ValueError(f"unsupported case {case}")


def time_slice(step, request):
    samples = []
    elapsed = 0.0
    while len(samples) < request["maxIterations"] and (len(samples) < request["minIterations"] or elapsed < request["minSeconds"]):
        t0 = time.perf_counter()
        step()
        t1 = time.perf_counter()
        samples.append(t1 - t0)
        elapsed += t1 - t0
    return samples


def main():
    step = None
    for line in sys.stdin:
        request = json.loads(line)
        try:
            op = request["op"]
            if op == "init":
                torch.set_num_threads(request["threads"])
                reply = {
                    "note": f"PyTorch {torch.__version__} CPU, {torch.get_num_threads()} intra-op thread(s), BLAS {blas_library()}",
                }
            elif op == "prepare":
                step = prepare(request)
                first = step()
                for _ in range(request["warmup"] - 1):
                    step()
                reply = {"firstValue": first}
            elif op == "time":
                reply = {"samples": time_slice(step, request)}
            elif op == "release":
                step = None
                reply = {}
            else:
                raise ValueError(f"unknown op {op}")
            reply["ok"] = True
        except Exception as error:  # reported to the harness, which marks the case failed
            reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
