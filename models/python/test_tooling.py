"""Tests of the Python tooling: `/usr/bin/python3 -m unittest discover models/python`.

The export round trip runs the real exporter, which calls `node bin/helen.mjs models verify`
(onnxruntime-node) for the parity check, so Node and the repo's node_modules must be present.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
import train  # noqa: E402
from helen_model import (BiGRUClassifier, CheckpointError, LABEL_TABLE, build_model, class_labels,  # noqa: E402
                         label_for, validate_checkpoint)

REPO = export.REPO


def tiny_checkpoint(**overrides):
    cfg = {"input_dim": 84, "hidden_dim": 8, "num_layers": 2, "num_classes": 22, "dropout": 0.1, "bidirectional": True}
    torch.manual_seed(0)
    model = BiGRUClassifier(**cfg)
    ckpt = {"config": cfg, "meta": {"seq_len": 30, "use_z": False, "classes_numeric": list(range(22))},
            "model_state": model.state_dict()}
    for path, value in overrides.items():
        section, _, key = path.partition(".")
        if value is KeyError:
            if key:
                del ckpt[section][key]
            else:
                del ckpt[section]
        elif key:
            ckpt[section][key] = value
        else:
            ckpt[section] = value
    return ckpt


class CheckpointValidation(unittest.TestCase):
    def assertRefused(self, ckpt, field):
        with self.assertRaises(CheckpointError) as ctx:
            validate_checkpoint(ckpt)
        self.assertIn(field, str(ctx.exception))

    def test_a_good_checkpoint_passes(self):
        cfg, meta, _ = validate_checkpoint(tiny_checkpoint())
        self.assertEqual(cfg["input_dim"], 84)
        self.assertEqual(class_labels(meta)[0], list(LABEL_TABLE.values()))

    def test_missing_sections_and_fields_are_named(self):
        self.assertRefused(tiny_checkpoint(**{"config": KeyError}), "'config'")
        self.assertRefused(tiny_checkpoint(**{"meta": KeyError}), "'meta'")
        self.assertRefused(tiny_checkpoint(**{"config.hidden_dim": KeyError}), "config.hidden_dim")
        self.assertRefused(tiny_checkpoint(**{"meta.seq_len": KeyError}), "meta.seq_len")
        self.assertRefused(tiny_checkpoint(**{"meta.use_z": KeyError}), "meta.use_z")
        self.assertRefused(tiny_checkpoint(**{"meta.classes_numeric": KeyError}), "meta.classes_numeric")

    def test_inconsistent_values_are_named(self):
        self.assertRefused(tiny_checkpoint(**{"meta.use_z": True}), "config.input_dim")
        self.assertRefused(tiny_checkpoint(**{"meta.classes_numeric": list(range(21))}), "meta.classes_numeric")
        self.assertRefused(tiny_checkpoint(**{"meta.classes_numeric": [0] * 22}), "duplicate")
        self.assertRefused(tiny_checkpoint(**{"config.num_layers": 0}), "config.num_layers")
        self.assertRefused(tiny_checkpoint(**{"config.bidirectional": "yes"}), "config.bidirectional")
        self.assertRefused(tiny_checkpoint(**{"meta.seq_len": 2.5}), "meta.seq_len")
        self.assertRefused([1, 2], "checkpoint")

    def test_weights_that_do_not_fit_the_config_are_refused_by_name(self):
        ckpt = tiny_checkpoint(**{"config.hidden_dim": 16})
        cfg, _, state = validate_checkpoint(ckpt)
        with self.assertRaises(CheckpointError) as ctx:
            build_model(cfg, state)
        self.assertIn("model_state.", str(ctx.exception))

    def test_classes_numeric_through_the_label_table(self):
        self.assertEqual(label_for(10), ("Start", True))
        self.assertEqual(label_for(np.int64(21)), ("Agregar", True))
        self.assertEqual(label_for("3"), ("3", True))
        self.assertEqual(label_for("Reloj"), ("Reloj", True))
        self.assertEqual(label_for(99), ("99", False))
        _, meta, _ = validate_checkpoint(tiny_checkpoint(**{"meta.classes_numeric": np.arange(22)}))
        self.assertEqual(meta["classes_numeric"], list(range(22)))


def run_export(argv):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = export.main(argv)
    return code, err.getvalue()


class ExportRoundTrip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.ckpt = os.path.join(cls.tmp.name, "sequence_bigru.pt")
        torch.save(tiny_checkpoint(), cls.ckpt)
        cls.out = os.path.join(cls.tmp.name, "out")
        cls.code, cls.err = run_export([cls.ckpt, "--out-dir", cls.out, "--name", "tiny"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_export_succeeds_and_writes_the_three_files(self):
        self.assertEqual(self.code, 0, self.err)
        self.assertEqual(sorted(os.listdir(self.out)), ["golden.json", "metadata.json", "model.onnx"])

    def test_graph_uses_gru_with_dynamic_batch_and_time(self):
        g = onnx.load(os.path.join(self.out, "model.onnx"))
        self.assertIn("GRU", {n.op_type for n in g.graph.node})
        dims = g.graph.input[0].type.tensor_type.shape.dim
        self.assertEqual(g.graph.input[0].name, "sequence")
        self.assertEqual([d.dim_param or d.dim_value for d in dims], ["batch", "time", 84])
        self.assertEqual(g.graph.output[0].name, "logits")
        self.assertEqual({p.key: p.value for p in g.metadata_props}["output.kind"], "logits")
        self.assertGreaterEqual(g.opset_import[0].version, 14)

    def test_metadata_names_the_model_by_its_sha256(self):
        with open(os.path.join(self.out, "metadata.json")) as f:
            meta = json.load(f)
        sha = export.sha256_file(os.path.join(self.out, "model.onnx"))
        self.assertEqual(meta["sha256"], sha)
        self.assertEqual(meta["model_id"], f"tiny@{sha[:12]}")
        self.assertEqual(meta["class_labels"], list(LABEL_TABLE.values()))
        self.assertEqual((meta["seq_len"], meta["use_z"], meta["feature_dim"]), (30, False, 84))

    def test_golden_outputs_are_the_checkpoints_outputs(self):
        with open(os.path.join(self.out, "golden.json")) as f:
            golden = json.load(f)
        kinds = {c["kind"] for c in golden["cases"]}
        self.assertEqual(kinds, {"random", "real"})
        self.assertTrue(any(c["shape"][1] < 30 for c in golden["cases"] if c["kind"] == "real"))
        model, _, _ = export.load_checkpoint(self.ckpt)
        case = golden["cases"][0]
        x = torch.tensor(case["input"], dtype=torch.float32).reshape(case["shape"])
        with torch.no_grad():
            y = model(x).reshape(-1).numpy()
        self.assertLess(float(np.abs(y - np.array(case["expected"], dtype=np.float32)).max()), 1e-6)

    def test_a_bad_checkpoint_is_refused_and_nothing_is_written(self):
        bad = os.path.join(self.tmp.name, "bad.pt")
        torch.save(tiny_checkpoint(**{"meta.use_z": True}), bad)
        out = os.path.join(self.tmp.name, "bad-out")
        code, err = run_export([bad, "--out-dir", out])
        self.assertEqual(code, 2)
        self.assertIn("config.input_dim", err)
        self.assertFalse(os.path.exists(out))


    def test_a_parity_failure_fails_the_export_and_writes_nothing(self):
        # A negative tolerance makes every golden case fail in `helen models verify`.
        out = os.path.join(self.tmp.name, "parity-out")
        saved = export.TOLERANCE
        export.TOLERANCE = -1.0
        try:
            with contextlib.redirect_stdout(io.StringIO()), self.assertRaises(SystemExit) as ctx:
                run_export([self.ckpt, "--out-dir", out])
        finally:
            export.TOLERANCE = saved
        self.assertIn("models verify", str(ctx.exception))
        self.assertFalse(os.path.exists(out))


class OutlierLoss(unittest.TestCase):
    def test_uniform_target_loss_is_log_classes_at_uniform_and_grows_with_confidence(self):
        flat = torch.zeros(2, 22)
        self.assertTrue(torch.allclose(train.outlier_loss(flat), torch.full((2,), float(np.log(22))), atol=1e-6))
        sure = torch.zeros(1, 22)
        sure[0, 3] = 10.0
        self.assertGreater(float(train.outlier_loss(sure)[0]), float(np.log(22)) + 1)

    def test_combined_loss_splits_sign_and_no_sign_windows(self):
        torch.manual_seed(0)
        logits = torch.randn(5, 22)
        y = torch.tensor([3, -1, 7, -1, 0])
        ce = torch.nn.CrossEntropyLoss()
        got = train.combined_loss(logits, y, ce, 0.5)
        want = ce(logits[[0, 2, 4]], y[[0, 2, 4]]) + 0.5 * train.outlier_loss(logits[[1, 3]]).mean()
        self.assertTrue(torch.allclose(got, want))
        # Weight 0 or no -1 windows: plain cross-entropy; only -1 windows: only the outlier term.
        self.assertTrue(torch.allclose(train.combined_loss(logits, y, ce, 0.0), ce(logits[[0, 2, 4]], y[[0, 2, 4]])))
        only = torch.tensor([-1, -1])
        self.assertTrue(torch.allclose(train.combined_loss(logits[:2], only, ce, 2.0), 2.0 * train.outlier_loss(logits[:2]).mean()))

    def test_evaluate_ignores_no_sign_windows_in_accuracy(self):
        class Fixed(torch.nn.Module):
            def forward(self, x):
                out = torch.zeros(x.shape[0], 22)
                out[:, 4] = 100.0
                return out
        X = torch.zeros(4, 30, 84)
        acc, top = train.evaluate(Fixed(), X, torch.tensor([4, -1, 4, -1]), 30)
        self.assertEqual(acc, 1.0)
        self.assertAlmostEqual(top, 1.0, places=5)
        acc, top = train.evaluate(Fixed(), X, torch.tensor([4, 2, 4, 4]), 30)
        self.assertEqual((acc, top), (0.75, None))


class NoSignOutput(unittest.TestCase):
    """--no-sign-class: a 23rd output trained on "no sign" windows; the export returns only the signs."""

    def test_no_sign_windows_train_towards_the_last_output(self):
        torch.manual_seed(1)
        logits = torch.randn(4, 23)
        y = torch.tensor([3, -1, 21, -1])
        ce = torch.nn.CrossEntropyLoss()
        got = train.combined_loss(logits, y, ce, 2.0, no_sign=True)
        want = ce(logits[[0, 2]], y[[0, 2]]) + 2.0 * ce(logits[[1, 3]], torch.tensor([22, 22]))
        self.assertTrue(torch.allclose(got, want))

    def test_growing_the_head_keeps_the_signs_ranking_and_adds_one_output(self):
        torch.manual_seed(2)
        model = BiGRUClassifier(84, 8, 1, 22).eval()
        x = torch.rand(3, 30, 84)
        with torch.no_grad():
            before = model(x)
            train.add_no_sign_output(model)
            after = model(x)
        self.assertEqual(tuple(after.shape), (3, 23))
        self.assertTrue(torch.allclose(after[:, :22], before, atol=1e-6))
        self.assertTrue(torch.equal(after[:, :22].argmax(1), before.argmax(1)))

    def test_evaluate_reports_the_signs_share_for_no_sign_windows(self):
        class Fixed(torch.nn.Module):
            def forward(self, x):
                out = torch.zeros(x.shape[0], 23)
                out[:, 22] = 100.0  # everything looks like no sign
                return out
        acc, top = train.evaluate(Fixed(), torch.zeros(2, 30, 84), torch.tensor([4, -1]), 30, no_sign=True)
        self.assertEqual(acc, 0.0)
        self.assertLess(top, 1e-6)

    def test_a_checkpoint_with_the_output_validates_and_a_wrong_count_is_named(self):
        torch.manual_seed(0)
        cfg = {"input_dim": 84, "hidden_dim": 8, "num_layers": 1, "num_classes": 23, "dropout": 0.1, "bidirectional": True}
        good = {"config": cfg, "meta": {"seq_len": 30, "use_z": False, "classes_numeric": list(range(22)),
                                        "no_sign_output": True}, "model_state": BiGRUClassifier(**cfg).state_dict()}
        validate_checkpoint(good)
        with self.assertRaisesRegex(CheckpointError, "no sign"):
            validate_checkpoint({**good, "meta": {**good["meta"], "classes_numeric": list(range(23))}})
        with self.assertRaisesRegex(CheckpointError, "meta.no_sign_output"):
            validate_checkpoint({**good, "meta": {**good["meta"], "no_sign_output": "yes"}})

    def test_export_returns_the_signs_probabilities_and_init_onnx_reads_them_back(self):
        torch.manual_seed(4)
        cfg = {"input_dim": 84, "hidden_dim": 8, "num_layers": 2, "num_classes": 23, "dropout": 0.1, "bidirectional": True}
        model = BiGRUClassifier(**cfg)
        with torch.no_grad():
            model.head[-1].bias[22] = 2.0  # "no sign" holds a visible share
        ckpt = {"config": cfg, "meta": {"seq_len": 30, "use_z": False, "classes_numeric": list(range(22)),
                                        "no_sign_output": True}, "model_state": model.state_dict()}
        with tempfile.TemporaryDirectory() as tmp:
            path, out = os.path.join(tmp, "ns.pt"), os.path.join(tmp, "out")
            torch.save(ckpt, path)
            code, err = run_export([path, "--out-dir", out, "--name", "tiny-ns"])
            self.assertEqual(code, 0, err)
            g = onnx.load(os.path.join(out, "model.onnx"))
            props = {p.key: p.value for p in g.metadata_props}
            self.assertEqual((g.graph.output[0].name, props["output.kind"], props["no_sign_output"]),
                             ("probabilities", "probabilities", "true"))
            with open(os.path.join(out, "metadata.json")) as f:
                meta = json.load(f)
            self.assertEqual((meta["num_classes"], len(meta["class_labels"]), meta["architecture"]["num_classes"]), (22, 22, 23))
            self.assertEqual(meta["output"]["kind"], "probabilities")
            with open(os.path.join(out, "golden.json")) as f:
                case = json.load(f)["cases"][0]
            x = torch.tensor(case["input"], dtype=torch.float32).reshape(case["shape"])
            model.eval()
            with torch.no_grad():
                want = torch.softmax(model(x), dim=1)[:, :22]
            got = torch.tensor(case["expected"]).reshape(want.shape)
            self.assertLess(float((got - want).abs().max()), 1e-6)
            self.assertTrue(bool((got.sum(1) < 0.99).all()), "the signs leave room for 'no sign'")
            # Fine-tuning starts again from the export: 23 outputs, golden parity through the same softmax.
            args = train.argparse.Namespace(init=None, init_onnx=os.path.join(out, "model.onnx"))
            with contextlib.redirect_stdout(io.StringIO()):
                back, back_cfg, previous = train.initial_model(args, {**cfg, "num_classes": 22}, True)
            self.assertEqual(back_cfg["num_classes"], 23)
            self.assertLessEqual(previous["golden_max_abs_diff"], 1e-4)
            with self.assertRaisesRegex(SystemExit, "no-sign-class"):
                with contextlib.redirect_stdout(io.StringIO()):
                    train.initial_model(args, {**cfg, "num_classes": 22}, False)


class GoldenLabels(unittest.TestCase):
    def test_no_sign_windows_are_labelled_by_their_recording_not_class_minus_one(self):
        with tempfile.TemporaryDirectory() as ds:
            T, F = 30, 84
            meta = {"seq_len": T, "use_z": False, "feature_dim": F, "class_labels": list(LABEL_TABLE.values())[:22],
                    "splits": {"test": {"windows": 3}}, "recordings": [{"label": "5"}, {"label": "idle"}]}
            with open(os.path.join(ds, "meta.json"), "w") as f:
                json.dump(meta, f)
            np.zeros(3 * T * F, dtype="<f4").tofile(os.path.join(ds, "X_test.f32"))
            np.array([5, 5, -1], dtype="<i4").tofile(os.path.join(ds, "y_test.i32"))
            np.array([0, 0, 1], dtype="<i4").tofile(os.path.join(ds, "r_test.i32"))
            X, labels = export.real_windows(ds, T, False, ds, count=3)
            self.assertEqual(labels, ["5", "5", "idle"])
            self.assertEqual(X.shape, (3, T, F))


class ExtraData(unittest.TestCase):
    @staticmethod
    def write_dataset(ds, train_targets, val_targets, **meta_overrides):
        T, F = 30, 84
        meta = {"seq_len": T, "feature_dim": F, "use_z": False, "class_labels": list(LABEL_TABLE.values())[:22],
                "splits": {"train": {"windows": len(train_targets)}, "val": {"windows": len(val_targets)}}, **meta_overrides}
        with open(os.path.join(ds, "meta.json"), "w") as f:
            json.dump(meta, f)
        for split, targets in (("train", train_targets), ("val", val_targets)):
            # Each window's values are its target, so the order of the joined windows can be checked.
            np.repeat(np.array(targets, dtype="<f4"), T * F).tofile(os.path.join(ds, f"X_{split}.f32"))
            np.array(targets, dtype="<i4").tofile(os.path.join(ds, f"y_{split}.i32"))
        return meta

    def test_extra_datasets_follow_the_first_in_both_splits(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            meta = self.write_dataset(a, [1, 2], [3])
            self.write_dataset(b, [-1, 4, 5], [-1], source="round 2")
            Xtr, ytr, Xva, yva, sources = train.load_training_data(a, [b], meta)
            self.assertEqual(ytr.tolist(), [1, 2, -1, 4, 5])
            self.assertEqual(yva.tolist(), [3, -1])
            self.assertEqual(Xtr[:, 0, 0].tolist(), [1.0, 2.0, -1.0, 4.0, 5.0])
            self.assertEqual(tuple(Xtr.shape), (5, 30, 84))
            # Provenance of the extra dataset, without this machine's absolute path.
            self.assertEqual(len(sources), 1)
            self.assertEqual(sources[0]["dataset_source"], "round 2")
            self.assertEqual(sources[0]["windows"], {"train": 3, "val": 1})
            self.assertFalse(os.path.isabs(sources[0]["dataset"]))

    def test_an_extra_dataset_of_another_shape_is_refused_by_name(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            meta = self.write_dataset(a, [1], [1])
            self.write_dataset(b, [1], [1], use_z=True)
            with self.assertRaises(SystemExit) as ctx:
                train.load_training_data(a, [b], meta)
            self.assertIn("use_z", str(ctx.exception))
            self.assertIn(b, str(ctx.exception))


class TrainSmoke(unittest.TestCase):
    def test_one_epoch_writes_a_checkpoint_in_the_original_format(self):
        with tempfile.TemporaryDirectory() as tmp:
            rec, ds = os.path.join(tmp, "rec"), os.path.join(tmp, "ds")
            helen = ["node", os.path.join(REPO, "bin", "helen.mjs"), "models"]
            subprocess.run(helen + ["generate", "--out", rec, "--seed", "5", "--per-class", "3", "--frames", "34"],
                           check=True, cwd=REPO, stdout=subprocess.DEVNULL)
            subprocess.run(helen + ["dataset", "--in", rec, "--out", ds], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
            out = os.path.join(tmp, "ck.pt")
            with contextlib.redirect_stdout(io.StringIO()):
                code = train.main(["--data", ds, "--out", out, "--hidden", "8", "--layers", "1", "--epochs", "1",
                                   "--threads", "1"])
            self.assertEqual(code, 0)
            ckpt = torch.load(out)
            cfg, meta, _ = validate_checkpoint(ckpt)
            self.assertEqual((cfg["hidden_dim"], cfg["num_layers"], cfg["num_classes"]), (8, 1, 22))
            self.assertEqual(meta["classes_numeric"], list(range(22)))
            self.assertEqual(meta["train"]["min_t"], 15)


if __name__ == "__main__":
    unittest.main()
