"""Cross-validation over the training articles (the evaluation split is never read): trains one
model per fold with the settings given and prints the retention proxy of model and baseline.

    /usr/bin/python3 models/recipe/cv.py --terms none --dimension 0 --hidden 32 --weight-decay 1e-2 --epochs 15
"""
import sys

from train import arguments, train

FOLDS = 4

totals = {"model": [0.0, 0.0], "baseline": [0.0, 0.0]}
questions = 0
for fold in range(FOLDS):
    args = arguments(sys.argv[1:] + ["--folds", str(FOLDS), "--fold", str(fold)])
    _, _, result = train(args, quiet=True)
    n = result["questions"]
    questions += n
    for name in totals:
        for i in range(2):
            totals[name][i] += result[name][i] * n
    print(f"fold {fold}: {n} questions, model {result['model'][0]:.3f} / baseline {result['baseline'][0]:.3f} at 75%", flush=True)
model, baseline = (totals[name][0] / questions for name in ("model", "baseline"))
print(f"all folds, 75%: model {model:.3f}, baseline {baseline:.3f}, difference {100 * (model - baseline):+.1f} points; "
      f"50%: model {totals['model'][1] / questions:.3f}, baseline {totals['baseline'][1] / questions:.3f}")
