"""Step 2 of the recipe: trains the relevance scorer on prepare.ts's training rows.

    /usr/bin/python3 models/recipe/train.py --data /tmp/tokenfold-relevance --out /tmp/relevance.pt

With --folds K --fold I, every K-th training article (in title order, from the I-th) is held back
to report the retention proxy, for choosing settings (cv.py runs every fold); without --folds,
every training article is used.
The evaluation split is never read here. CPU, one thread, seeded: the same data gives the same
weights on the same torch build.
"""
import argparse

import numpy as np
import torch

from common import RelevanceScorer, baseline_scores, group_tensors, listwise_loss, load, retention


def arguments(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/tmp/tokenfold-relevance")
    parser.add_argument("--out", default="/tmp/relevance.pt")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--dimension", type=int, default=0)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--terms", choices=["none", "bag", "match"], default="none")
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--weight-decay", type=float, default=1e-2)
    parser.add_argument("--batch", type=int, default=64, help="groups per step")
    parser.add_argument("--folds", type=int, default=0, help="cross-validation folds over training articles")
    parser.add_argument("--fold", type=int, default=0, help="which fold to hold back")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-plausible", action="store_true", help="train on answerable questions only")
    return parser.parse_args(argv)


def train(args, quiet=False):
    """Trains one model; returns it and, with --folds, the validation proxies of the model and the baseline."""
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    data = load(args.data)
    meta = data["meta"]
    groups = meta["groups"]
    articles = sorted({group["article"] for group in groups})
    held = set(articles[args.fold :: args.folds]) if args.folds else set()
    train_groups = [group for group in groups if group["article"] not in held and not (args.no_plausible and group["plausible"])]
    # Validation scores answerable questions only, as the benchmark does.
    valid_groups = [group for group in groups if group["article"] in held and not group["plausible"]]

    features = torch.from_numpy(data["features"])
    unit_ids = torch.from_numpy(data["unit_ids"])
    query_ids = torch.from_numpy(data["query_ids"])
    labels = torch.from_numpy(data["labels"])
    model = RelevanceScorer(features.shape[1], meta["settings"]["buckets"], args.dimension, args.hidden, args.terms)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=args.weight_decay)

    result = {}
    if valid_groups:
        base = baseline_scores(data)
        result["baseline"] = (retention(base, data["costs"], valid_groups, 0.25), retention(base, data["costs"], valid_groups, 0.5))

    for epoch in range(1, args.epochs + 1):
        model.train()
        order = rng.permutation(len(train_groups))
        total = 0.0
        for batch_start in range(0, len(order), args.batch):
            batch = [train_groups[i] for i in order[batch_start : batch_start + args.batch]]
            index, mask = group_tensors(batch)
            rows = index[mask].unique()
            # Score only this batch's rows, then look them up by position.
            position = torch.full((features.shape[0],), -1, dtype=torch.int64)
            position[rows] = torch.arange(rows.numel())
            scores = model(features[rows], unit_ids[rows], query_ids[rows])
            loss = listwise_loss(scores, labels[rows], position[index].clamp(min=0), mask)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        if epoch % 10 == 0 and not quiet:
            print(f"epoch {epoch}: loss {total / len(train_groups):.4f}", flush=True)
    model.eval()
    if valid_groups:
        with torch.no_grad():
            scores = model(features, unit_ids, query_ids).numpy()
        result["model"] = (retention(scores, data["costs"], valid_groups, 0.25), retention(scores, data["costs"], valid_groups, 0.5))
        result["questions"] = len(valid_groups)
    return model, meta, result


def main():
    args = arguments()
    model, meta, result = train(args)
    if result:
        print(f"validation proxy: model {result['model'][0]:.3f} at 75%, {result['model'][1]:.3f} at 50%; "
              f"baseline {result['baseline'][0]:.3f} at 75%, {result['baseline'][1]:.3f} at 50%")
    torch.save({"state": model.state_dict(), "args": vars(args), "meta": {k: meta[k] for k in ("featureNames", "settings")}}, args.out)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
