#!/usr/bin/env python3
"""PyTorch reference timing for `npm run bench:sd`: one SD 1.5 UNet step and one
512x512 VAE decode, random fp32 weights, on the same machine and thread count.

Written from the SD 1.5 architecture (diffusers' UNet2DConditionModel and the
AutoencoderKL decoder with their default SD 1.5 configs) with plain torch.nn, so it
runs with nothing but torch installed (Debian: `apt-get install python3-torch
libopenblas0-pthread`). Only the shapes matter here: the weights are random.

    python3 scripts/reference/bench_sd_pytorch.py [--threads 2] [--runs 3] [--skip vae]
"""
import argparse
import math
import re
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def group_norm(channels):
    return nn.GroupNorm(32, channels, eps=1e-5)


class ResnetBlock(nn.Module):
    def __init__(self, cin, cout, temb=None, eps=1e-5):
        super().__init__()
        self.norm1 = nn.GroupNorm(32, cin, eps=eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout) if temb else None
        self.norm2 = nn.GroupNorm(32, cout, eps=eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (self.conv_shortcut(x) if self.conv_shortcut is not None else x) + h


def attention(q, k, v, heads):
    b, n, c = q.shape
    d = c // heads
    q, k, v = (t.reshape(b, -1, heads, d).transpose(1, 2).reshape(b * heads, -1, d) for t in (q, k, v))
    scores = torch.baddbmm(
        torch.empty(q.shape[0], q.shape[1], k.shape[1], dtype=q.dtype), q, k.transpose(1, 2),
        beta=0, alpha=1 / math.sqrt(d))
    out = torch.bmm(scores.softmax(dim=-1), v)
    return out.reshape(b, heads, n, d).transpose(1, 2).reshape(b, n, c)


class Attention(nn.Module):
    def __init__(self, dim, context_dim, heads):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context_dim, dim, bias=False)
        self.to_v = nn.Linear(context_dim, dim, bias=False)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x, context=None):
        context = x if context is None else context
        return self.to_out(attention(self.to_q(x), self.to_k(context), self.to_v(context), self.heads))


class TransformerBlock(nn.Module):
    def __init__(self, dim, context_dim, heads):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn1 = Attention(dim, dim, heads)
        self.attn2 = Attention(dim, context_dim, heads)
        self.ff_proj = nn.Linear(dim, dim * 8)  # GEGLU: value and gate
        self.ff_out = nn.Linear(dim * 4, dim)

    def forward(self, x, context):
        x = x + self.attn1(self.norm1(x))
        x = x + self.attn2(self.norm2(x), context)
        value, gate = self.ff_proj(self.norm3(x)).chunk(2, dim=-1)
        return x + self.ff_out(value * F.gelu(gate))


class Transformer2D(nn.Module):
    def __init__(self, channels, context_dim, heads):
        super().__init__()
        self.norm = nn.GroupNorm(32, channels, eps=1e-6)
        self.proj_in = nn.Conv2d(channels, channels, 1)
        self.block = TransformerBlock(channels, context_dim, heads)
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def forward(self, x, context):
        b, c, h, w = x.shape
        y = self.proj_in(self.norm(x)).permute(0, 2, 3, 1).reshape(b, h * w, c)
        y = self.block(y, context).reshape(b, h, w, c).permute(0, 3, 1, 2)
        return x + self.proj_out(y)


class UNet(nn.Module):
    """SD 1.5: channels 320/640/1280/1280, 2 layers per block, 8 heads, context 768."""

    def __init__(self, channels=(320, 640, 1280, 1280), context_dim=768, heads=8):
        super().__init__()
        temb = channels[0] * 4
        self.time_1, self.time_2 = nn.Linear(channels[0], temb), nn.Linear(temb, temb)
        self.conv_in = nn.Conv2d(4, channels[0], 3, padding=1)
        self.down, skips, cur = nn.ModuleList(), [channels[0]], channels[0]
        for i, ch in enumerate(channels):
            attn = i < len(channels) - 1
            for _ in range(2):
                self.down.append(nn.ModuleList([ResnetBlock(cur, ch, temb),
                                                Transformer2D(ch, context_dim, heads) if attn else nn.Identity()]))
                cur = ch
                skips.append(ch)
            if i < len(channels) - 1:
                self.down.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
                skips.append(ch)
        self.mid_res1 = ResnetBlock(cur, cur, temb)
        self.mid_attn = Transformer2D(cur, context_dim, heads)
        self.mid_res2 = ResnetBlock(cur, cur, temb)
        self.up = nn.ModuleList()
        for i, ch in enumerate(reversed(channels)):
            attn = i > 0
            for _ in range(3):
                self.up.append(nn.ModuleList([ResnetBlock(cur + skips.pop(), ch, temb),
                                              Transformer2D(ch, context_dim, heads) if attn else nn.Identity()]))
                cur = ch
            if i < len(channels) - 1:
                self.up.append(nn.Conv2d(ch, ch, 3, padding=1))  # after a nearest 2x upsample
        self.norm_out = nn.GroupNorm(32, cur)
        self.conv_out = nn.Conv2d(cur, 4, 3, padding=1)
        self.base = channels[0]

    def time_embedding(self, t, batch):
        half = self.base // 2
        freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
        args = torch.full((batch, 1), float(t)) * freqs[None]
        emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)  # flip_sin_to_cos
        return self.time_2(F.silu(self.time_1(emb)))

    def forward(self, x, t, context):
        temb = self.time_embedding(t, x.shape[0])
        x = self.conv_in(x)
        skips = [x]
        for layer in self.down:
            if isinstance(layer, nn.Conv2d):
                x = layer(x)
            else:
                res, attn = layer
                x = res(x, temb)
                x = x if isinstance(attn, nn.Identity) else attn(x, context)
            skips.append(x)
        x = self.mid_res2(self.mid_attn(self.mid_res1(x, temb), context), temb)
        for layer in self.up:
            if isinstance(layer, nn.Conv2d):
                x = layer(F.interpolate(x, scale_factor=2.0, mode="nearest"))
            else:
                res, attn = layer
                x = res(torch.cat([x, skips.pop()], dim=1), temb)
                x = x if isinstance(attn, nn.Identity) else attn(x, context)
        return self.conv_out(F.silu(self.norm_out(x)))


class VaeAttention(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.group_norm = nn.GroupNorm(32, channels, eps=1e-6)
        self.to_q, self.to_k, self.to_v = (nn.Linear(channels, channels) for _ in range(3))
        self.to_out = nn.Linear(channels, channels)

    def forward(self, x):
        b, c, h, w = x.shape
        y = self.group_norm(x).reshape(b, c, h * w).transpose(1, 2)
        y = self.to_out(attention(self.to_q(y), self.to_k(y), self.to_v(y), 1))
        return x + y.transpose(1, 2).reshape(b, c, h, w)


class VaeDecoder(nn.Module):
    """AutoencoderKL decoder for SD 1.5: channels 128/256/512/512, 2 layers per block (+1 on the way up)."""

    def __init__(self, channels=(128, 256, 512, 512)):
        super().__init__()
        top = channels[-1]
        self.post_quant_conv = nn.Conv2d(4, 4, 1)
        self.conv_in = nn.Conv2d(4, top, 3, padding=1)
        self.mid = nn.ModuleList([ResnetBlock(top, top, eps=1e-6), VaeAttention(top), ResnetBlock(top, top, eps=1e-6)])
        self.up, cur = nn.ModuleList(), top
        for i, ch in enumerate(reversed(channels)):
            for _ in range(3):
                self.up.append(ResnetBlock(cur, ch, eps=1e-6))
                cur = ch
            if i < len(channels) - 1:
                self.up.append(nn.Conv2d(ch, ch, 3, padding=1))
        self.norm_out = nn.GroupNorm(32, cur, eps=1e-6)
        self.conv_out = nn.Conv2d(cur, 3, 3, padding=1)

    def forward(self, z):
        x = self.conv_in(self.post_quant_conv(z))
        for layer in self.mid:
            x = layer(x)
        for layer in self.up:
            x = layer(F.interpolate(x, scale_factor=2.0, mode="nearest")) if isinstance(layer, nn.Conv2d) else layer(x)
        return self.conv_out(F.silu(self.norm_out(x)))


def timed(name, fn, runs):
    fn()  # warm-up: allocations, oneDNN/BLAS initialisation
    times = []
    for i in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        print(f"  {name} run {i + 1}/{runs}: {times[-1]:.0f} ms", flush=True)
    print(f"{name}: median {statistics.median(times):.0f} ms  [{', '.join(f'{t:.0f}' for t in times)}]", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma-separated: unet,vae")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"mkldnn {torch.backends.mkldnn.is_available()}, BLAS: {blas_name()}", flush=True)
    with torch.inference_mode():
        if "unet" not in skip:
            unet = UNet().eval()
            params = sum(p.numel() for p in unet.parameters())
            print(f"SD 1.5 UNet: {params / 1e6:.1f} M parameters (diffusers: 859.5 M)", flush=True)
            latents, context = torch.randn(2, 4, 64, 64), torch.randn(2, 77, 768)
            timed("UNet step (batch 2, 64x64)", lambda: unet(latents, 500, context), args.runs)
            del unet
        if "vae" not in skip:
            vae = VaeDecoder().eval()
            z = torch.randn(1, 4, 64, 64)
            timed("VAE decode 512x512", lambda: vae(z), args.runs)


def blas_name():
    # Debian builds say BLAS_INFO=generic and take whatever libblas.so.3 the system points at.
    match = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    return match.group(1) if match else "unknown"


if __name__ == "__main__":
    main()
