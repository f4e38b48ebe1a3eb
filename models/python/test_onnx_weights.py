"""ONNX -> PyTorch weight loading (`onnx_weights.py`, `train.py --init-onnx`):
`/usr/bin/python3 -m unittest discover -s models/python -p 'test_onnx_weights.py'`."""
from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import unittest
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402
from helen_model import BiGRUClassifier  # noqa: E402
from onnx_weights import OnnxWeightsError, check_golden, load_onnx_model, onnx_has_no_sign_output, read_onnx_weights  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMMITTED = os.path.join(REPO, "models", "helen-bigru", "model.onnx")


def export_tiny(path: str, **cfg) -> BiGRUClassifier:
    torch.manual_seed(3)
    model = BiGRUClassifier(**{"input_dim": 84, "hidden_dim": 8, "num_layers": 2, "num_classes": 22, "dropout": 0.1,
                               "bidirectional": True, **cfg}).eval()
    # The exporter's tracer warnings (unittest turns them back on) are about batch sizes the tests do not use.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(1, 30, 84), path, opset_version=14, input_names=["sequence"],
                          output_names=["logits"], dynamic_axes={"sequence": {0: "batch", 1: "time"}, "logits": {0: "batch"}},
                          do_constant_folding=True)
    return model


class CommittedModel(unittest.TestCase):
    def test_loaded_weights_reproduce_the_golden_outputs_within_1e_4(self):
        model, cfg = load_onnx_model(COMMITTED)
        # A model with the "no sign" output has one output more than the 22 labels.
        no_sign = onnx_has_no_sign_output(COMMITTED)
        self.assertEqual((cfg["input_dim"], cfg["hidden_dim"], cfg["num_layers"], cfg["num_classes"], cfg["bidirectional"]),
                         (84, 128, 2, 22 + int(no_sign), True))
        diffs = check_golden(model, os.path.join(os.path.dirname(COMMITTED), "golden.json"), no_sign)
        self.assertGreaterEqual(len(diffs), 8)
        worst = max(d for _, d in diffs)
        self.assertLessEqual(worst, 1e-4, diffs)


class RoundTrip(unittest.TestCase):
    def assertSameState(self, model, path):
        _, state = read_onnx_weights(path)
        own = model.state_dict()
        self.assertEqual(set(state), set(own))
        for k, v in own.items():
            self.assertTrue(torch.equal(state[k], v), k)

    def test_bidirectional_two_layers_give_back_every_weight_exactly(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.onnx")
            self.assertSameState(export_tiny(path), path)

    def test_unidirectional_one_layer_too(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.onnx")
            self.assertSameState(export_tiny(path, num_layers=1, bidirectional=False), path)

    def test_a_graph_without_gru_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "lin.onnx")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(torch.nn.Linear(84, 22), torch.zeros(1, 84), path, opset_version=14)
            with self.assertRaises(OnnxWeightsError) as ctx:
                read_onnx_weights(path)
            self.assertIn("no ONNX GRU", str(ctx.exception))


class TrainInitOnnx(unittest.TestCase):
    def test_a_config_that_differs_from_the_model_is_refused_by_name(self):
        model = BiGRUClassifier(84, 64, 2, 22)
        cfg = {"input_dim": 84, "hidden_dim": 64, "num_layers": 2, "num_classes": 22, "dropout": 0.2, "bidirectional": True}
        with self.assertRaises(SystemExit) as ctx:
            train.init_from_onnx(model, cfg, COMMITTED)
        self.assertIn("hidden_dim is 128 in the model, 64 here", str(ctx.exception))

    def test_init_loads_the_weights_checks_golden_and_records_a_repo_relative_path(self):
        no_sign = onnx_has_no_sign_output(COMMITTED)
        classes = 22 + int(no_sign)
        model = BiGRUClassifier(84, 128, 2, classes)
        cfg = {"input_dim": 84, "hidden_dim": 128, "num_layers": 2, "num_classes": classes, "dropout": 0.2, "bidirectional": True}
        with contextlib.redirect_stdout(io.StringIO()) as out:
            previous = train.init_from_onnx(model, cfg, COMMITTED, no_sign)
        self.assertIn("golden parity", out.getvalue())
        self.assertEqual(previous["init_onnx"], os.path.join("models", "helen-bigru", "model.onnx"))
        self.assertTrue(previous["model_id"].startswith("helen-bigru@"))
        self.assertLessEqual(previous["golden_max_abs_diff"], 1e-4)

    def test_paths_outside_the_repository_are_never_recorded_absolute(self):
        self.assertEqual(train.repo_relative(os.path.join(REPO, "models", "data", "ds")), os.path.join("models", "data", "ds"))
        outside = os.path.join(tempfile.gettempdir(), "helen-x", "ds")
        self.assertEqual(train.repo_relative(outside), os.path.join("<outside the repository>", "ds"))


def tiny_dataset(path: str) -> None:
    """A 2-window-per-split dataset in the `helen models dataset` format (numpy only, no Node)."""
    import json

    import numpy as np
    from helen_model import LABEL_TABLE
    os.makedirs(path)
    rng = np.random.default_rng(0)
    for split in ("train", "val", "test"):
        rng.random((4, 30, 84), dtype=np.float32).astype("<f4").tofile(os.path.join(path, f"X_{split}.f32"))
        np.array([1, 2, 1, 2], dtype="<i4").tofile(os.path.join(path, f"y_{split}.i32"))
    meta = {"format": "helen-dataset/1", "seq_len": 30, "feature_dim": 84, "use_z": False, "split_seed": 1, "source": None,
            "class_labels": [LABEL_TABLE[i] for i in range(22)], "splits": {s: {"windows": 4} for s in ("train", "val", "test")}}
    with open(os.path.join(path, "meta.json"), "w") as f:
        json.dump(meta, f)


class KeepInitIfBetter(unittest.TestCase):
    def test_the_starting_weights_stay_when_no_epoch_validates_better(self):
        with tempfile.TemporaryDirectory() as tmp:
            ds, init, out = os.path.join(tmp, "ds"), os.path.join(tmp, "init.pt"), os.path.join(tmp, "out.pt")
            tiny_dataset(ds)
            cfg = {"input_dim": 84, "hidden_dim": 8, "num_layers": 1, "num_classes": 22, "dropout": 0.0, "bidirectional": True}
            torch.manual_seed(1)
            start = BiGRUClassifier(**cfg).state_dict()
            torch.save({"config": cfg, "meta": {"seq_len": 30, "use_z": False, "classes_numeric": list(range(22))},
                        "model_state": start}, init)
            # A learning rate of ~0 leaves every epoch tied with the start: ties keep the starting weights.
            with contextlib.redirect_stdout(io.StringIO()) as log:
                train.main(["--data", ds, "--out", out, "--init", init, "--hidden", "8", "--layers", "1", "--dropout", "0",
                            "--epochs", "1", "--lr", "1e-12", "--threads", "1", "--keep-init-if-better"])
            ckpt = torch.load(out)
            self.assertEqual(ckpt["meta"]["train"]["best_epoch"], 0)
            self.assertIn("the starting weights", log.getvalue())
            for k, v in start.items():
                self.assertTrue(torch.equal(ckpt["model_state"][k], v), k)


if __name__ == "__main__":
    unittest.main()
