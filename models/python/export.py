"""Export a Helen checkpoint (original format, a user's `sequence_bigru.pt` included) to ONNX.

    /usr/bin/python3 models/python/export.py CHECKPOINT [--out-dir models/helen-bigru] [--name helen-bigru]
                                             [--dataset DIR]

Writes, into --out-dir, only after every check passed:
  model.onnx     input `sequence` float32 [batch, time, feature_dim] (batch and time dynamic);
                 output `logits` float32 [batch, num_classes]: raw scores, apply softmax for probabilities
                 (ONNX metadata_props `output.kind` = logits). A checkpoint with the "no sign" output
                 (meta.no_sign_output, train.py --no-sign-class) exports `probabilities` instead: the softmax
                 over all num_classes + 1 outputs, without the last, so the 22 sum to 1 - p(no sign)
                 (`output.kind` = probabilities, metadata_props `no_sign_output` = true).
  metadata.json  valid against schemas/src/json/metadata.ts (labels through the original label table).
  golden.json    inputs and PyTorch's outputs for random and real windows (a short T included), so Node tests
                 check onnxruntime-node parity without Python.
Checks: the graph uses the ONNX `GRU` op; onnxruntime-node reproduces PyTorch within 1e-4 (max abs diff) on
every golden case, run through `helen models verify` (there is no Python onnxruntime here); the metadata
validates and agrees with the session. Any failure exits non-zero and leaves --out-dir untouched.

Real windows come from --dataset (a `helen models dataset` directory, test split) or, without it, from a
small synthetic set generated on the fly with the checkpoint's seq_len and use_z.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helen_model import CheckpointError, class_labels, load_checkpoint, no_sign_probabilities, sha256_file  # noqa: E402

# torch 1.13's exporter warns about GRU with batch != 1 and prim::Constant shape inference; the batch-3 golden
# case proves the exported graph handles other batch sizes, so the warnings are noise here.
warnings.filterwarnings("ignore", message=".*batch_size other than 1.*")
warnings.filterwarnings("ignore", message=".*shape inference of prim::Constant.*")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HELEN = os.path.join(REPO, "bin", "helen.mjs")
TOLERANCE = 1e-4
INPUT_NAME, OUTPUT_NAME = "sequence", "logits"
PROBABILITIES_NAME = "probabilities"


class SignProbabilities(torch.nn.Module):
    """The exported graph of a model with the "no sign" output: softmax over every output, the last left out."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return no_sign_probabilities(self.model(x))


def f32_list(a: np.ndarray) -> list:
    # '%.9g' round-trips every float32 exactly while keeping golden.json small.
    return [float("%.9g" % v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def run_node(args: list) -> None:
    cmd = ["node", HELEN, "models", *args]
    try:
        subprocess.run(cmd, check=True, cwd=REPO)
    except FileNotFoundError as err:
        raise SystemExit("export: `node` is not on PATH; it is needed to check parity with onnxruntime-node") from err
    except subprocess.CalledProcessError as err:
        raise SystemExit(f"export: `{' '.join(cmd[1:])}` failed (exit {err.returncode})") from err


def real_windows(dataset: str | None, seq_len: int, use_z: bool, work: str, count: int = 4):
    """(windows [N, seq_len, F], labels) from a dataset's test split, generated when no dataset is given."""
    if dataset is None:
        rec, dataset = os.path.join(work, "rec"), os.path.join(work, "ds")
        run_node(["generate", "--out", rec, "--seed", "90017", "--per-class", "1", "--frames", str(seq_len + 8)])
        ds_args = ["dataset", "--in", rec, "--out", dataset, "--seq-len", str(seq_len), "--stride", "8"]
        run_node(ds_args + (["--use-z"] if use_z else []))
    with open(os.path.join(dataset, "meta.json")) as f:
        meta = json.load(f)
    if meta["seq_len"] != seq_len or meta["use_z"] != use_z:
        raise SystemExit(f"export: dataset {dataset} has seq_len {meta['seq_len']}, use_z {meta['use_z']}; "
                         f"the checkpoint needs seq_len {seq_len}, use_z {use_z}")
    split = "test" if meta["splits"]["test"]["windows"] > 0 else "train"
    T, F = meta["seq_len"], meta["feature_dim"]
    X = np.fromfile(os.path.join(dataset, f"X_{split}.f32"), dtype="<f4").reshape(-1, T, F)
    y = np.fromfile(os.path.join(dataset, f"y_{split}.i32"), dtype="<i4")
    # Spread the picks over the split so several classes appear.
    picks = np.linspace(0, len(y) - 1, num=min(count, len(y))).astype(int)
    recordings = meta.get("recordings") or []
    r_path = os.path.join(dataset, f"r_{split}.i32")
    r = np.fromfile(r_path, dtype="<i4") if os.path.exists(r_path) else None

    def label_of(i: int) -> str:
        # Target -1: a "no sign" window (idle / none recording); never index class_labels with it.
        if int(y[i]) >= 0:
            return meta["class_labels"][int(y[i])]
        if r is not None and 0 <= int(r[i]) < len(recordings):
            return recordings[int(r[i])]["label"]
        return "no_sign"
    return X[picks], [label_of(int(i)) for i in picks]


def golden_cases(model, seq_len: int, F: int, windows: np.ndarray, window_labels: list, seed: int) -> list:
    gen = torch.Generator().manual_seed(seed)
    short = max(6, seq_len // 2)
    cases = []
    # Random windows: values in the features' range, batch > 1 and several lengths (short, full, longer).
    for name, (B, T) in {"random_full_b3": (3, seq_len), "random_short": (1, short), "random_t1": (1, 1),
                         "random_long_b2": (2, seq_len + 5)}.items():
        cases.append({"name": name, "kind": "random", "x": torch.rand(B, T, F, generator=gen)})
    for i, (w, label) in enumerate(zip(windows, window_labels)):
        x = torch.from_numpy(np.ascontiguousarray(w[None]))
        cases.append({"name": f"real_{i}_{label}", "kind": "real", "label": label, "x": x})
        if i < 2:
            cases.append({"name": f"real_{i}_{label}_last{short}", "kind": "real", "label": label,
                          "x": x[:, -short:, :].contiguous()})
    out = []
    with torch.no_grad():
        for c in cases:
            x = c.pop("x").float()
            y = model(x)
            out.append({**c, "shape": list(x.shape), "input": f32_list(x.numpy()), "expected": f32_list(y.numpy())})
    return out


def export(args) -> int:
    try:
        model, cfg, meta = load_checkpoint(args.checkpoint)
    except CheckpointError as err:
        print(f"export: refused: {err}", file=sys.stderr)
        return 2
    labels, unknown = class_labels(meta)
    if unknown:
        print(f"export: warning: classes_numeric {unknown} are not in the label table; "
              f"labelled by their value, as the original client did", file=sys.stderr)
    seq_len, use_z, F, C = meta["seq_len"], meta["use_z"], cfg["input_dim"], cfg["num_classes"]
    no_sign = bool(meta.get("no_sign_output"))
    if no_sign:
        # The graph returns the signs only: metadata's num_classes is theirs, the architecture keeps C + 1.
        model, C = SignProbabilities(model).eval(), C - 1
    output_name, output_kind = (PROBABILITIES_NAME, "probabilities") if no_sign else (OUTPUT_NAME, "logits")
    out_dir = os.path.abspath(args.out_dir)
    os.makedirs(os.path.dirname(out_dir), exist_ok=True)
    work = tempfile.mkdtemp(prefix=".export-", dir=os.path.dirname(out_dir))
    try:
        onnx_path = os.path.join(work, "model.onnx")
        torch.onnx.export(
            model, torch.zeros(1, seq_len, F), onnx_path, opset_version=args.opset,
            input_names=[INPUT_NAME], output_names=[output_name],
            dynamic_axes={INPUT_NAME: {0: "batch", 1: "time"}, output_name: {0: "batch"}},
            do_constant_folding=True,
        )
        graph = onnx.load(onnx_path)
        ops = sorted({n.op_type for n in graph.graph.node})
        if "GRU" not in ops:
            print(f"export: the graph does not use the ONNX GRU op (ops: {ops})", file=sys.stderr)
            return 1
        props = {"output.kind": output_kind, "class_labels": json.dumps(labels),
                 "seq_len": str(seq_len), "use_z": str(use_z).lower()}
        if no_sign:
            props["no_sign_output"] = "true"
        for key, value in props.items():
            prop = graph.metadata_props.add()
            prop.key, prop.value = key, value
        graph.producer_name = "helen models/python/export.py"
        onnx.checker.check_model(graph)
        onnx.save(graph, onnx_path)
        sha = sha256_file(onnx_path)

        windows, window_labels = real_windows(args.dataset, seq_len, use_z, work)
        cases = golden_cases(model, seq_len, F, windows, window_labels, args.seed)
        model_id = f"{args.name}@{sha[:12]}"
        train = meta.get("train") if isinstance(meta.get("train"), dict) else None
        metadata = {
            "name": args.name, "model_id": model_id, "sha256": sha,
            "seq_len": seq_len, "use_z": use_z, "feature_dim": F, "num_classes": C, "class_labels": labels,
            "input": {"name": INPUT_NAME, "shape": ["batch", "time", F], "dtype": "float32"},
            "output": {"name": output_name, "kind": output_kind, "shape": ["batch", C], "dtype": "float32",
                       "note": ("the 22 signs' probabilities from a softmax that also has a 'no sign' output, left out: "
                                "they sum to 1 - p(no sign)") if no_sign else "raw scores; softmax gives the probabilities"},
            "architecture": {"type": "BiGRUClassifier", **cfg, "no_sign_output": no_sign},
            "opset": args.opset,
            "provenance": {
                "checkpoint": os.path.basename(args.checkpoint),
                "checkpoint_sha256": sha256_file(args.checkpoint),
                "classes_numeric": meta["classes_numeric"],
                "label_table": "original Helen labels_dict: class id i -> CLASS_LABELS[i] (schemas/src/labels.ts)",
                "training": None if train is None else {k: train.get(k) for k in
                                                        ("dataset_source", "extra_datasets", "split_seed", "windows", "outlier_labels", "epochs_run",
                                                         "seconds", "args", "torch", "min_t", "previous", "calibration")},
                "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "exporter": "models/python/export.py", "torch": torch.__version__, "onnx": onnx.__version__,
            },
        }
        golden = {"model_id": model_id, "sha256": sha, "input": INPUT_NAME, "output": output_name,
                  "tolerance": TOLERANCE, "reference": f"PyTorch {torch.__version__}", "cases": cases}
        with open(os.path.join(work, "metadata.json"), "w") as f:
            json.dump(metadata, f, indent=2)
            f.write("\n")
        with open(os.path.join(work, "golden.json"), "w") as f:
            json.dump(golden, f, separators=(",", ":"))
            f.write("\n")
        # Parity and metadata checks with the runtime that will serve the model.
        run_node(["verify", "--model", onnx_path, "--golden", os.path.join(work, "golden.json")])
        os.makedirs(out_dir, exist_ok=True)
        for name in ("model.onnx", "metadata.json", "golden.json"):
            shutil.move(os.path.join(work, name), os.path.join(out_dir, name))
        print(f"exported {model_id} -> {out_dir} ({os.path.getsize(os.path.join(out_dir, 'model.onnx'))} bytes, "
              f"ops {ops})")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint")
    p.add_argument("--out-dir", default=os.path.join(REPO, "models", "helen-bigru"))
    p.add_argument("--name", default="helen-bigru")
    p.add_argument("--dataset", default=None, help="dataset dir for real golden windows (default: generate)")
    p.add_argument("--opset", type=int, default=14)
    p.add_argument("--seed", type=int, default=1234, help="seed of the random golden windows")
    args = p.parse_args(argv)
    if args.opset < 14:
        p.error("--opset must be >= 14")
    return export(args)


if __name__ == "__main__":
    sys.exit(main())
