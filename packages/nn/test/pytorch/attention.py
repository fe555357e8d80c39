"""Reference outputs and gradients for @tapegrad/nn's MultiheadAttention and TransformerBlock, from PyTorch (float64).

Run with Debian's python3-torch (1.13):  /usr/bin/python3 packages/nn/test/pytorch/attention.py
It rewrites attention.json beside it; attention-pytorch.test.ts loads each case's state dict into tapegrad, runs the
same inputs and compares the output and every gradient (float64 and float32). Each case backpropagates a random
upstream gradient `dout`, so the gradients are those of sum(out * dout). Dropout is 0, so train and eval agree.
"""
import json
import os

import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(14)


def values(t):
    return t.detach().reshape(-1).tolist()


def run(module, inputs, call):
    """Output and gradients of sum(call(*inputs) * dout) for every input and parameter."""
    leaves = [x.clone().requires_grad_(True) for x in inputs]
    out = call(*leaves)
    dout = torch.randn(out.shape)
    (out * dout).sum().backward()
    return dict(
        state={k: dict(shape=list(v.shape), data=values(v)) for k, v in module.state_dict().items()},
        inputs=[dict(shape=list(x.shape), data=values(x)) for x in inputs],
        dout=dict(shape=list(dout.shape), data=values(dout)),
        out=dict(shape=list(out.shape), data=values(out)),
        input_grads=[values(x.grad) for x in leaves],
        param_grads={k: values(p.grad) for k, p in module.named_parameters()},
    )


def causal(L, S):
    return torch.triu(torch.ones(L, S, dtype=torch.bool), diagonal=1)  # True hides (nn.MultiheadAttention)


cases = []
B, L, S, E, H = 2, 5, 4, 8, 2

# Cross-attention with a key-padding mask (batch 1 ignores its last key) and a float attention mask.
mha = nn.MultiheadAttention(E, H, batch_first=True)
with torch.no_grad():  # non-zero biases, so their gradients and their use are both checked
    mha.in_proj_bias.normal_()
    mha.out_proj.bias.normal_()
padding = torch.tensor([[False] * S, [False] * (S - 1) + [True]])
float_mask = torch.randn(L, S)
q, k, v = torch.randn(B, L, E), torch.randn(B, S, E), torch.randn(B, S, E)
case = run(mha, [q, k, v], lambda q, k, v: mha(q, k, v, key_padding_mask=padding, attn_mask=float_mask, need_weights=False)[0])
case.update(name="MultiheadAttention cross, keyPaddingMask and float attnMask", module="mha", embed=E, heads=H, bias=True, causal=False)
case.update(key_padding_mask=[[int(b) for b in row] for row in padding.tolist()], attn_mask=dict(shape=[L, S], data=values(float_mask)))
cases.append(case)

# Self-attention, causal (a boolean triangle), no biases.
mha = nn.MultiheadAttention(E, H, bias=False, batch_first=True)
x = torch.randn(B, L, E)
case = run(mha, [x], lambda x: mha(x, x, x, attn_mask=causal(L, L), need_weights=False)[0])
case.update(name="MultiheadAttention self, causal, no bias", module="mha", embed=E, heads=H, bias=False, causal=True)
cases.append(case)

# Pre-norm encoder layers, causal, both activations.
for activation in ["gelu", "relu"]:
    layer = nn.TransformerEncoderLayer(E, H, dim_feedforward=16, dropout=0.0, activation=activation, layer_norm_eps=1e-5, batch_first=True, norm_first=True)
    with torch.no_grad():  # move the norms off their ones/zeros start and the attention biases off zero
        for name, p in layer.named_parameters():
            if name.startswith("norm") or name.endswith("in_proj_bias") or name.endswith("out_proj.bias"):
                p.add_(0.3 * torch.randn(p.shape))
    x = torch.randn(B, L, E)
    case = run(layer, [x], lambda x: layer(x, src_mask=causal(L, L)))
    case.update(name=f"TransformerBlock {activation}, causal", module="block", embed=E, heads=H, bias=True, causal=True, activation=activation, dim_feedforward=16)
    cases.append(case)

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "attention.json"), "w") as f:
    json.dump(dict(torch=torch.__version__, cases=cases), f)
