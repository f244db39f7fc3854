#!/usr/bin/python3
"""Checks every ML preprocessor against scikit-learn on the same data.

Usage: sklearn_compare.py STRATA_BINARY [WORKDIR]

Makes a table with nulls, NaN, a constant column, a category seen only in
the test data, an empty input file and a one-row file; runs each
preprocessor with `strata run` (three input files: three parts) and the
same preprocessor in scikit-learn 1.2 on the same rows, and compares:
numbers equal within 1e-9 relative (1e-9 absolute near zero), categories
and column order equal. Then the errors: infinity, a text column given to a
scaler, a missing fit file, a fit applied to data without its columns.
Exits 1 naming every mismatch.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn import preprocessing as skp
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline

STRATA = os.path.abspath(sys.argv[1])
WORK = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="strata-ml-")
failures = []


def make_table(rows, seed, cities):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "id": np.arange(rows),
        "age": rng.integers(18, 90, rows).astype(float),
        "income": np.round(rng.lognormal(10, 1, rows), 2),
        "score": np.round(rng.normal(0, 3, rows), 4),
        "const": np.full(rows, 7.5),
        "x": np.round(rng.normal(1, 2, rows), 3),
        "y": np.round(rng.normal(-1, 1, rows), 3),
        "city": rng.choice(cities, rows, p=None),
        "color": rng.choice(["red", "green", "blue"], rows),
        "label": rng.choice(["cat", "dog", "fish"], rows),
    })
    words = ["the", "data", "Data", "model", "a", "I", "x1", "über", "naïve", "snake_case", "42", "Résumé", "ok"]
    weights = np.arange(len(words), 0, -1, dtype=float) ** 2
    df["text"] = [" ".join(rng.choice(words, rng.integers(0, 12), p=weights / weights.sum())) + "!? ..."
                  for _ in range(rows)]
    for col, frac in (("age", 0.1), ("income", 0.05), ("score", 0.02), ("city", 0.05)):
        df.loc[rng.random(rows) < frac, col] = np.nan
    return df


def write_parts(df, folder):
    """Three files: two halves and a header-only one (an empty part)."""
    os.makedirs(folder, exist_ok=True)
    half = len(df) // 2
    df.iloc[:half].to_csv(f"{folder}/a.csv", index=False)
    df.iloc[half:].to_csv(f"{folder}/b.csv", index=False)
    df.iloc[:0].to_csv(f"{folder}/c.csv", index=False)
    return [f"{folder}/a.csv", f"{folder}/b.csv", f"{folder}/c.csv"]


def run(name, steps, paths, expect_error=None):
    """Runs a pipeline; returns its rows (by id) or its error text."""
    out = f"{WORK}/out_{name}"
    shutil.rmtree(out, ignore_errors=True)
    spec = {"read": {"format": "csv", "paths": paths}, "steps": steps, "write": {"format": "jsonl", "path": out}}
    with open(f"{WORK}/{name}.yaml", "w") as f:
        json.dump(spec, f)  # JSON is YAML
    p = subprocess.run([STRATA, "run", f"{WORK}/{name}.yaml"], capture_output=True, text=True, cwd=WORK)
    if expect_error is not None:
        if p.returncode == 0 or expect_error not in p.stderr:
            failures.append(f"{name}: expected an error with '{expect_error}', got rc {p.returncode}: {p.stderr[-400:]}")
        return None
    if p.returncode != 0:
        failures.append(f"{name}: strata run failed: {p.stderr[-600:]}")
        return None
    rows = []
    for fn in sorted(os.listdir(out)):
        with open(f"{out}/{fn}") as f:
            rows += [json.loads(line) for line in f]
    return sorted(rows, key=lambda r: r["id"])


def close(a, b, tol=1e-9):
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return False
    return abs(a - b) <= tol * max(1.0, abs(b))


def compare(name, rows, columns, expected, tol=1e-9):
    """expected: 2-D array, one column per name in `columns`."""
    if rows is None:
        return
    expected = np.asarray(expected, dtype=float)
    if len(rows) != expected.shape[0]:
        failures.append(f"{name}: {len(rows)} rows, scikit-learn {expected.shape[0]}")
        return
    for j, col in enumerate(columns):
        if col not in rows[0]:
            failures.append(f"{name}: no column {col} in {sorted(rows[0])}")
            return
        bad = [i for i in range(len(rows)) if not close(rows[i][col], float(expected[i, j]), tol)]
        if bad:
            i = bad[0]
            failures.append(f"{name}: {col}: {len(bad)} rows differ, e.g. id {rows[i]['id']}: "
                            f"{rows[i][col]!r} vs scikit-learn {expected[i, j]!r}")


train = make_table(3000, 1, ["NYC", "LA", "SF", "Boston", "Austin", "Denver"])
test = make_table(500, 2, ["NYC", "LA", "SF", "Boston", "Austin", "Denver", "Paris"])  # Paris: unseen
train_paths = write_parts(train, f"{WORK}/train")
test_paths = write_parts(test, f"{WORK}/test")

num = ["age", "income", "score", "const"]
cases = [
    ("standard", {"standard_scaler": {"columns": num}}, skp.StandardScaler(), num),
    ("standard_no_mean", {"standard_scaler": {"columns": num, "with_mean": False}}, skp.StandardScaler(with_mean=False), num),
    ("min_max", {"min_max_scaler": {"columns": num, "feature_range": [-1, 2]}}, skp.MinMaxScaler((-1, 2)), num),
    ("max_abs", {"max_abs_scaler": {"columns": num}}, skp.MaxAbsScaler(), num),
    ("robust", {"robust_scaler": {"columns": num}}, skp.RobustScaler(), num),
    ("robust_10_90", {"robust_scaler": {"columns": num, "quantile_range": [10, 90]}},
     skp.RobustScaler(quantile_range=(10, 90)), num),
    ("normalizer_l1", {"normalizer": {"columns": ["x", "y"], "norm": "l1"}}, skp.Normalizer("l1"), ["x", "y"]),
    ("normalizer_l2", {"normalizer": {"columns": ["x", "y"]}}, skp.Normalizer("l2"), ["x", "y"]),
    ("normalizer_max", {"normalizer": {"columns": ["x", "y"], "norm": "max"}}, skp.Normalizer("max"), ["x", "y"]),
    ("impute_mean", {"simple_imputer": {"columns": num, "strategy": "mean"}}, SimpleImputer(strategy="mean"), num),
    ("impute_median", {"simple_imputer": {"columns": num, "strategy": "median"}}, SimpleImputer(strategy="median"), num),
    ("impute_frequent", {"simple_imputer": {"columns": num, "strategy": "most_frequent"}},
     SimpleImputer(strategy="most_frequent"), num),
    ("kbins_quantile", {"kbins_discretizer": {"columns": ["x", "y"], "n_bins": 7}},
     skp.KBinsDiscretizer(n_bins=7, encode="ordinal", strategy="quantile"), ["x", "y"]),
    ("kbins_uniform", {"kbins_discretizer": {"columns": ["x", "y", "const"], "n_bins": 4, "strategy": "uniform"}},
     skp.KBinsDiscretizer(n_bins=4, encode="ordinal", strategy="uniform"), ["x", "y", "const"]),
    ("power_yeo_johnson", {"power_transformer": {"columns": ["age", "income", "score", "x"]}},
     skp.PowerTransformer(), ["age", "income", "score", "x"]),
    ("power_yeo_johnson_raw", {"power_transformer": {"columns": ["score", "x"], "standardize": False}},
     skp.PowerTransformer(standardize=False), ["score", "x"]),
    ("power_box_cox", {"power_transformer": {"columns": ["age", "income"], "method": "box-cox"}},
     skp.PowerTransformer(method="box-cox"), ["age", "income"]),
    ("impute_constant", {"simple_imputer": {"columns": num, "strategy": "constant", "fill_value": -1}},
     SimpleImputer(strategy="constant", fill_value=-1), num),
]
# The power transformer's lambda is a numerical minimum (scipy's Brent,
# tolerance 1.48e-8 on lambda): the same algorithm, ported step by step, with
# numpy's summation order; but numpy's pow/log1p may be SIMD versions a few
# ulps from glibc's. Near the minimum the likelihood is flat to within its
# own rounding (a lambda 1e-7 away changes it by ~1e-12 of ~1e3), so such
# differences steer Brent to another point of that flat bottom. Outputs and
# lambdas are checked to 1e-6 relative.
TOLERANCE = {"power_yeo_johnson": 1e-6, "power_yeo_johnson_raw": 1e-6, "power_box_cox": 1e-6}
for name, step, sk, cols in cases:
    rows = run(name, [step], train_paths)
    compare(name, rows, cols, sk.fit_transform(train[cols]), TOLERANCE.get(name, 1e-9))

# The lambdas themselves, from the saved fit.
for method in ("yeo-johnson", "box-cox"):
    cols = ["age", "income"]
    run(f"power_lambdas_{method}", [{"power_transformer": {"columns": cols, "method": method,
                                                           "fit": {"save": f"{WORK}/power_{method}.json"}}}], train_paths)
    try:
        with open(f"{WORK}/power_{method}.json") as f:
            ours = json.load(f)["steps"][0]["fit"]["lambdas"]
        theirs = skp.PowerTransformer(method=method).fit(train[cols]).lambdas_
        for c, a, b in zip(cols, ours, theirs):
            if abs(a - b) > 1e-6 * max(1.0, abs(b)):
                failures.append(f"power_transformer {method}: lambda of {c} {a!r} vs scikit-learn {b!r}")
    except (OSError, KeyError, IndexError) as e:
        failures.append(f"power_transformer {method}: no lambdas in the fit file ({e})")

# approximate: true: the median and quartiles within 1% of the exact ones
# (the sketch's bound), in one pass.
run("robust_approx", [{"robust_scaler": {"columns": ["income", "score"], "approximate": True,
                                         "fit": {"save": f"{WORK}/robust_approx.json"}}}], train_paths)
try:
    with open(f"{WORK}/robust_approx.json") as f:
        fit = json.load(f)["steps"][0]["fit"]
    exact = skp.RobustScaler().fit(train[["income", "score"]])
    for j, col in enumerate(["income", "score"]):
        values = train[col].dropna()
        q1, med, q3 = np.percentile(values, [25, 50, 75])
        # |error of each quantile| <= 1% of it, so the center within 1% of
        # the median and the scale within 1% of |q1| + |q3|.
        if abs(fit["center"][j] - exact.center_[j]) > 0.01 * abs(med) + 1e-12:
            failures.append(f"robust approximate: center of {col} {fit['center'][j]} vs {exact.center_[j]}")
        if abs(fit["scale"][j] - exact.scale_[j]) > 0.01 * (abs(q1) + abs(q3)) + 1e-12:
            failures.append(f"robust approximate: scale of {col} {fit['scale'][j]} vs {exact.scale_[j]}")
except (OSError, KeyError, IndexError) as e:
    failures.append(f"robust approximate: no fit file ({e})")

# Text imputation: the most frequent city (ties: the smallest), or a constant.
for strategy, kw in (("most_frequent", {}), ("constant", {"fill_value": "none"})):
    rows = run(f"impute_text_{strategy}", [{"simple_imputer": {"columns": ["city"], "strategy": strategy, **kw}}],
               train_paths)
    want = SimpleImputer(strategy=strategy, **kw).fit_transform(train[["city"]].astype(object))[:, 0]
    if rows is not None and [r["city"] for r in rows] != list(want):
        failures.append(f"impute_text_{strategy}: values differ from scikit-learn")

# One-hot: sorted categories, nulls as the last category (scikit-learn's nan).
rows = run("one_hot", [{"one_hot_encoder": {"columns": ["city", "color"]}}], train_paths)
enc = skp.OneHotEncoder(sparse_output=False).fit(train[["city", "color"]])
names = [n.replace("city_nan", "city_nan") for n in enc.get_feature_names_out()]
compare("one_hot", rows, names, enc.transform(train[["city", "color"]]))
if rows is not None:
    ours = [k for k in rows[0] if k.startswith("city_") or k.startswith("color_")]
    if ours != names:
        failures.append(f"one_hot: columns {ours}, scikit-learn {names}")

# max_categories: scikit-learn's infrequent column.
rows = run("one_hot_max", [{"one_hot_encoder": {"columns": ["city"], "max_categories": 3}}], train_paths)
enc = skp.OneHotEncoder(sparse_output=False, max_categories=3).fit(train[["city"]])
compare("one_hot_max", rows, list(enc.get_feature_names_out()), enc.transform(train[["city"]]))

# Fit on train, save; apply to test with a city the fit never saw.
run("one_hot_fit", [{"one_hot_encoder": {"columns": ["city"], "handle_unknown": "ignore",
                                         "fit": {"save": f"{WORK}/onehot.json"}}}], train_paths)
rows = run("one_hot_apply", [{"transform": {"load": f"{WORK}/onehot.json"}}], test_paths)
enc = skp.OneHotEncoder(sparse_output=False, handle_unknown="ignore").fit(train[["city"]])
compare("one_hot_apply", rows, list(enc.get_feature_names_out()), enc.transform(test[["city"]]))
run("one_hot_unknown_error", [{"one_hot_encoder": {"columns": ["city"], "fit": {"save": f"{WORK}/onehot_strict.json"}}}],
    train_paths)
run("one_hot_unknown_apply", [{"transform": {"load": f"{WORK}/onehot_strict.json"}}], test_paths,
    expect_error="a category the fit did not see")

# Categorizer: fitted on train, applied to test; pandas' Categorical with
# the train categories (an unseen city becomes missing).
run("categorizer_fit", [{"categorizer": {"columns": ["city"], "fit": {"save": f"{WORK}/cats.json"}}}], train_paths)
rows = run("categorizer_apply", [{"transform": {"load": f"{WORK}/cats.json"}}], test_paths)
want = pd.Categorical(test["city"], categories=sorted(train["city"].dropna().unique()))
if rows is not None and [r["city"] for r in rows] != [None if pd.isna(v) else v for v in want]:
    failures.append("categorizer: values differ from pandas' Categorical")

# Ordinal and label encoding.
rows = run("ordinal", [{"ordinal_encoder": {"columns": ["color", "label"]}}], train_paths)
compare("ordinal", rows, ["color", "label"], skp.OrdinalEncoder().fit_transform(train[["color", "label"]]))
rows = run("label", [{"label_encoder": {"columns": "label"}}], train_paths)
compare("label", rows, ["label"], skp.LabelEncoder().fit_transform(train["label"]).reshape(-1, 1))

# The chain: impute (median) -> scale -> one-hot -> concatenate, fitted on
# train and applied to test, against a ColumnTransformer.
chain = {"chain": {"steps": [
    {"simple_imputer": {"columns": ["age", "income"], "strategy": "median"}},
    {"standard_scaler": {"columns": ["age", "income", "score"]}},
    {"one_hot_encoder": {"columns": ["color"]}},
    {"concatenator": {"columns": ["age", "income", "score", "color_*"], "output_column_name": "features"}},
], "fit": {"save": f"{WORK}/chain.json"}}}
rows_train = run("chain_fit", [chain], train_paths)
rows_test = run("chain_apply", [{"transform": {"load": f"{WORK}/chain.json"}}], test_paths)
ct = ColumnTransformer([
    ("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", skp.StandardScaler())]), ["age", "income"]),
    ("score", skp.StandardScaler(), ["score"]),
    ("color", skp.OneHotEncoder(sparse_output=False), ["color"]),
])
ct.fit(train)
for name, rows, df in (("chain_fit", rows_train, train), ("chain_apply", rows_test, test)):
    if rows is None:
        continue
    want = ct.transform(df)
    flat = [{"id": r["id"], **{f"f{j}": v for j, v in enumerate(r["features"])}} for r in rows]
    compare(name, flat, [f"f{j}" for j in range(want.shape[1])], want)

# Hashed and counted features.
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer


def list_compare(name, rows, column, want):
    if rows is None:
        return
    flat = [{"id": r["id"], **{f"f{j}": v for j, v in enumerate(r[column])}} for r in rows]
    compare(name, flat, [f"f{j}" for j in range(want.shape[1])], want)


rows = run("feature_hasher", [{"feature_hasher": {"columns": ["color", "label", "x"], "n_features": 16}}], train_paths)
records = [{k: v for k, v in r.items()} for r in train[["color", "label", "x"]].to_dict("records")]
list_compare("feature_hasher", rows, "hashed_features",
             FeatureHasher(n_features=16, input_type="dict").transform(records).toarray())
rows = run("hashing_vectorizer", [{"hashing_vectorizer": {"columns": "text", "n_features": 32}}], train_paths)
list_compare("hashing_vectorizer", rows, "hashed_tokens", HashingVectorizer(n_features=32).transform(train["text"]).toarray())
rows = run("count_vectorizer", [{"count_vectorizer": {"columns": "text"}}], train_paths)
cv = CountVectorizer().fit(train["text"])
list_compare("count_vectorizer", rows, "token_counts", cv.transform(train["text"]).toarray())
rows = run("count_vectorizer_top", [{"count_vectorizer": {"columns": "text", "max_features": 5}}], train_paths)
cv = CountVectorizer(max_features=5).fit(train["text"])
list_compare("count_vectorizer_top", rows, "token_counts", cv.transform(train["text"]).toarray())

# Multi-hot over list columns (JSON Lines input), against MultiLabelBinarizer
# (lists without repeats: the counts are 0/1).
tags = [sorted(set(np.random.default_rng(i).choice(["ml", "etl", "gpu", "spot", "x"], i % 4))) for i in range(400)]
with open(f"{WORK}/tags.jsonl", "w") as f:
    for i, t in enumerate(tags):
        f.write(json.dumps({"id": i, "tags": t if i % 17 else None}) + "\n")
out = f"{WORK}/out_multi_hot"
shutil.rmtree(out, ignore_errors=True)
with open(f"{WORK}/multi_hot.yaml", "w") as f:
    json.dump({"read": {"format": "jsonl", "paths": [f"{WORK}/tags.jsonl"]},
               "steps": [{"multi_hot_encoder": {"columns": "tags"}}],
               "write": {"format": "jsonl", "path": out}}, f)
p = subprocess.run([STRATA, "run", f"{WORK}/multi_hot.yaml"], capture_output=True, text=True)
if p.returncode != 0:
    failures.append(f"multi_hot: {p.stderr[-400:]}")
else:
    got = sorted((json.loads(l) for fn in sorted(os.listdir(out)) for l in open(f"{out}/{fn}")), key=lambda r: r["id"])
    want = skp.MultiLabelBinarizer().fit_transform([t if i % 17 else [] for i, t in enumerate(tags)])
    list_compare("multi_hot", got, "tags", want)

# One row.
one = train.iloc[:1].copy()
one["age"] = 30.0
one.to_csv(f"{WORK}/one.csv", index=False)
rows = run("one_row", [{"standard_scaler": {"columns": ["age", "x"]}}], [f"{WORK}/one.csv"])
compare("one_row", rows, ["age", "x"], skp.StandardScaler().fit_transform(one[["age", "x"]]))

# NaN written as "nan" in the CSV (a number, not a missing field): ignored in
# fit and kept through transform, as scikit-learn does.
nan = train.iloc[:200].copy()
nan.loc[nan.index[::7], "score"] = np.nan
nan.to_csv(f"{WORK}/nan.csv", index=False, na_rep="nan")
for name, step, sk in (("nan_standard", {"standard_scaler": {"columns": ["score", "x"]}}, skp.StandardScaler()),
                       ("nan_robust", {"robust_scaler": {"columns": ["score", "x"]}}, skp.RobustScaler()),
                       ("nan_median", {"simple_imputer": {"columns": ["score", "x"], "strategy": "median"}},
                        SimpleImputer(strategy="median"))):
    rows = run(name, [step], [f"{WORK}/nan.csv"])
    compare(name, rows, ["score", "x"], sk.fit_transform(nan[["score", "x"]]))

# Errors: each names the step and the column.
inf = train.iloc[:10].copy()
inf.loc[3, "score"] = np.inf
inf.to_csv(f"{WORK}/inf.csv", index=False)
run("error_inf", [{"standard_scaler": {"columns": ["score"]}}], [f"{WORK}/inf.csv"],
    expect_error="standard_scaler: column 'score' holds infinity")
run("error_text", [{"min_max_scaler": {"columns": ["city"]}}], train_paths,
    expect_error="min_max_scaler: column 'city' is string, not numeric")
run("error_no_file", [{"transform": {"load": f"{WORK}/missing.json"}}], train_paths,
    expect_error="cannot read the fit file")
narrow = test[["id", "color"]]
narrow.to_csv(f"{WORK}/narrow.csv", index=False)
run("error_columns", [{"transform": {"load": f"{WORK}/chain.json"}}], [f"{WORK}/narrow.csv"],
    expect_error="simple_imputer: no column 'age'")

# Splits: every row in exactly one split, the same split however the input
# is cut into parts; exact class shares when stratified; groups not split.
train.to_csv(f"{WORK}/whole.csv", index=False)
split = {"random_split": {"fractions": {"train": 0.7, "validation": 0.2, "test": 0.1}, "seed": 5}}
by_parts = run("split_parts", [split], train_paths)
whole = run("split_whole", [split], [f"{WORK}/whole.csv"])
if by_parts is not None and whole is not None:
    if [r["split"] for r in by_parts] != [r["split"] for r in whole] or len(by_parts) != len(train):
        failures.append("random_split: a row's split depends on how the input is cut")
    shares = {k: sum(r["split"] == k for r in whole) / len(whole) for k in ("train", "validation", "test")}
    if any(abs(shares[k] - f) > 0.03 for k, f in (("train", 0.7), ("validation", 0.2), ("test", 0.1))):
        failures.append(f"random_split: shares {shares} far from 0.7/0.2/0.1")
rows = run("split_stratified", [{"train_test_split": {"test_size": 0.3, "stratify_by": "label"}}], train_paths)
if rows is not None:
    for label, n in train["label"].value_counts().items():
        got = sum(r["split"] == "test" for r in rows if r["label"] == label)
        if got != int(np.floor(0.3 * n + 0.5)):
            failures.append(f"train_test_split: class {label}: {got} test rows of {n}")
rows = run("split_groups", [{"random_split": {"fractions": {"a": 0.5, "b": 0.5}, "group_by": "color"}}], train_paths)
if rows is not None:
    seen = {}
    for r in rows:
        if seen.setdefault(r["color"], r["split"]) != r["split"]:
            failures.append(f"random_split group_by: group {r['color']} in two splits")
            break
run("split_bad_fractions", [{"random_split": {"fractions": {"a": 0.5, "b": 0.6}}}], train_paths,
    expect_error="add up to 1.1")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"all preprocessors match scikit-learn ({WORK})")
