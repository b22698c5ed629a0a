"""Step 2 of the recipe: trains the relevance scorer on prepare.ts's training rows.

    /usr/bin/python3 models/recipe/train.py --data /tmp/tokenfold-relevance --out /tmp/relevance.pt

With --validate N, the last N training articles (in title order) are held back to report the
retention proxy per epoch, for choosing --epochs; without it, every training article is used.
The evaluation split is never read here. CPU, one thread, seeded: the same data gives the same
weights on the same torch build.
"""
import argparse

import numpy as np
import torch

from common import RelevanceScorer, baseline_scores, group_tensors, listwise_loss, load, retention


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/tmp/tokenfold-relevance")
    parser.add_argument("--out", default="/tmp/relevance.pt")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--dimension", type=int, default=16)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--batch", type=int, default=64, help="groups per step")
    parser.add_argument("--validate", type=int, default=0, help="training articles held back for validation")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    data = load(args.data)
    meta = data["meta"]
    groups = meta["groups"]
    articles = sorted({group["article"] for group in groups})
    held = set(articles[len(articles) - args.validate :]) if args.validate else set()
    train_groups = [group for group in groups if group["article"] not in held]
    valid_groups = [group for group in groups if group["article"] in held]

    features = torch.from_numpy(data["features"])
    unit_ids = torch.from_numpy(data["unit_ids"])
    query_ids = torch.from_numpy(data["query_ids"])
    labels = torch.from_numpy(data["labels"])
    model = RelevanceScorer(features.shape[1], meta["settings"]["buckets"], args.dimension, args.hidden)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=args.weight_decay)

    if valid_groups:
        base = baseline_scores(data)
        print(f"validation on {sorted(held)}: baseline proxy "
              f"{retention(base, data['costs'], valid_groups, 0.25):.3f} at 75%, "
              f"{retention(base, data['costs'], valid_groups, 0.5):.3f} at 50%")

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
        if valid_groups and (epoch % 5 == 0 or epoch == args.epochs):
            model.eval()
            with torch.no_grad():
                scores = model(features, unit_ids, query_ids).numpy()
            print(f"epoch {epoch}: loss {total / len(train_groups):.4f}, validation proxy "
                  f"{retention(scores, data['costs'], valid_groups, 0.25):.3f} at 75%, "
                  f"{retention(scores, data['costs'], valid_groups, 0.5):.3f} at 50%", flush=True)
        elif epoch % 10 == 0:
            print(f"epoch {epoch}: loss {total / len(train_groups):.4f}", flush=True)

    torch.save({"state": model.state_dict(), "args": vars(args), "meta": {k: meta[k] for k in ("featureNames", "settings")}}, args.out)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
