"""Train the Helen BiGRU classifier on a dataset written by `helen models dataset`.

    /usr/bin/python3 models/python/train.py --data models/data/ds --out models/data/sequence_bigru.pt

Partial windows: the edge sends windows of 15..29 frames while its window fills, and a
shorter window runs as it is (never padded). So every training batch is cut to a random
length T in [--min-t, seq_len] by keeping the LAST T frames of each window (what a window
that started filling T frames ago holds), and half the batches use the full seq_len.
Validation reports accuracy at both T=seq_len and T=--min-t; the best epoch is chosen on
their mean.

Outlier exposure (Hendrycks et al. 2019): a dataset may hold "no sign" windows (idle / no hands
recordings, target -1, meta.json `outlier_labels`). The model keeps its 22 outputs; for those
windows the loss is the cross-entropy to the uniform distribution, mean over classes of
-log_softmax, weighted by --outlier-weight and added to the sign windows' cross-entropy (each
term a mean over its own windows in the batch). Accuracy ignores them; validation reports their
mean top probability instead (lower is better: the edge's thresholds then do not fire on them).

A "no sign" output (--no-sign-class): instead of a uniform target, the model gets a 23rd output and
"no sign" windows are trained towards it with plain cross-entropy (weighted by --outlier-weight).
The exported graph ends in a softmax over all 23 and returns only the 22 signs' probabilities, which
then sum to 1 - p(no sign): the contract's 22 outputs stay, and a window that looks like no sign
has a low top probability, so the edge's thresholds do not fire on it (export.py, meta.no_sign_output).

Fine-tuning: --init continues from a checkpoint; --init-onnx from an exported model.onnx (the committed model
ships without its checkpoint; onnx_weights.py maps the ONNX initializers back and the golden.json beside the file
must be reproduced within 1e-4). --keep-init-if-better keeps the starting weights unless an epoch validates better
(`helen models adapt` uses --init-onnx and --keep-init-if-better).

Rounds of hard negatives: --extra-data adds the train and val windows of further datasets (same
window shape and labels), so a round trained on the windows the last model got wrong keeps the
windows the rounds before it were built from.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def repo_relative(path: str) -> str:
    """A path as recorded in a checkpoint, never this machine's absolute path: relative to the repository root
    when inside it; outside it, as the user gave it when that was relative, else only its last component."""
    rel = os.path.relpath(os.path.abspath(path), REPO)
    if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
        return rel
    if not os.path.isabs(path):
        return os.path.normpath(path)
    return os.path.join("<outside the repository>", os.path.basename(os.path.normpath(path)))

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helen_model import BiGRUClassifier, LABEL_TABLE, no_sign_probabilities  # noqa: E402


def load_split(data_dir: str, split: str, meta: dict):
    T, F = meta["seq_len"], meta["feature_dim"]
    X = np.fromfile(os.path.join(data_dir, f"X_{split}.f32"), dtype="<f4")
    y = np.fromfile(os.path.join(data_dir, f"y_{split}.i32"), dtype="<i4")
    if X.size != y.size * T * F:
        raise SystemExit(f"{data_dir}/X_{split}.f32: {X.size} values, expected {y.size} x {T} x {F}")
    return torch.from_numpy(X.reshape(y.size, T, F).copy()), torch.from_numpy(y.astype(np.int64))


OUTLIER = -1

# What must agree for windows of two datasets to be trained on together.
SAME_SHAPE_KEYS = ("seq_len", "feature_dim", "use_z", "class_labels")


def read_meta(data_dir: str) -> dict:
    with open(os.path.join(data_dir, "meta.json")) as f:
        return json.load(f)


def load_training_data(data_dir: str, extra_dirs: list, meta: dict):
    """Train and val windows of `data_dir` followed by those of every extra dataset.

    Extra datasets keep the windows a later round of hard negatives would otherwise make the
    model forget (each round's data holds what the model before it got wrong). Also returns
    where each extra dataset came from, for the checkpoint's provenance."""
    Xtr, ytr = load_split(data_dir, "train", meta)
    Xva, yva = load_split(data_dir, "val", meta)
    sources = []
    for extra in extra_dirs:
        other = read_meta(extra)
        for key in SAME_SHAPE_KEYS:
            if other.get(key) != meta.get(key):
                raise SystemExit(f"--extra-data {extra}: {key} is {other.get(key)!r}, but --data's is {meta.get(key)!r}")
        (Xe, ye), (Xev, yev) = load_split(extra, "train", other), load_split(extra, "val", other)
        Xtr, ytr = torch.cat([Xtr, Xe]), torch.cat([ytr, ye])
        Xva, yva = torch.cat([Xva, Xev]), torch.cat([yva, yev])
        sources.append({"dataset": repo_relative(extra), "dataset_source": other.get("source"),
                        "windows": {k: v["windows"] for k, v in other["splits"].items()}})
    return Xtr, ytr, Xva, yva, sources


def outlier_loss(logits: torch.Tensor) -> torch.Tensor:
    """Cross-entropy to the uniform distribution, per window: mean over classes of -log_softmax."""
    return -torch.log_softmax(logits, dim=1).mean(dim=1)


def combined_loss(logits: torch.Tensor, y: torch.Tensor, loss_fn, outlier_weight: float, no_sign: bool = False) -> torch.Tensor:
    """Sign windows: loss_fn (cross-entropy); y == -1 windows: outlier_weight x (outlier_loss, or with a
    "no sign" output the cross-entropy to that last output), each term a mean over its own windows."""
    out = y == OUTLIER
    loss = logits.new_zeros(())
    if bool((~out).any()):
        loss = loss + loss_fn(logits[~out], y[~out])
    if bool(out.any()) and outlier_weight > 0:
        if no_sign:
            target = torch.full((int(out.sum()),), logits.shape[1] - 1, dtype=torch.long)
            loss = loss + outlier_weight * nn.functional.cross_entropy(logits[out], target)
        else:
            loss = loss + outlier_weight * outlier_loss(logits[out]).mean()
    return loss


def sign_probabilities(logits: torch.Tensor, no_sign: bool) -> torch.Tensor:
    """What the exported model returns: softmax over every output, without the "no sign" one when present."""
    return no_sign_probabilities(logits) if no_sign else torch.softmax(logits, dim=1)


def add_no_sign_output(model: nn.Module) -> None:
    """Grows the last Linear by one output, the "no sign" class, keeping the 22 signs' weights: its weights
    start at zero and its bias at the mean of the others, so fine-tuning starts from the same sign ranking."""
    old = model.head[-1]
    new = nn.Linear(old.in_features, old.out_features + 1)
    with torch.no_grad():
        new.weight[:-1] = old.weight
        new.bias[:-1] = old.bias
        new.weight[-1].zero_()
        new.bias[-1] = old.bias.mean()
    model.head[-1] = new


@torch.no_grad()
def evaluate(model, X, y, t: int, batch: int = 512, no_sign: bool = False):
    """(accuracy over sign windows, mean top sign probability over y == -1 windows or None)."""
    model.eval()
    correct, signs, top_sum, outliers = 0, 0, 0.0, 0
    for i in range(0, len(y), batch):
        logits = model(X[i:i + batch, -t:, :])
        yy = y[i:i + batch]
        out = yy == OUTLIER
        correct += int((logits.argmax(1) == yy)[~out].sum())
        signs += int((~out).sum())
        if bool(out.any()):
            top_sum += float(sign_probabilities(logits[out], no_sign).max(dim=1).values.sum())
            outliers += int(out.sum())
    return correct / max(1, signs), (top_sum / outliers if outliers else None)


def accuracy(model, X, y, t: int, batch: int = 512) -> float:
    return evaluate(model, X, y, t, batch)[0]


GOLDEN_TOLERANCE = 1e-4


def init_from_onnx(model: nn.Module, cfg: dict, path: str, no_sign: bool = False) -> dict:
    """Loads an exported model's weights into `model` (same config), checks them against the golden.json beside
    the file, and returns what the checkpoint records under meta.train.previous. `no_sign`: the exported
    model has the "no sign" output (its golden outputs are then the 22 signs' probabilities)."""
    from onnx_weights import OnnxWeightsError, check_golden, read_onnx_weights  # onnx is only needed here
    try:
        onnx_cfg, state = read_onnx_weights(path)
    except (OnnxWeightsError, OSError) as err:
        raise SystemExit(f"--init-onnx {path}: {err}") from err
    for key in ("input_dim", "hidden_dim", "num_layers", "num_classes", "bidirectional"):
        if onnx_cfg[key] != cfg[key]:
            raise SystemExit(f"--init-onnx {path}: {key} is {onnx_cfg[key]} in the model, {cfg[key]} here")
    model.load_state_dict(state)
    meta_path = os.path.join(os.path.dirname(path), "metadata.json")
    golden_path = os.path.join(os.path.dirname(path), "golden.json")
    metadata = {}
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            metadata = json.load(f)
    worst = None
    if os.path.exists(golden_path):
        diffs = check_golden(model, golden_path, no_sign)
        worst = max(d for _, d in diffs)
        if worst > GOLDEN_TOLERANCE:
            bad = [name for name, d in diffs if d > GOLDEN_TOLERANCE]
            raise SystemExit(f"--init-onnx {path}: loaded weights differ from golden.json by {worst:.3g} (cases {bad[:3]})")
        print(f"init from {metadata.get('model_id', os.path.basename(path))}: golden parity {worst:.2e} "
              f"over {len(diffs)} cases", flush=True)
    else:
        print(f"init from {os.path.basename(path)}: no golden.json beside it, parity not checked", flush=True)
    provenance = metadata.get("provenance") if isinstance(metadata.get("provenance"), dict) else {}
    return {"init_onnx": repo_relative(path), "model_id": metadata.get("model_id"), "golden_max_abs_diff": worst,
            "training": provenance.get("training")}


def initial_model(args, base_cfg: dict, no_sign: bool):
    """(model, its config, meta.train.previous): fresh, or from --init / --init-onnx. A starting model without
    the "no sign" output gets one when --no-sign-class asks for it; one that has it keeps it."""
    sign_cfg, full_cfg = base_cfg, {**base_cfg, "num_classes": base_cfg["num_classes"] + 1}
    if args.init:
        init = torch.load(args.init, map_location="cpu")
        init_no_sign = bool(init.get("meta", {}).get("no_sign_output"))
        cfg = full_cfg if init_no_sign else sign_cfg
        if init.get("config") != cfg:
            raise SystemExit(f"--init {args.init}: config {init.get('config')} differs from {cfg}")
        model = BiGRUClassifier(**cfg)
        model.load_state_dict(init["model_state"])
        previous = init.get("meta", {}).get("train")
    elif args.init_onnx:
        from onnx_weights import onnx_has_no_sign_output  # onnx is only needed here
        init_no_sign = onnx_has_no_sign_output(args.init_onnx)
        cfg = full_cfg if init_no_sign else sign_cfg
        model = BiGRUClassifier(**cfg)
        previous = init_from_onnx(model, cfg, args.init_onnx, init_no_sign)
    else:
        init_no_sign, previous = no_sign, None
        model = BiGRUClassifier(**(full_cfg if no_sign else sign_cfg))
    if init_no_sign and not no_sign:
        raise SystemExit("the starting model has a 'no sign' output: train it further with --no-sign-class")
    if no_sign and not init_no_sign:
        add_no_sign_output(model)
    return model, (full_cfg if no_sign else sign_cfg), previous


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="dataset directory (meta.json, X_*.f32, y_*.i32)")
    p.add_argument("--extra-data", action="append", default=[], metavar="DIR",
                   help="another dataset (same window shape and labels) whose train and val windows are added; repeatable")
    p.add_argument("--out", required=True, help="checkpoint path to write (original format)")
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--unidirectional", action="store_true")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--min-t", type=int, default=15, help="shortest partial window trained on")
    p.add_argument("--label-smoothing", type=float, default=0.05,
                   help="cross-entropy label smoothing; with s > 0 the loss is minimised at a top probability of "
                        "1 - s + s/classes (0.952 for 0.05 and 22 classes), so a fully trained model cannot be more sure")
    p.add_argument("--outlier-weight", type=float, default=0.5,
                   help="weight of the uniform-target loss on 'no sign' windows (target -1), if the dataset has any")
    p.add_argument("--no-sign-class", action="store_true",
                   help="train 'no sign' windows towards a 23rd output instead of the uniform distribution; "
                        "the export returns the 22 signs' share of a softmax over all 23 (needs outlier windows)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--init", default=None, help="start from this checkpoint's weights (same config) to train further")
    p.add_argument("--init-onnx", default=None,
                   help="start from the weights of an exported ONNX model (e.g. models/helen-bigru/model.onnx, whose "
                        "checkpoint is not committed); checked against the golden.json beside it (max abs diff 1e-4)")
    p.add_argument("--keep-init-if-better", action="store_true",
                   help="with --init/--init-onnx: score the starting weights on validation first and keep them unless an "
                        "epoch beats them (fine-tuning then never leaves a model worse on validation than it started)")
    p.add_argument("--max-minutes", type=float, default=14.0, help="stop after the epoch that crosses this")
    args = p.parse_args(argv)
    if args.init and args.init_onnx:
        p.error("--init and --init-onnx are exclusive")

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    meta = read_meta(args.data)
    labels = meta["class_labels"]
    if labels != [LABEL_TABLE[i] for i in range(len(labels))]:
        raise SystemExit("dataset class_labels differ from the original label table order")
    T, F, C = meta["seq_len"], meta["feature_dim"], len(labels)
    Xtr, ytr, Xva, yva, extra_sources = load_training_data(args.data, args.extra_data, meta)
    min_t = max(1, min(args.min_t, T))

    no_sign = args.no_sign_class
    if no_sign and OUTLIER not in set(ytr.tolist()):
        p.error(f"--no-sign-class: {', '.join([args.data, *args.extra_data])} has no 'no sign' windows (target -1) to train that output on")
    base_cfg = {"input_dim": F, "hidden_dim": args.hidden, "num_layers": args.layers, "num_classes": C,
                "dropout": args.dropout, "bidirectional": not args.unidirectional}
    model, cfg, previous = initial_model(args, base_cfg, no_sign)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = (len(ytr) + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    rng = np.random.default_rng(args.seed)

    best, best_state, history = -1.0, None, []
    best_epoch = None
    if args.keep_init_if_better and (args.init or args.init_onnx):
        (acc_full, _), (acc_short, _) = evaluate(model, Xva, yva, T, no_sign=no_sign), evaluate(model, Xva, yva, min_t, no_sign=no_sign)
        best, best_epoch = (acc_full + acc_short) / 2, 0
        best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        print(f"starting weights: val@T={T} {acc_full:.4f} val@T={min_t} {acc_short:.4f} "
              "(kept unless an epoch does better)", flush=True)
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.from_numpy(rng.permutation(len(ytr)))
        total = 0.0
        for i in range(0, len(ytr), args.batch):
            idx = order[i:i + args.batch]
            t = T if rng.random() < 0.5 else int(rng.integers(min_t, T + 1))
            logits = model(Xtr[idx, -t:, :])
            loss = combined_loss(logits, ytr[idx], loss_fn, args.outlier_weight, no_sign)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
        (acc_full, top_full), (acc_short, top_short) = evaluate(model, Xva, yva, T, no_sign=no_sign), evaluate(model, Xva, yva, min_t, no_sign=no_sign)
        elapsed = time.time() - t0
        entry = {"epoch": epoch + 1, "loss": total / len(ytr), "val_acc_full": acc_full,
                 "val_acc_short": acc_short, "elapsed_s": round(elapsed, 1)}
        extra = ""
        if top_full is not None:
            entry.update({"val_outlier_top_p_full": top_full, "val_outlier_top_p_short": top_short})
            extra = f" no-sign mean top p @T={T} {top_full:.4f} @T={min_t} {top_short:.4f}"
        history.append(entry)
        print(f"epoch {epoch + 1}/{args.epochs} loss {total / len(ytr):.4f} val@T={T} {acc_full:.4f} "
              f"val@T={min_t} {acc_short:.4f}{extra} ({elapsed:.0f}s)", flush=True)
        score = (acc_full + acc_short) / 2
        if score > best:
            best, best_state, best_epoch = score, {k: v.detach().clone() for k, v in model.state_dict().items()}, epoch + 1
        if elapsed > args.max_minutes * 60:
            print(f"stopping: {args.max_minutes} min budget reached", flush=True)
            break

    checkpoint = {
        "config": cfg,
        "meta": {
            "seq_len": T,
            "use_z": bool(meta["use_z"]),
            # Output index i is the dataset class id i, which is the original label table's id (see helen_model.py).
            "classes_numeric": list(range(C)),
            "class_labels": labels,
            "feature_dim": F,
            # The last output is "no sign" (not a class): export.py returns only the 22 signs' probabilities.
            "no_sign_output": no_sign,
            "train": {
                "dataset": repo_relative(args.data), "dataset_source": meta.get("source"),
                "extra_datasets": extra_sources,
                "split_seed": meta.get("split_seed"), "windows": {k: v["windows"] for k, v in meta["splits"].items()},
                "outlier_labels": meta.get("outlier_labels", []),
                "epochs_run": len(history), "best_epoch": best_epoch, "history": history, "seconds": round(time.time() - t0, 1),
                "args": {k: (repo_relative(v) if k in ("data", "out", "init", "init_onnx") and v else [repo_relative(d) for d in v] if k == "extra_data" else v) for k, v in vars(args).items()}, "torch": torch.__version__, "min_t": min_t,
                # Training continued from --init: its own record, so the total time stays traceable.
                "previous": previous,
            },
        },
        "model_state": best_state,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(checkpoint, args.out)
    kept = "the starting weights" if best_epoch == 0 else f"epoch {best_epoch}"
    print(f"wrote {args.out} (best val mean {best:.4f}: {kept}, {time.time() - t0:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
