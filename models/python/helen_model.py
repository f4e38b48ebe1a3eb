"""The original Helen sequence classifier and its checkpoint format.

BiGRUClassifier is the architecture of the original `sequence_bigru.pt` (model/inference_classifier_video.py
in the original repository): GRU (batch_first, optionally bidirectional) -> LayerNorm -> Dropout -> Linear on the
output of the last time step. It returns logits.

Checkpoint format (torch.save of a dict), as the original loader reads it:
    {"config": {"input_dim", "hidden_dim", "num_layers", "num_classes", "dropout", "bidirectional"},
     "meta": {"seq_len", "use_z", "classes_numeric", ...},
     "model_state": state_dict}

`classes_numeric`: our reading of the original code. The original client does
    idx_to_label = {i: helpers_labels.get(orig_val, str(orig_val)) for i, orig_val in enumerate(classes_numeric)}
so it is a list indexed by the model's output index whose values are the dataset's numeric class ids (the
folder / class numbers used when the data was collected), mapped to names through the label table
`helpers.labels_dict`. The ids of the original label set are 0..21 in the order of LABEL_TABLE below (the
order ARCHITECTURE.md lists), so for our own checkpoints classes_numeric == [0, 1, ..., 21].
"""
from __future__ import annotations

import hashlib
import numbers
from typing import Any, Dict, List, Tuple

import torch
import torch.nn as nn

# The original label table (numeric class id -> label). Must equal CLASS_LABELS in schemas/src/labels.ts;
# models/test/python-tooling.test.ts checks that they never drift apart.
LABEL_TABLE: Dict[int, str] = dict(enumerate([
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    "Start", "Clima", "Foco", "Ajustes", "Inicio", "Dispositivos",
    "Reloj", "Wifi", "Alarma", "Tutorial", "Anterior", "Agregar",
]))

CONFIG_FIELDS = ("input_dim", "hidden_dim", "num_layers", "num_classes", "dropout", "bidirectional")


class BiGRUClassifier(nn.Module):
    """GRU over the sequence, then LayerNorm -> Dropout -> Linear on the last time step (logits)."""

    def __init__(self, input_dim, hidden_dim, num_layers, num_classes, dropout=0.2, bidirectional=True):
        super().__init__()
        self.gru = nn.GRU(
            input_size=input_dim,
            hidden_size=hidden_dim,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
        )
        d = 2 if bidirectional else 1
        self.head = nn.Sequential(
            nn.LayerNorm(d * hidden_dim),
            nn.Dropout(dropout),
            nn.Linear(d * hidden_dim, num_classes),
        )

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1, :])


def no_sign_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """What a model with the "no sign" output (its last one) returns once exported: the softmax over every
    output with the last left out, so the signs' probabilities sum to 1 - p(no sign). The one definition
    shared by training, export, golden checks and the bench baseline."""
    return torch.softmax(logits, dim=1)[:, :-1]


class CheckpointError(ValueError):
    """A checkpoint that cannot be exported; the message names the offending field."""


def features_for(use_z: bool) -> int:
    """Frame vector size of the feature contract: two hands x 21 landmarks x (x, y[, z])."""
    return 2 * 21 * (3 if use_z else 2)


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _plain_list(v: Any) -> Any:
    # The original trainer may have stored a numpy array or a tensor of class ids.
    if hasattr(v, "tolist") and not isinstance(v, (list, tuple)):
        return v.tolist()
    return v


def label_for(value: Any) -> Tuple[str, bool]:
    """Label for one classes_numeric entry: (label, found in the table). Unknown ids fall back to str(value),
    as the original client did."""
    if _is_int(value) and int(value) in LABEL_TABLE:
        return LABEL_TABLE[int(value)], True
    if isinstance(value, str):
        if value.strip().lstrip("-").isdigit() and int(value) in LABEL_TABLE:
            return LABEL_TABLE[int(value)], True
        if value in LABEL_TABLE.values():
            return value, True
    return str(value), False


def validate_checkpoint(ckpt: Any) -> Tuple[Dict[str, Any], Dict[str, Any], Dict[str, torch.Tensor]]:
    """Checks the checkpoint dict and returns (config, meta, model_state); raises CheckpointError naming the field."""
    if not isinstance(ckpt, dict):
        raise CheckpointError(f"checkpoint: expected a dict with config/meta/model_state, got {type(ckpt).__name__}")
    for key in ("config", "meta", "model_state"):
        if key not in ckpt:
            raise CheckpointError(f"checkpoint: missing field '{key}'")
        if not isinstance(ckpt[key], dict):
            raise CheckpointError(f"checkpoint.{key}: expected a dict, got {type(ckpt[key]).__name__}")
    cfg, meta, state = ckpt["config"], ckpt["meta"], ckpt["model_state"]
    for f in CONFIG_FIELDS:
        if f not in cfg:
            raise CheckpointError(f"config.{f}: missing")
    for f in ("input_dim", "hidden_dim", "num_layers", "num_classes"):
        if not _is_int(cfg[f]) or cfg[f] < 1:
            raise CheckpointError(f"config.{f}: expected a positive integer, got {cfg[f]!r}")
    if not isinstance(cfg["dropout"], numbers.Real) or isinstance(cfg["dropout"], bool) or not 0 <= cfg["dropout"] < 1:
        raise CheckpointError(f"config.dropout: expected a number in [0, 1), got {cfg['dropout']!r}")
    if not isinstance(cfg["bidirectional"], bool):
        raise CheckpointError(f"config.bidirectional: expected true/false, got {cfg['bidirectional']!r}")
    for f in ("seq_len", "use_z", "classes_numeric"):
        if f not in meta:
            raise CheckpointError(f"meta.{f}: missing")
    if not _is_int(meta["seq_len"]) or meta["seq_len"] < 1:
        raise CheckpointError(f"meta.seq_len: expected a positive integer, got {meta['seq_len']!r}")
    if not isinstance(meta["use_z"], bool):
        raise CheckpointError(f"meta.use_z: expected true/false, got {meta['use_z']!r}")
    classes = _plain_list(meta["classes_numeric"])
    if not isinstance(classes, (list, tuple)) or len(classes) == 0:
        raise CheckpointError(f"meta.classes_numeric: expected a non-empty list, got {meta['classes_numeric']!r}")
    no_sign = meta.get("no_sign_output", False)
    if not isinstance(no_sign, bool):
        raise CheckpointError(f"meta.no_sign_output: expected true/false, got {no_sign!r}")
    # A "no sign" output (train.py --no-sign-class) is the last one and has no class id.
    if len(classes) != cfg["num_classes"] - int(no_sign):
        extra = " with one 'no sign' output (meta.no_sign_output)" if no_sign else ""
        raise CheckpointError(
            f"meta.classes_numeric: has {len(classes)} entries but config.num_classes is {cfg['num_classes']}{extra}")
    if len(set(map(str, classes))) != len(classes):
        raise CheckpointError("meta.classes_numeric: has duplicate entries")
    expected_dim = features_for(meta["use_z"])
    if cfg["input_dim"] != expected_dim:
        raise CheckpointError(
            f"config.input_dim: {cfg['input_dim']} does not match meta.use_z={meta['use_z']} "
            f"({expected_dim} features: 2 hands x 21 landmarks x {3 if meta['use_z'] else 2})")
    meta = {**meta, "classes_numeric": list(classes)}
    return cfg, meta, state


def build_model(cfg: Dict[str, Any], state: Dict[str, torch.Tensor]) -> BiGRUClassifier:
    model = BiGRUClassifier(cfg["input_dim"], cfg["hidden_dim"], cfg["num_layers"], cfg["num_classes"],
                            float(cfg["dropout"]), cfg["bidirectional"])
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    extra = [k for k in state if k not in own]
    if missing or extra:
        raise CheckpointError(f"model_state: keys do not match config (missing {missing[:4]}, unexpected {extra[:4]})")
    for k, v in own.items():
        if tuple(state[k].shape) != tuple(v.shape):
            raise CheckpointError(
                f"model_state.{k}: shape {tuple(state[k].shape)} does not match config (expected {tuple(v.shape)})")
    model.load_state_dict(state)
    model.eval()
    return model


def load_checkpoint(path: str):
    """(model, config, meta) from a checkpoint file, validated."""
    try:
        ckpt = torch.load(path, map_location="cpu")
    except Exception as err:  # noqa: BLE001 - any unreadable file is reported the same way
        raise CheckpointError(f"{path}: cannot be read as a torch checkpoint ({err})") from err
    cfg, meta, state = validate_checkpoint(ckpt)
    return build_model(cfg, state), cfg, meta


def class_labels(meta: Dict[str, Any]) -> Tuple[List[str], List[Any]]:
    """(labels in output order, classes_numeric entries missing from the label table)."""
    labels, unknown = [], []
    for v in meta["classes_numeric"]:
        label, found = label_for(v)
        labels.append(label)
        if not found:
            unknown.append(v)
    return labels, unknown


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
