"""Generates transcription_multifeature.json.

An independent Python transcription of spec online-algorithms.md section 3 (not River's code),
using CPython's own random.Random for the tree-building draws. It cross-checks the C# port on
what the River docstring fixture cannot reach: several features with limits, a schema given in
unsorted order, missing features, window pivots and score-then-learn.
Run: python3 transcription_generator.py  (writes the JSON next to this file).
"""
import bisect
import itertools
import json
import random
import sys

PADDING = 0.15


class Node:
    def __init__(self):
        self.feature = None
        self.threshold = None
        self.left = None
        self.right = None
        self.l_mass = 0
        self.r_mass = 0


def build(limits, height, rng):
    node = Node()
    if height == 0:
        return node
    names = list(limits)
    cum = list(itertools.accumulate(limits[n][1] - limits[n][0] for n in names))
    j = bisect.bisect_right(cum, rng.random() * cum[-1], 0, len(names) - 1)
    name = names[j]
    lo, hi = limits[name]
    a = lo + PADDING * (hi - lo)
    b = hi - PADDING * (hi - lo)
    at = a + (b - a) * rng.random()
    node.feature, node.threshold = name, at
    limits[name] = (lo, at)
    node.left = build(limits, height - 1, rng)
    limits[name] = (at, hi)
    node.right = build(limits, height - 1, rng)
    limits[name] = (lo, hi)
    return node


def child(node, x):
    if node.feature not in x:
        return node.right if node.left.l_mass < node.right.l_mass else node.left
    return node.left if x[node.feature] < node.threshold else node.right


class Hst:
    def __init__(self, n_trees, height, window_size, seed, limits):
        self.n_trees, self.height, self.window_size = n_trees, height, window_size
        self.rng = random.Random(seed)
        self.limits = limits or {}
        self.trees = None
        self.counter = 0
        self.first_window_done = False
        self.size_limit = 0.1 * window_size
        self.max_score = n_trees * window_size * (2 ** (height + 1) - 1)

    def learn_one(self, x):
        if self.trees is None:
            lim = {k: self.limits.get(k, (0.0, 1.0)) for k in sorted(x)}
            self.trees = [build(dict(lim), self.height, self.rng) for _ in range(self.n_trees)]
        for t in self.trees:
            node = t
            while True:
                node.l_mass += 1
                if node.left is None:
                    break
                node = child(node, x)
        self.counter += 1
        if self.counter == self.window_size:
            for t in self.trees:
                stack = [t]
                while stack:
                    n = stack.pop()
                    n.r_mass, n.l_mass = n.l_mass, 0
                    if n.left is not None:
                        stack += [n.left, n.right]
            self.first_window_done = True
            self.counter = 0

    def score_one(self, x):
        if not self.first_window_done:
            return 0.0
        s = 0
        for t in self.trees:
            node, depth = t, 0
            while True:
                s += node.r_mass * 2 ** depth
                if node.r_mass < self.size_limit or node.left is None:
                    break
                node, depth = child(node, x), depth + 1
        return 1 - s / self.max_score


def main():
    data = random.Random(20240601)
    schema = ["velocity", "amount", "hour"]  # deliberately unsorted: the C# dense order
    limits = {"amount": (0.0, 500.0), "hour": (0.0, 24.0)}  # velocity keeps (0, 1)
    rows = []
    for i in range(600):
        if i % 50 == 49:
            row = [data.random(), 400 + 100 * data.random(), data.random() * 4]
        else:
            row = [0.2 + 0.1 * data.random(), 20 + 80 * data.random(), 8 + 10 * data.random()]
        # First row complete (it fixes the schema); later ~1 in 7 rows lose one feature.
        if i > 0 and data.random() < 0.15:
            row[data.randrange(3)] = None
        rows.append(row)
    model = Hst(n_trees=4, height=5, window_size=40, seed=2**40 + 3, limits=limits)
    scores = []
    for row in rows:
        x = {n: v for n, v in zip(schema, row) if v is not None}
        scores.append(model.score_one(x))
        model.learn_one(x)
    out = {
        "description": "Independent Python transcription of spec section 3 (see transcription_generator.py), CPython "
        + sys.version.split()[0]
        + " random; score_one then learn_one per row; null = missing feature.",
        "params": {"n_trees": 4, "height": 5, "window_size": 40, "seed": 2**40 + 3,
                   "limits": {k: list(v) for k, v in limits.items()}},
        "schema": schema,
        "rows": rows,
        "scores": scores,
    }
    with open(__file__.replace("transcription_generator.py", "transcription_multifeature.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
