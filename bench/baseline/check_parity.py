"""Golden parity of the baseline: its model function against models/helen-bigru/golden.json.

Every case runs through app.infer_scores (what /predict runs) and is compared with the expected outputs;
the real_* cases (T <= seq_len, no mask, so the contract's preprocessing leaves them as they are) also
run through app.predict_window and are compared with app.probabilities(expected) and their label. Prints the worst
absolute difference and exits 1 when it is above the golden tolerance (1e-4).

    /usr/bin/python3 bench/baseline/check_parity.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import app  # noqa: E402

TOLERANCE = 1e-4


def main() -> int:
    golden_path = app.MODEL_PATH.parent / "golden.json"
    with open(golden_path) as f:
        golden = json.load(f)
    worst = 0.0
    labels_ok = True
    for case in golden["cases"]:
        x = np.asarray(case["input"], dtype=np.float32).reshape(case["shape"])
        expected = np.asarray(case["expected"], dtype=np.float64).reshape(case["shape"][0], -1)
        diff = float(np.abs(app.infer_scores(x).astype(np.float64) - expected).max())
        line = f"{case['name']:<18} outputs max |diff| {diff:.3e}"
        worst = max(worst, diff)
        if case["name"].startswith("real_"):
            result = app.predict_window(x[0].tolist())
            pdiff = float(np.abs(np.asarray(result["probabilities"]) - app.probabilities(expected[0])).max())
            worst = max(worst, pdiff)
            label_ok = result["prediction"] == case["label"]
            labels_ok = labels_ok and label_ok
            line += f"  /predict probabilities max |diff| {pdiff:.3e}  prediction {result['prediction']!r} (label {case['label']!r}{'' if label_ok else ', WRONG'})"
        print(line)
    ok = worst <= TOLERANCE and labels_ok
    print(f"worst abs diff {worst:.3e} (tolerance {TOLERANCE:g}): {'OK' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
