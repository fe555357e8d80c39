"""Reference values for @tapegrad/nn's convolution-era modules, from PyTorch.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 packages/nn/test/pytorch/conv_layers.py
It writes, beside itself:
  lenet.safetensors  the state dict of a small LeNet-style torch.nn.Sequential (float32 weights, BatchNorm2d's
                     num_batches_tracked as int64, exactly as PyTorch stores it), after three SGD steps so the
                     running statistics are not their initial values;
  conv_layers.json   that model's input and its outputs (eval and train mode), gradients, and one case per module
                     with its weights and input written out.
conv-layers-pytorch.test.ts loads the file unchanged into the same tapegrad model and replays every case. The
safetensors bytes are written here by hand (8-byte header length, JSON header, raw little-endian data), since
Debian ships no `safetensors` module.
"""
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def save_safetensors(path, state):
    header, chunks, offset = {}, [], 0
    for name, t in state.items():
        raw = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def lists(t):
    return t.detach().double().tolist()


def lenet():
    # [B, 1, 16, 16] -> conv 5x5 pad 2 -> 16 -> pool -> 8 -> conv 3x3 (2 groups) -> 6 -> avg pool -> 3 -> 72 -> 16 -> 10
    return nn.Sequential(
        nn.Conv2d(1, 4, 5, padding=2),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, groups=2),
        nn.SiLU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(72, 16),
        nn.GELU(),
        nn.Linear(16, 10),
    )


def lenet_case():
    torch.manual_seed(0)
    model = lenet()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(3):
        x = torch.randn(8, 1, 16, 16)
        y = torch.randint(0, 10, (8,))
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    save_safetensors(os.path.join(HERE, "lenet.safetensors"), model.state_dict())
    model.zero_grad(set_to_none=True)  # the last step's gradients are not part of the case
    model = model.double()  # float32 weights are float64 values exactly: both sides compute in float64 from here
    x = torch.randn(3, 1, 16, 16, dtype=torch.float64, requires_grad=True)
    labels = [3, 7, 1]
    model.eval()
    logits = model(x)
    loss = F.cross_entropy(logits, torch.tensor(labels))
    loss.backward()
    out = {
        "input": lists(x),
        "labels": labels,
        "eval_logits": lists(logits),
        "eval_loss": loss.item(),
        "grad_input": lists(x.grad),
        "grad_0_weight": lists(model[0].weight.grad),
        "grad_1_weight": lists(model[1].weight.grad),
        "grad_4_weight": lists(model[4].weight.grad),
        "num_batches_tracked": int(model[1].num_batches_tracked),
    }
    model.train()
    out["train_logits"] = lists(model(x))
    out["train_running_mean"] = lists(model[1].running_mean)
    out["train_running_var"] = lists(model[1].running_var)
    out["printed"] = str(lenet())
    return out


def module_cases():
    torch.manual_seed(1)
    cases = {}
    # Conv1d with stride, dilation and groups
    conv = nn.Conv1d(4, 6, 3, stride=2, dilation=2, groups=2).double()
    x = torch.randn(2, 4, 11, dtype=torch.float64)
    cases["conv1d"] = {"weight": lists(conv.weight), "bias": lists(conv.bias), "input": lists(x), "output": lists(conv(x))}
    # Conv2d 'same' with an even kernel (the extra row and column go at the end), no bias
    conv = nn.Conv2d(2, 3, (2, 4), padding="same", bias=False).double()
    x = torch.randn(1, 2, 5, 6, dtype=torch.float64)
    cases["conv2d_same"] = {"weight": lists(conv.weight), "input": lists(x), "output": lists(conv(x))}
    # AdaptiveAvgPool2d with sizes that do not divide (overlapping windows)
    x = torch.randn(2, 3, 7, 5, dtype=torch.float64)
    cases["adaptive_avg_pool2d"] = {"input": lists(x), "output_size": [3, 2], "output": lists(nn.AdaptiveAvgPool2d((3, 2))(x))}
    # LayerNorm over two trailing axes with trained-looking affine parameters
    norm = nn.LayerNorm([3, 4], eps=1e-3).double()
    with torch.no_grad():
        norm.weight.copy_(torch.randn(3, 4))
        norm.bias.copy_(torch.randn(3, 4))
    x = torch.randn(2, 3, 4, dtype=torch.float64)
    cases["layer_norm"] = {"weight": lists(norm.weight), "bias": lists(norm.bias), "input": lists(x), "output": lists(norm(x))}
    # Embedding with a padding row; the gradient of a weighted sum (repeated indices accumulate, padding row gets none)
    emb = nn.Embedding(5, 3, padding_idx=1).double()
    idx = torch.tensor([[0, 1, 4], [4, 4, 2]])
    upstream = torch.randn(2, 3, 3, dtype=torch.float64)
    y = emb(idx)
    (y * upstream).sum().backward()
    cases["embedding"] = {
        "weight": lists(emb.weight),
        "indices": idx.tolist(),
        "upstream": lists(upstream),
        "output": lists(y),
        "grad_weight": lists(emb.weight.grad),
    }
    # GELU exact and tanh, SiLU
    x = torch.linspace(-4, 4, 9, dtype=torch.float64)
    cases["activations"] = {
        "input": lists(x),
        "gelu": lists(nn.GELU()(x)),
        "gelu_tanh": lists(nn.GELU(approximate="tanh")(x)),
        "silu": lists(nn.SiLU()(x)),
    }
    # BatchNorm2d, training mode on one batch from its initial state: output and the updated running statistics
    bn = nn.BatchNorm2d(2, momentum=0.3).double()
    x = torch.randn(3, 2, 2, 3, dtype=torch.float64)
    y = bn(x)
    cases["batch_norm2d"] = {
        "input": lists(x),
        "output": lists(y),
        "running_mean": lists(bn.running_mean),
        "running_var": lists(bn.running_var),
    }
    return cases


if __name__ == "__main__":
    result = {"torch": torch.__version__, "lenet": lenet_case(), "cases": module_cases()}
    with open(os.path.join(HERE, "conv_layers.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
