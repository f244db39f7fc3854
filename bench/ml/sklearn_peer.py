#!/usr/bin/python3
"""The peer of the ML-features benchmark: pandas + scikit-learn as people use
them (one process): read the CSV, ColumnTransformer(impute mean + scale on
the numbers; impute most frequent + one-hot, at most 10 categories, on the
categories), fit_transform, save. Debian 12 has no Parquet writer for pandas
(no pyarrow or fastparquet), so the features are saved as a .npy file — a
raw dump, cheaper than Parquet; the comparison favours the peer there.
Prints: seconds rows features_width"""
import sys
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

path, out = sys.argv[1], sys.argv[2]
start = time.time()
df = pd.read_csv(path)
num = [c for c in df.columns if c.startswith("num")]
cat = [c for c in df.columns if c.startswith("cat")]
ct = ColumnTransformer([
    ("num", Pipeline([("impute", SimpleImputer(strategy="mean")), ("scale", StandardScaler())]), num),
    ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                      ("onehot", OneHotEncoder(max_categories=10, handle_unknown="ignore", sparse_output=False))]), cat),
])
features = ct.fit_transform(df)
np.save(out, features)
print(f"{time.time() - start:.2f} {features.shape[0]} {features.shape[1]}")
