"""PyTorch CPU reference for bench/backend.ts: the same two networks, same batch sizes.

Also times one SwAV step (small ResNet, multi-crop views, projection head, prototypes, Sinkhorn,
swapped prediction, momentum SGD). Prints one JSON object. Run with Debian's /usr/bin/python3 (python3-torch; no torchvision,
so ResNet-50 is defined here). Usage: torch_reference.py --threads 2 --reps 5 --r50-reps 2
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.abn = nn.BatchNorm2d(cout)
        self.b = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bbn = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.abn(self.a(x)))
        y = self.bbn(self.b(y))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * 4
        self.a = nn.Conv2d(cin, width, 1, bias=False)
        self.abn = nn.BatchNorm2d(width)
        self.b = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bbn = nn.BatchNorm2d(width)
        self.c = nn.Conv2d(width, cout, 1, bias=False)
        self.cbn = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.abn(self.a(x)))
        y = F.relu(self.bbn(self.b(y)))
        y = self.cbn(self.c(y))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


def small_resnet(widths=(32, 64, 128, 256), blocks=(2, 2, 2, 2)):
    layers = [nn.Conv2d(3, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU()]
    cin = widths[0]
    for stage, (w, n) in enumerate(zip(widths, blocks)):
        for b in range(n):
            layers.append(BasicBlock(cin, w, 2 if stage > 0 and b == 0 else 1))
            cin = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers)


def resnet50():
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for stage, (w, n) in enumerate(zip((64, 128, 256, 512), (3, 4, 6, 3))):
        for b in range(n):
            layers.append(Bottleneck(cin, w, 2 if stage > 0 and b == 0 else 1))
            cin = w * 4
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers)


class SwavHead(nn.Module):
    """Projection MLP (Linear, BN, ReLU, Linear), L2-normalised, and bias-free prototypes: ml/swav/model.ts."""

    def __init__(self, dim, hidden, out, prototypes):
        super().__init__()
        self.proj = nn.Sequential(nn.Linear(dim, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, out))
        self.prototypes = nn.Linear(out, prototypes, bias=False)

    def forward(self, features):
        return self.prototypes(F.normalize(self.proj(features), dim=1))


@torch.no_grad()
def sinkhorn(scores, eps=0.05, iters=3):
    """SwAV's Algorithm 1 on one process: Q = exp(s/eps)ᵀ, rows to 1/K, columns to 1/B, iters times (the max
    is subtracted first so exp cannot overflow; it cancels in the first normalisation)."""
    q = torch.exp((scores - scores.max()) / eps).t()
    q /= q.sum()
    k, b = q.shape
    for _ in range(iters):
        q /= q.sum(dim=1, keepdim=True)
        q /= k
        q /= q.sum(dim=0, keepdim=True)
        q /= b
    return (q * b).t()


def swav_step_fn(a):
    """One SwAV step on pre-made views (2 global + local crops), as bench/backend-swav.ts times it."""
    net = small_resnet()
    head = SwavHead(256, a.swav_hidden, a.swav_out, a.swav_prototypes)
    opt = torch.optim.SGD(list(net.parameters()) + list(head.parameters()), lr=0.1, momentum=0.9, weight_decay=1e-6)
    b = a.small_batch
    globals_ = torch.randn(2 * b, 3, a.swav_global, a.swav_global)
    locals_ = torch.randn(a.swav_locals * b, 3, a.swav_local, a.swav_local)
    views = 2 + a.swav_locals

    def step():
        with torch.no_grad():
            head.prototypes.weight.copy_(F.normalize(head.prototypes.weight, dim=1))
        opt.zero_grad()
        scores = head(torch.cat([net(globals_), net(locals_)])).chunk(views)
        loss = 0
        for i in range(2):
            q = sinkhorn(scores[i].detach())
            sub = 0
            for v in range(views):
                if v != i:
                    sub -= torch.mean(torch.sum(q * F.log_softmax(scores[v] / 0.1, dim=1), dim=1))
            loss += sub / (views - 1)
        (loss / 2).backward()
        opt.step()

    net.train()
    head.train()
    return step


def median_seconds(fn, reps, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--r50-reps", type=int, default=2)
    p.add_argument("--small-batch", type=int, default=64)
    p.add_argument("--r50-batch", type=int, default=8)
    p.add_argument("--skip-r50", action="store_true")
    p.add_argument("--skip-swav", action="store_true")
    p.add_argument("--swav-global", type=int, default=32)
    p.add_argument("--swav-local", type=int, default=16)
    p.add_argument("--swav-locals", type=int, default=2)
    p.add_argument("--swav-hidden", type=int, default=256)
    p.add_argument("--swav-out", type=int, default=64)
    p.add_argument("--swav-prototypes", type=int, default=64)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)

    net = small_resnet()
    head = nn.Linear(256, 10)
    opt = torch.optim.SGD(list(net.parameters()) + list(head.parameters()), lr=0.01)
    x = torch.randn(a.small_batch, 3, 32, 32)
    y = torch.randint(0, 10, (a.small_batch,))

    def train_step():
        opt.zero_grad()
        loss = F.cross_entropy(head(net(x)), y)
        loss.backward()
        opt.step()

    net.train()
    train_s = median_seconds(train_step, a.reps)
    net.eval()
    with torch.no_grad():
        infer_s = median_seconds(lambda: net(x), a.reps)
    result = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "smallTrainImgPerSec": a.small_batch / train_s,
        "smallInferImgPerSec": a.small_batch / infer_s,
        "resnet50InferImgPerSec": None,
        "swavTrainImgPerSec": None,
    }
    if not a.skip_swav:
        result["swavTrainImgPerSec"] = a.small_batch / median_seconds(swav_step_fn(a), a.reps)
    if not a.skip_r50:
        r50 = resnet50().eval()
        xb = torch.randn(a.r50_batch, 3, 224, 224)
        with torch.no_grad():
            r50_s = median_seconds(lambda: r50(xb), a.r50_reps)
        result["resnet50InferImgPerSec"] = a.r50_batch / r50_s
    print(json.dumps(result))


if __name__ == "__main__":
    main()
