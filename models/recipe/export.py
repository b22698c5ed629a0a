"""Step 3 of the recipe: exports trained checkpoints to models/relevance.onnx and writes
models/relevance.json, the settings the TypeScript side needs to feed it (feature names in order,
term hashing) and where it came from.

    /usr/bin/python3 models/recipe/export.py /tmp/relevance-*.pt --out models/relevance.onnx

Several checkpoints (same settings, other seeds) are exported as one graph that averages their
scores: steadier rankings for the price of a few more kilobytes. The graph takes int32 term ids
and casts them itself, so Node feeds Int32Arrays without a BigInt copy; inputs that the model
does not use (no term embeddings) are dropped by the exporter, and the runtime feeds only the
inputs the graph declares.
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch
from torch import nn

from common import RelevanceScorer


class Averaged(nn.Module):
    def __init__(self, models):
        super().__init__()
        self.models = nn.ModuleList(models)

    def forward(self, features, unit_ids, query_ids):
        unit_ids = unit_ids.to(torch.int64)
        query_ids = query_ids.to(torch.int64)
        total = self.models[0](features, unit_ids, query_ids)
        for model in self.models[1:]:
            total = total + model(features, unit_ids, query_ids)
        return total / len(self.models)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("checkpoints", nargs="+")
    parser.add_argument("--out", default="models/relevance.onnx")
    args = parser.parse_args()

    models = []
    for path in args.checkpoints:
        checkpoint = torch.load(path)
        meta, train_args = checkpoint["meta"], checkpoint["args"]
        model = RelevanceScorer(len(meta["featureNames"]), meta["settings"]["buckets"], train_args["dimension"], train_args["hidden"], train_args.get("terms", "bag"))
        model.load_state_dict(checkpoint["state"])
        model.eval()
        models.append(model)
    wrapper = Averaged(models).eval()
    settings = meta["settings"]
    rows = 3
    example = (
        torch.zeros(rows, len(meta["featureNames"]), dtype=torch.float32),
        torch.ones(rows, settings["unitTerms"], dtype=torch.int32),
        torch.ones(rows, settings["queryTerms"], dtype=torch.int32),
    )
    torch.onnx.export(
        wrapper,
        example,
        args.out,
        input_names=["features", "unit_ids", "query_ids"],
        output_names=["scores"],
        dynamic_axes={"features": {0: "units"}, "unit_ids": {0: "units"}, "query_ids": {0: "units"}, "scores": {0: "units"}},
        opset_version=13,
    )
    graph = onnx.load(args.out)
    onnx.checker.check_model(graph)
    # Drop the exporter's doc strings (source paths of this machine) so the file is reproducible.
    for node in graph.graph.node:
        node.doc_string = ""
    graph.producer_name = "tokenfold"
    graph.producer_version = ""
    onnx.save(graph, args.out)

    config = {
        "name": "tokenfold-relevance",
        "version": 1,
        "featureNames": meta["featureNames"],
        "settings": settings,
        "inputs": [value.name for value in graph.graph.input],
        "output": "scores",
        "training": {
            "data": "SQuAD 2.0 dev half (CC BY-SA 4.0), training articles only (see models/recipe/squad.ts)",
            "checkpoints": len(models),
            "arguments": {key: value for key, value in train_args.items() if key not in ("data", "out")},
        },
    }
    with open(os.path.splitext(args.out)[0] + ".json", "w") as file:
        json.dump(config, file, indent=2)
        file.write("\n")
    print(f"exported {len(models)} checkpoint(s) to {args.out} ({os.path.getsize(args.out)} bytes), inputs {config['inputs']}")


if __name__ == "__main__":
    main()
