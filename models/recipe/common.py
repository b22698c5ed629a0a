"""Shared by train.py, export.py and evaluate.py: reading prepare.ts's output, the model, the
listwise loss and a quick retention proxy.

The proxy mirrors the text compressor's selection without its fold markers: units are taken by
score, best first, while their characters fit a quarter (or half) of the paragraph; an answer is
kept when every unit it overlaps was taken. The real measure is bench/models.ts, in Node, through
the same selection code as the baseline; the proxy only picks hyper-parameters quickly.
"""
import json
import os

import numpy as np
import torch
from torch import nn


def load(directory):
    """The arrays and groups written by prepare.ts."""
    with open(os.path.join(directory, "meta.json")) as file:
        meta = json.load(file)
    rows = meta["rows"]
    width = len(meta["featureNames"])
    settings = meta["settings"]

    def read(name, dtype, columns):
        array = np.fromfile(os.path.join(directory, name), dtype=dtype)
        return array.reshape(rows, columns) if columns > 1 else array

    return {
        "meta": meta,
        "features": read("features.f32", "<f4", width),
        "unit_ids": read("unit_ids.i32", "<i4", settings["unitTerms"]).astype(np.int64),
        "query_ids": read("query_ids.i32", "<i4", settings["queryTerms"]).astype(np.int64),
        "labels": read("labels.u8", np.uint8, 1).astype(np.float32),
        "costs": read("costs.f32", "<f4", 1),
    }


class RelevanceScorer(nn.Module):
    """An MLP over the unit's features and, by `terms`:
    - "none": nothing more;
    - "bag": the mean embedding of the unit's hashed terms, of the query's, and their product;
    - "match": soft term matching: for each query term, its best cosine similarity with the unit's
      terms in a learned embedding, averaged over the query terms and maxed, so that related words
      ("founded", "established") can count where BM25 sees nothing. Only these two numbers reach
      the MLP, so the embedding cannot memorise which unit of a training paragraph answered."""

    def __init__(self, features, buckets, dimension=16, hidden=64, terms="bag"):
        super().__init__()
        self.dimension = dimension
        self.terms = terms if dimension else "none"
        if self.terms == "match":
            self.embedding = nn.Embedding(buckets, dimension, padding_idx=0)
            nn.init.normal_(self.embedding.weight, std=1.0)
            extra = 2
        elif self.terms == "bag":
            extra = 3 * dimension
        else:
            extra = 0
        if self.terms == "bag":
            self.unit_embedding = nn.Embedding(buckets, dimension, padding_idx=0)
            self.query_embedding = nn.Embedding(buckets, dimension, padding_idx=0)
            nn.init.normal_(self.unit_embedding.weight, std=0.05)
            nn.init.normal_(self.query_embedding.weight, std=0.05)
        self.mlp = nn.Sequential(
            nn.Linear(features + extra, hidden),
            nn.ReLU(),
            nn.Dropout(0.1),
            nn.Linear(hidden, hidden // 2),
            nn.ReLU(),
            nn.Linear(hidden // 2, 1),
        )

    def forward(self, features, unit_ids, query_ids):
        parts = [features]
        if self.terms == "match":
            parts += soft_match(self.embedding, unit_ids, query_ids)
        elif self.terms == "bag":
            unit = mean_embedding(self.unit_embedding, unit_ids)
            query = mean_embedding(self.query_embedding, query_ids)
            parts += [unit, query, unit * query]
        return self.mlp(torch.cat(parts, dim=1)).squeeze(1)


def soft_match(embedding, unit_ids, query_ids):
    unit = nn.functional.normalize(embedding(unit_ids), dim=2)
    query = nn.functional.normalize(embedding(query_ids), dim=2)
    similarity = torch.bmm(query, unit.transpose(1, 2))  # [rows, query terms, unit terms]
    similarity = similarity.masked_fill((unit_ids == 0).unsqueeze(1), -1.0)
    best = similarity.max(dim=2).values  # each query term's best match in the unit
    query_mask = (query_ids > 0).to(torch.float32)
    mean = (best * query_mask).sum(dim=1) / query_mask.sum(dim=1).clamp(min=1.0)
    top = best.masked_fill(query_ids == 0, -1.0).max(dim=1).values
    return [mean.unsqueeze(1), top.unsqueeze(1)]


def mean_embedding(embedding, ids):
    mask = (ids > 0).to(torch.float32).unsqueeze(2)
    total = (embedding(ids) * mask).sum(dim=1)
    return total / mask.sum(dim=1).clamp(min=1.0)


def group_tensors(groups):
    """Row indices of each group, padded: [groups, longest] with a mask."""
    longest = max(group["count"] for group in groups)
    index = np.zeros((len(groups), longest), dtype=np.int64)
    mask = np.zeros((len(groups), longest), dtype=bool)
    for g, group in enumerate(groups):
        index[g, : group["count"]] = np.arange(group["start"], group["start"] + group["count"])
        mask[g, : group["count"]] = True
    return torch.from_numpy(index), torch.from_numpy(mask)


def listwise_loss(scores, labels, index, mask):
    """-log of the softmax mass that each group puts on its answer units."""
    grouped = scores[index].masked_fill(~mask, -1e9)
    positive = labels[index].bool() & mask
    log_all = torch.logsumexp(grouped, dim=1)
    log_positive = torch.logsumexp(grouped.masked_fill(~positive, -1e9), dim=1)
    has_positive = positive.any(dim=1)
    return (log_all - log_positive)[has_positive].mean()


def retention(scores, costs, groups, keep):
    """Share of groups whose answer survives when units are taken by score within `keep` of the chars."""
    kept_answers = 0
    for group in groups:
        start, count = group["start"], group["count"]
        group_scores = scores[start : start + count]
        group_costs = costs[start : start + count]
        budget = keep * group_costs.sum()
        order = sorted(range(count), key=lambda u: (-group_scores[u], u))
        taken = np.zeros(count, dtype=bool)
        total = 0.0
        for rank, u in enumerate(order):
            if total + group_costs[u] <= budget or rank == 0:
                taken[u] = True
                total += group_costs[u]
        if any(taken[first : last + 1].all() for first, last in group["answers"]):
            kept_answers += 1
    return kept_answers / max(1, len(groups))


def baseline_scores(data):
    """About the text compressor's built-in BM25 blend, from the same features."""
    names = data["meta"]["featureNames"]
    column = lambda name: data["features"][:, names.index(name)]
    position = np.where(column("first_unit") > 0, 1.0, np.where(column("first_in_paragraph") > 0, 0.5, 0.0))
    return (
        column("sentence_bm25")
        + 0.5 * column("unit_bm25")
        + 0.3 * (column("previous_unit_bm25") + column("next_unit_bm25"))
        + 0.1 * position
        + 0.5 * (column("holds_wanted_in_match") > 0)
    )
