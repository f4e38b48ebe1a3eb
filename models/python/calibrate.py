"""Temperature scaling (Guo et al. 2017) of a Helen checkpoint, folded into its last layer.

    /usr/bin/python3 models/python/calibrate.py CHECKPOINT --data DATASET --out CALIBRATED.pt [--threads 2]

Fits one temperature T > 0 on the validation split's sign windows (and, for a model with the "no sign"
output, its "no sign" windows as that output's class too) (minimum negative log-likelihood
of softmax(logits / T)), then divides the final Linear layer's weight and bias by T, so the exported
model's logits are already the calibrated ones: no runtime change, golden parity as before, and the
edge's thresholds (0.95 averaged top probability, ...) mean what they say. Reports NLL and expected
calibration error (15 bins) before and after, at T = seq_len and at the shortest partial window, and
records them in the checkpoint under meta.train.calibration (export.py copies it to provenance).
"""
from __future__ import annotations

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helen_model import load_checkpoint  # noqa: E402
from train import OUTLIER, load_split, repo_relative  # noqa: E402


@torch.no_grad()
def logits_of(model, X, t: int, batch: int = 512) -> torch.Tensor:
    model.eval()
    return torch.cat([model(X[i:i + batch, -t:, :]) for i in range(0, len(X), batch)])


def ece(logits: torch.Tensor, y: torch.Tensor, bins: int = 15) -> float:
    """Expected calibration error: |accuracy - confidence| per confidence bin, weighted by the bin's share."""
    p = torch.softmax(logits, dim=1)
    conf, pred = p.max(dim=1)
    correct = (pred == y).float()
    total = 0.0
    edges = torch.linspace(0, 1, bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if bool(m.any()):
            total += float(m.float().mean()) * abs(float(correct[m].mean()) - float(conf[m].mean()))
    return total


def fit_temperature(logits: torch.Tensor, y: torch.Tensor) -> float:
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(logits / log_t.exp(), y)
        loss.backward()
        return loss

    opt.step(closure)
    return float(log_t.exp())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint")
    p.add_argument("--data", required=True, help="dataset directory; its val split is used")
    p.add_argument("--out", required=True)
    p.add_argument("--min-t", type=int, default=15)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)

    model, cfg, meta = load_checkpoint(args.checkpoint)
    import json
    with open(os.path.join(args.data, "meta.json")) as f:
        dmeta = json.load(f)
    X, y = load_split(args.data, "val", dmeta)
    no_sign = bool(meta.get("no_sign_output"))
    if no_sign:
        # "No sign" windows are the last output's class: calibrating that output too is what makes the
        # signs' share of the probability (what the edge thresholds) honest on people who do not sign.
        y = torch.where(y == OUTLIER, torch.full_like(y, cfg["num_classes"] - 1), y)
    else:
        signs = y != OUTLIER
        X, y = X[signs], y[signs]
    T = dmeta["seq_len"]
    # One temperature for full and partial windows: fitted on both together.
    full, short = logits_of(model, X, T), logits_of(model, X, args.min_t)
    temperature = fit_temperature(torch.cat([full, short]), torch.cat([y, y]))
    nll = lambda lg, t: float(torch.nn.functional.cross_entropy(lg / t, y))  # noqa: E731
    report = {
        "method": ("temperature scaling on the val split's sign and 'no sign' windows" if no_sign else
                   "temperature scaling on the val split's sign windows") + " (T=seq_len and T=min_t), folded into the last Linear",
        "dataset": repo_relative(args.data), "windows": int(len(y)), "temperature": round(temperature, 6),
        "nll_before": {"full": nll(full, 1), "short": nll(short, 1)},
        "nll_after": {"full": nll(full, temperature), "short": nll(short, temperature)},
        "ece_before": {"full": ece(full, y), "short": ece(short, y)},
        "ece_after": {"full": ece(full / temperature, y), "short": ece(short / temperature, y)},
    }
    head = model.head[-1]
    with torch.no_grad():
        head.weight /= temperature
        head.bias /= temperature
    meta = dict(meta)
    train = dict(meta.get("train") or {})
    train["calibration"] = report
    meta["train"] = train
    torch.save({"config": cfg, "meta": meta, "model_state": model.state_dict()}, args.out)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
