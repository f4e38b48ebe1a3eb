"""The benchmark's baseline: the original Helen inference server re-implemented from its contract.

The original (`cloud_inference_server.py`, seed README) was a Flask app that loads the GRU checkpoint
once and serves GET /health, GET /metadata and POST /predict, run as `gunicorn --workers 2`. This is
that design, with the same weights as our committed ONNX model: the initializers of
models/helen-bigru/model.onnx loaded into the original BiGRUClassifier by models/python/onnx_weights.py
(imported from the repository, not copied), so both sides of the benchmark compute the same function.

Fair to the original: model.eval(), torch.inference_mode(), the model loaded once per gunicorn worker
and OpenBLAS (libopenblas0-openmp) behind torch. The preprocessing is the contract's (ARCHITECTURE.md,
features/src/window.ts prepareModelInput): each hand's half of every frame times its mask, the last
seq_len frames of a longer sequence, a shorter sequence run as it is (never padded).
"""
from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
import torch
from flask import Flask, jsonify, request

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "models" / "python"))

from helen_model import no_sign_probabilities  # noqa: E402  (needs models/python on sys.path)
from onnx_weights import load_onnx_model, onnx_has_no_sign_output  # noqa: E402

MODEL_PATH = Path(os.environ.get("HELEN_BASELINE_MODEL") or REPO_ROOT / "models" / "helen-bigru" / "model.onnx")

# Intra-op threads per worker: 1. Measured with 2 workers on this 2-core machine (wrk -t1 -c8 -d5s,
# the 30 x 84 real_0_0 window with its mask as JSON, 2026-11-26, runs interleaved while other jobs
# kept the load average at 7-13, so the absolute figures are low; the ratio is what counts):
#   1 thread per worker:  48.7 and 56.7 req/s, p50 155 / 135 ms
#   2 threads per worker: 10.8 and  9.6 req/s, p50 725 / 678 ms
# 2 workers x 2 OpenMP threads oversubscribe the 2 cores (likely cause: OpenMP threads waiting on
# each other's preempted peers; not profiled). torch's own default resolved to 1 thread here (torch.__config__.parallel_info():
# at::get_num_threads() : 1, ATen parallel backend OpenMP; BLAS is Debian's libblas.so.3 ->
# openblas-openmp), so "default" and 1 are the same on this machine; setting it explicitly keeps a
# machine whose default is the core count fair too. HELEN_BASELINE_TORCH_THREADS overrides it.
TORCH_THREADS = int(os.environ.get("HELEN_BASELINE_TORCH_THREADS", "1"))


class BadRequest(ValueError):
    """A request the contract answers with 400 {"error": message}."""


def _load() -> Dict[str, Any]:
    # Loaded when the app module is imported. gunicorn imports it in each worker after the fork
    # (preload_app stays off in gunicorn.conf.py), as the original `gunicorn app --workers 2` did:
    # each worker owns its model and its OpenMP pool, which a fork after torch has started its
    # threads would leave broken in the child.
    torch.set_num_threads(TORCH_THREADS)
    model, cfg = load_onnx_model(str(MODEL_PATH))
    model.eval()
    # A model with the "no sign" output has one output more than its labels (export.py).
    no_sign = onnx_has_no_sign_output(str(MODEL_PATH))
    with open(MODEL_PATH.parent / "metadata.json") as f:
        meta = json.load(f)
    if meta["feature_dim"] != cfg["input_dim"] or meta["num_classes"] != cfg["num_classes"] - int(no_sign):
        raise ValueError(f"{MODEL_PATH}: metadata.json does not match the ONNX weights")
    return {"model": model, "meta": meta, "no_sign": no_sign}


_STATE = _load()
MODEL: torch.nn.Module = _STATE["model"]
META: Dict[str, Any] = _STATE["meta"]
SEQ_LEN: int = int(META["seq_len"])
FEATURE_DIM: int = int(META["feature_dim"])
LABELS: List[str] = list(META["class_labels"])
NO_SIGN: bool = _STATE["no_sign"]


def infer_scores(x: np.ndarray) -> np.ndarray:
    """What the exported graph returns for float32 [batch, T, F]: logits [batch, classes], or for a
    model with the "no sign" output the 22 signs' probabilities (softmax over all, the last left out)."""
    with torch.inference_mode():
        logits = MODEL(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)))
        return no_sign_probabilities(logits).numpy() if NO_SIGN else logits.numpy()


def probabilities(scores: np.ndarray) -> np.ndarray:
    """One row of infer_scores as the /predict probabilities."""
    return scores.astype(np.float64) if NO_SIGN else softmax(scores)


def softmax(logits: np.ndarray) -> np.ndarray:
    # float64, max subtracted: the same numbers as model-runtime/src/scores.ts softmax.
    z = logits.astype(np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


def prepare_window(sequence: Any, mask: Any = None) -> np.ndarray:
    """Validated [T', F] float32 model input: masked, last SEQ_LEN frames, never padded."""
    if not isinstance(sequence, list) or len(sequence) == 0:
        raise BadRequest("'sequence' must be a non-empty 2-D array")
    try:
        x = np.asarray(sequence, dtype=np.float32)
    except (ValueError, TypeError) as err:
        raise BadRequest(f"'sequence' must be a rectangular 2-D array of numbers ({err})") from err
    if x.ndim != 2:
        raise BadRequest(f"'sequence' must be 2-D (T x F), got {x.ndim} dimensions")
    if x.shape[1] != FEATURE_DIM:
        raise BadRequest(f"expected {FEATURE_DIM} features per frame (feature_dim), got {x.shape[1]}")
    if not np.isfinite(x).all():
        raise BadRequest("'sequence' values must be finite numbers")
    if mask is not None:
        try:
            m = np.asarray(mask, dtype=np.float32)
        except (ValueError, TypeError) as err:
            raise BadRequest(f"'mask' must be T x 2 numbers ({err})") from err
        if m.shape != (x.shape[0], 2):
            raise BadRequest(f"'mask' must be T x 2 with T = {x.shape[0]} (the length of 'sequence'), got shape {list(m.shape)}")
        if not np.isfinite(m).all():
            raise BadRequest("'mask' values must be finite numbers")
        half = FEATURE_DIM // 2
        x[:, :half] *= m[:, 0:1]
        x[:, half:] *= m[:, 1:2]
    return x[-SEQ_LEN:]


def predict_window(sequence: Any, mask: Any = None) -> Dict[str, Any]:
    """The /predict answer for one request body's `sequence` and `mask`."""
    started = time.perf_counter()
    x = prepare_window(sequence, mask)
    probs = probabilities(infer_scores(x[None])[0])
    top = int(probs.argmax())
    return {
        "prediction": LABELS[top],
        "probabilities": probs.tolist(),
        "top_index": top,
        "top_probability": float(probs[top]),
        "elapsed_ms": (time.perf_counter() - started) * 1000.0,
    }


app = Flask(__name__)


@app.get("/health")
def health():
    return jsonify(status="ok", classes=len(LABELS), pid=os.getpid(), torch_threads=torch.get_num_threads())


@app.get("/metadata")
def metadata():
    return jsonify(seq_len=SEQ_LEN, use_z=META["use_z"], num_classes=len(LABELS), class_labels=LABELS,
                   feature_dim=FEATURE_DIM, model=META.get("model_id"))


@app.post("/predict")
def predict():
    body: Optional[Any] = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="expected a JSON object body"), 400
    if "sequence" not in body:
        return jsonify(error="missing 'sequence'"), 400
    try:
        result = predict_window(body["sequence"], body.get("mask"))
    except BadRequest as err:
        return jsonify(error=str(err)), 400
    if not all(math.isfinite(p) for p in result["probabilities"]):
        return jsonify(error="the masked features overflow float32"), 400
    return jsonify(result)
