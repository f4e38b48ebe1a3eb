"""Load the weights of an exported Helen ONNX model back into a BiGRUClassifier.

The committed model ships as ONNX only (its PyTorch checkpoint is not in the repository), so adapting
it to a household's own recordings (`helen models adapt`, `train.py --init-onnx`) starts from the ONNX
initializers. The export (torch 1.13, opset 14) writes:

  * one ONNX `GRU` node per layer, in graph (topological) order, with inputs X, W [dirs, 3H, I],
    R [dirs, 3H, H], B [dirs, 6H] = [Wb | Rb]; direction 0 is forward, 1 the reverse direction. ONNX
    orders the gates z, r, h, torch orders them r, z, n, so the first two blocks of H rows swap.
    `linear_before_reset = 1` is torch's GRU formulation, which we require.
  * LayerNorm as ReduceMean/Sub/Pow/.../Mul(weight)/Add(bias) (opset 14 has no LayerNormalization),
    then Linear as Gemm (transB = 1).

`check_golden` runs the loaded model on golden.json (onnxruntime-node's reference outputs, which equal
the ONNX graph's within 1e-4) so a wrong mapping is caught before any training starts.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Tuple

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from helen_model import BiGRUClassifier, no_sign_probabilities


class OnnxWeightsError(ValueError):
    """An ONNX file whose graph is not the exported BiGRUClassifier; the message says what differs."""


def _attr(node, name: str, default: Any = None) -> Any:
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def _torch_gates(block: np.ndarray, hidden: int) -> np.ndarray:
    """ONNX gate order (z, r, h) along axis 0 -> torch's (r, z, n)."""
    z, r, h = block[:hidden], block[hidden:2 * hidden], block[2 * hidden:3 * hidden]
    return np.concatenate([r, z, h], axis=0)


def read_onnx_weights(path: str) -> Tuple[Dict[str, Any], Dict[str, torch.Tensor]]:
    """(config, state_dict) of the BiGRUClassifier exported to `path`. Dropout is taken from
    metadata.json beside the file when present (it does not change the outputs)."""
    model = onnx.load(path)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    grus = [n for n in model.graph.node if n.op_type == "GRU"]
    if not grus:
        raise OnnxWeightsError(f"{path}: no ONNX GRU node (not an exported BiGRUClassifier)")
    state: Dict[str, torch.Tensor] = {}
    hidden = int(_attr(grus[0], "hidden_size"))
    direction = _attr(grus[0], "direction", b"forward")
    direction = direction.decode() if isinstance(direction, bytes) else str(direction)
    if direction not in ("forward", "bidirectional"):
        raise OnnxWeightsError(f"{path}: GRU direction {direction!r} (expected forward or bidirectional)")
    dirs = 2 if direction == "bidirectional" else 1
    input_dim = None
    for layer, node in enumerate(grus):
        if int(_attr(node, "linear_before_reset", 0)) != 1:
            raise OnnxWeightsError(f"{path}: GRU layer {layer} has linear_before_reset != 1 (not torch's GRU)")
        if int(_attr(node, "hidden_size")) != hidden:
            raise OnnxWeightsError(f"{path}: GRU layers differ in hidden_size")
        try:
            W, R, B = (inits[name] for name in node.input[1:4])
        except KeyError as err:
            raise OnnxWeightsError(f"{path}: GRU layer {layer} input {err} is not an initializer") from err
        if (W.shape[0] != dirs or W.shape[1] != 3 * hidden
                or R.shape != (dirs, 3 * hidden, hidden) or B.shape != (dirs, 6 * hidden)):
            raise OnnxWeightsError(f"{path}: GRU layer {layer} weights have shapes W{W.shape} R{R.shape} B{B.shape}")
        if layer == 0:
            input_dim = int(W.shape[2])
        for d in range(dirs):
            suffix = f"l{layer}" + ("_reverse" if d == 1 else "")
            state[f"gru.weight_ih_{suffix}"] = torch.from_numpy(_torch_gates(W[d], hidden).copy())
            state[f"gru.weight_hh_{suffix}"] = torch.from_numpy(_torch_gates(R[d], hidden).copy())
            state[f"gru.bias_ih_{suffix}"] = torch.from_numpy(_torch_gates(B[d, :3 * hidden], hidden).copy())
            state[f"gru.bias_hh_{suffix}"] = torch.from_numpy(_torch_gates(B[d, 3 * hidden:], hidden).copy())

    width = dirs * hidden
    norm_w, norm_b, lin_w, lin_b = _head_weights(model, inits, width, path)
    state["head.0.weight"], state["head.0.bias"] = torch.from_numpy(norm_w.copy()), torch.from_numpy(norm_b.copy())
    state["head.2.weight"], state["head.2.bias"] = torch.from_numpy(lin_w.copy()), torch.from_numpy(lin_b.copy())
    cfg = {"input_dim": input_dim, "hidden_dim": hidden, "num_layers": len(grus), "num_classes": int(lin_w.shape[0]),
           "dropout": _dropout_beside(path), "bidirectional": dirs == 2}
    return cfg, state


def _head_weights(model, inits, width: int, path: str):
    """LayerNorm weight/bias (the initializers of the Mul and Add after the normalisation) and the Gemm's
    weight/bias. The exporter keeps the module names (head.0.*, head.2.*); the graph walk does not rely on them."""
    gemms = [n for n in model.graph.node if n.op_type == "Gemm"]
    if len(gemms) != 1:
        raise OnnxWeightsError(f"{path}: expected one Gemm (the Linear head), found {len(gemms)}")
    gemm = gemms[0]
    lin_w, lin_b = inits.get(gemm.input[1]), inits.get(gemm.input[2]) if len(gemm.input) > 2 else None
    if lin_w is None or lin_b is None:
        raise OnnxWeightsError(f"{path}: the Gemm's weight or bias is not an initializer")
    if int(_attr(gemm, "transB", 0)) == 0:
        lin_w = lin_w.T
    producers = {o: n for n in model.graph.node for o in n.output}
    add = producers.get(gemm.input[0])
    mul = producers.get(add.input[0]) if add is not None and add.op_type == "Add" else None
    if add is None or mul is None or mul.op_type != "Mul":
        raise OnnxWeightsError(f"{path}: the Gemm is not fed by LayerNorm's Mul -> Add")
    norm_w = next((inits[i] for i in mul.input if i in inits), None)
    norm_b = next((inits[i] for i in add.input if i in inits), None)
    if norm_w is None or norm_b is None or norm_w.shape != (width,) or norm_b.shape != (width,) or lin_w.shape[1] != width:
        raise OnnxWeightsError(f"{path}: LayerNorm / Linear weights do not have width {width}")
    return norm_w, norm_b, lin_w, lin_b


def _dropout_beside(path: str) -> float:
    try:
        with open(os.path.join(os.path.dirname(path), "metadata.json")) as f:
            return float(json.load(f)["architecture"]["dropout"])
    except (OSError, KeyError, TypeError, ValueError):
        return 0.2


def load_onnx_model(path: str) -> Tuple[BiGRUClassifier, Dict[str, Any]]:
    """(model in eval mode, config) with the ONNX file's weights."""
    cfg, state = read_onnx_weights(path)
    model = BiGRUClassifier(**cfg)
    own = model.state_dict()
    if set(own) != set(state):
        raise OnnxWeightsError(f"{path}: weights {sorted(set(own) ^ set(state))[:4]} do not match the architecture")
    model.load_state_dict(state)
    model.eval()
    return model, cfg


def onnx_has_no_sign_output(path: str) -> bool:
    """Whether the exported model has the "no sign" output (export.py's metadata_props `no_sign_output`): its
    Gemm then has one row more than the labels, and the graph returns the signs' softmax probabilities."""
    return any(p.key == "no_sign_output" and p.value == "true" for p in onnx.load(path).metadata_props)


def check_golden(model: torch.nn.Module, golden_path: str, no_sign: bool = False) -> List[Tuple[str, float]]:
    """(case name, max abs diff) of the model's outputs against every golden.json case; with `no_sign`, of
    what the exported graph returns (the signs' probabilities, see train.sign_probabilities)."""
    with open(golden_path) as f:
        golden = json.load(f)
    out = []
    model.eval()
    with torch.no_grad():
        for case in golden["cases"]:
            x = torch.tensor(case["input"], dtype=torch.float32).reshape(case["shape"])
            logits = model(x)
            y = (no_sign_probabilities(logits) if no_sign else logits).reshape(-1).numpy()
            out.append((case["name"], float(np.abs(y - np.asarray(case["expected"], dtype=np.float32)).max())))
    return out
