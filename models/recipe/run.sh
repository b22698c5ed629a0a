#!/bin/sh
# The whole recipe, from the SQuAD file to models/relevance.onnx and bench/models-results.md.
# Run from anywhere; needs Node (node_modules/.bin/node) and /usr/bin/python3 with Debian's
# python3-torch, python3-onnx and python3-numpy. CPU only, about a minute on two cores.
set -eu
cd "$(dirname "$0")/../.."
DATA=${DATA:-/tmp/tokenfold-relevance}
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the work tree
NODE="node_modules/.bin/node --conditions=tokenfold-source"

# 1. Training rows from the training articles (and unanswerable questions' plausible answers).
$NODE models/recipe/prepare.ts "$DATA" train

# 2. (Optional) the settings below were chosen by cross-validation over training articles:
#    /usr/bin/python3 models/recipe/cv.py --data "$DATA" --terms none --dimension 0 --hidden 32 --weight-decay 1e-2 --epochs 15

# 3. Five seeds on all training articles, averaged into one graph.
for seed in 1 2 3 4 5; do
  /usr/bin/python3 models/recipe/train.py --data "$DATA" --out "$DATA/relevance-$seed.pt" \
    --terms none --dimension 0 --hidden 32 --weight-decay 1e-2 --epochs 15 --seed "$seed"
done
/usr/bin/python3 models/recipe/export.py "$DATA"/relevance-[1-5].pt --out models/relevance.onnx

# 4. Evaluation on the held-out articles and the SWE-agent trajectories, with throughput.
$NODE bench/models.ts
