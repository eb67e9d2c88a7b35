"""An independent PyTorch SwAV (Caron et al. 2020, "Unsupervised Learning of Visual Features by Contrasting
Cluster Assignments"), written from the paper's Algorithm 1 and Section 3/4 recipe, for bench/swav-reference.ts.

Trains on the crops shelfssl trains on (crops.npy, uint8 NHWC, with the rows outside the held-out region in
train_rows.npy) with the settings shelfssl resolved (settings.json: the pretrain artefact's history), then writes
the frozen backbone's features of every crop (features.npy, float32) and prints a JSON summary.
Usage: swav_reference.py DIR [--threads 2]    (Debian python3-torch; no torchvision)
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import SwavHead, sinkhorn, small_resnet  # noqa: E402  (the same ResNet as the backend bench)

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def random_resized_crop(x, size, scale, gen):
    """RandomResizedCrop (area share in `scale`, aspect 3/4..4/3) + horizontal flip, as one affine resample."""
    n = x.shape[0]
    area = torch.empty(n).uniform_(scale[0], scale[1], generator=gen)
    log_r = torch.empty(n).uniform_(math.log(3 / 4), math.log(4 / 3), generator=gen)
    r = torch.exp(log_r)
    w = torch.sqrt(area * r).clamp(max=1.0)
    h = torch.sqrt(area / r).clamp(max=1.0)
    cx = (torch.rand(n, generator=gen) * 2 - 1) * (1 - w)
    cy = (torch.rand(n, generator=gen) * 2 - 1) * (1 - h)
    flip = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = w * flip
    theta[:, 0, 2] = cx
    theta[:, 1, 1] = h
    theta[:, 1, 2] = cy
    grid = F.affine_grid(theta, [n, 3, size, size], align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def gray(x):
    return (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])


def color_distortion(x, s, p_jitter, p_gray, gen):
    """The paper's colour distortion of strength s: jitter (0.8s, 0.8s, 0.8s, 0.2s) with p 0.8, grey with p 0.2."""
    n = x.shape[0]
    u = lambda lo, hi: torch.empty(n, 1, 1, 1).uniform_(lo, hi, generator=gen)  # noqa: E731
    on = (torch.rand(n, 1, 1, 1, generator=gen) < p_jitter).float()
    b, c, sat, hue = u(1 - 0.8 * s, 1 + 0.8 * s), u(1 - 0.8 * s, 1 + 0.8 * s), u(1 - 0.8 * s, 1 + 0.8 * s), u(-0.2 * s, 0.2 * s)
    y = (x * b).clamp(0, 1)
    m = gray(y).mean(dim=(2, 3), keepdim=True)
    y = ((y - m) * c + m).clamp(0, 1)
    g = gray(y)
    y = ((y - g) * sat + g).clamp(0, 1)
    # Hue: rotate the chroma plane of YIQ by 2π·hue.
    yiq = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    q = torch.einsum("ij,njhw->nihw", yiq, y)
    a = 2 * math.pi * hue
    i2 = q[:, 1:2] * torch.cos(a) - q[:, 2:3] * torch.sin(a)
    q2 = q[:, 1:2] * torch.sin(a) + q[:, 2:3] * torch.cos(a)
    y = torch.einsum("ij,njhw->nihw", torch.linalg.inv(yiq), torch.cat([q[:, 0:1], i2, q2], 1)).clamp(0, 1)
    x = on * y + (1 - on) * x
    grey = (torch.rand(n, 1, 1, 1, generator=gen) < p_gray).float()
    return grey * gray(x).expand_as(x) + (1 - grey) * x


def blur(x, p, sigma_frac, gen):
    """Gaussian blur with p, sigma a share of the side (0.1–2 px at 224 px: sub-pixel at 32 px), 3×3 kernel."""
    n, _, size, _ = x.shape
    sigma = torch.empty(n).uniform_(sigma_frac[0] * size, sigma_frac[1] * size, generator=gen).clamp(min=1e-3)
    k1 = torch.exp(-torch.tensor([-1.0, 0.0, 1.0]).view(1, 3) ** 2 / (2 * sigma.view(n, 1) ** 2))
    k1 = k1 / k1.sum(1, keepdim=True)
    k2 = (k1.view(n, 3, 1) * k1.view(n, 1, 3)).view(n, 1, 1, 3, 3).expand(n, 3, 1, 3, 3).reshape(n * 3, 1, 3, 3)
    y = F.conv2d(F.pad(x.reshape(1, n * 3, size, size), (1, 1, 1, 1), mode="replicate"), k2, groups=n * 3)
    on = (torch.rand(n, 1, 1, 1, generator=gen) < p).float()
    return on * y.view(n, 3, size, size) + (1 - on) * x


def views_of(batch_u8, st, gen):
    x = batch_u8.permute(0, 3, 1, 2).float() / 255
    out = []
    for _ in range(2):  # two global views (shelfssl's recipe for 32 px crops: no local views)
        v = random_resized_crop(x, st["globalCrop"], st["globalScale"], gen)
        v = color_distortion(v, st["colorJitter"], 0.8, st["grayscaleProbability"], gen) if st["colorJitter"] > 0 else v
        v = blur(v, st["blurProbability"], (0.1 / 224, 2 / 224), gen)
        out.append((v - MEAN) / STD)
    return out


def lr_at(step, st, steps_per_epoch):
    warm = round(st["warmupEpochs"] * steps_per_epoch)
    total = st["epochs"] * steps_per_epoch
    base, final = st["lr"], st["lr"] * 0.001
    if step < warm:
        return base * step / warm
    t = min(1.0, (step - warm) / max(1, total - warm))
    return final + 0.5 * (base - final) * (1 + math.cos(math.pi * t))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    st = json.load(open(os.path.join(a.dir, "settings.json")))
    torch.manual_seed(st["seed"])
    gen = torch.Generator().manual_seed(st["seed"])
    crops = torch.from_numpy(np.load(os.path.join(a.dir, "crops.npy")))
    train = crops[torch.from_numpy(np.load(os.path.join(a.dir, "train_rows.npy")).astype(np.int64))]
    arch = st["arch"]
    net = small_resnet(tuple(arch["widths"]), tuple(arch["blocksPerStage"]))
    head = SwavHead(arch["widths"][-1], st["projHidden"], st["projOut"], st["prototypes"])
    params = list(net.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.0, momentum=st["momentum"], weight_decay=st["weightDecay"])
    b = st["batchSize"]
    steps_per_epoch = train.shape[0] // b
    net.train()
    head.train()
    step, losses, t0 = 0, [], time.time()
    qlen = st.get("queueLength", 0)
    queue, queue_in_use = None, False
    for epoch in range(st["epochs"]):
        order = torch.randperm(train.shape[0], generator=gen)
        total = 0.0
        # Section 4 / Appendix: a queue of past embeddings per global crop joins Sinkhorn once full.
        if qlen > 0 and queue is None and epoch >= st["queueStartEpoch"]:
            queue = torch.zeros(2, qlen, st["projOut"])
        for i in range(steps_per_epoch):
            with torch.no_grad():
                head.prototypes.weight.copy_(F.normalize(head.prototypes.weight, dim=1))
            v1, v2 = views_of(train[order[i * b : (i + 1) * b]], st, gen)
            z = F.normalize(head.proj(net(torch.cat([v1, v2]))), dim=1)
            scores = head.prototypes(z).chunk(2)
            codes = []
            with torch.no_grad():
                for j, s in enumerate(scores):
                    # Full once the first crop's oldest row is set (checked per crop, as shelfssl does).
                    ready = queue is not None and (queue_in_use or bool(queue[0, -1].abs().sum() > 0))
                    if ready:
                        queue_in_use = True
                        both = torch.cat([queue[j] @ head.prototypes.weight.t(), s.detach()])
                        codes.append(sinkhorn(both, st["epsilon"], st["sinkhornIterations"])[qlen:])
                    else:
                        codes.append(sinkhorn(s.detach(), st["epsilon"], st["sinkhornIterations"]))
                    if queue is not None:
                        queue[j] = torch.cat([z.detach().chunk(2)[j], queue[j][: qlen - b]])[:qlen]
            # Swapped prediction: each view predicts the other's code.
            loss = -0.5 * sum(
                torch.mean(torch.sum(codes[j] * F.log_softmax(scores[1 - j] / st["temperature"], dim=1), dim=1))
                for j in range(2)
            )
            for g in opt.param_groups:
                g["lr"] = lr_at(step, st, steps_per_epoch)
            opt.zero_grad()
            loss.backward()
            if step < st["freezePrototypesSteps"]:
                head.prototypes.weight.grad = None
            opt.step()
            total += loss.item()
            step += 1
        losses.append(total / steps_per_epoch)
        print(f"epoch {epoch + 1} loss {losses[-1]:.4f} ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
    train_s = time.time() - t0
    net.eval()
    feats = []
    with torch.no_grad():
        for i in range(0, crops.shape[0], 512):
            x = crops[i : i + 512].permute(0, 3, 1, 2).float() / 255
            feats.append(net((x - MEAN) / STD))
    np.save(os.path.join(a.dir, "features.npy"), torch.cat(feats).numpy().astype(np.float32))
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "steps": step,
                      "trainSeconds": train_s, "epochLoss": losses}))


if __name__ == "__main__":
    main()
