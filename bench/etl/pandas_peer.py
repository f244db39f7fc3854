#!/usr/bin/env python3
"""The same queries in pandas (one core), same files, output to JSONL."""
import json
import sys
import time

import pandas as pd

d = sys.argv[1]
out = {}


def timed(name, fn):
    start = time.perf_counter()
    fn()
    out[name] = time.perf_counter() - start


def scan_filter():
    t = pd.read_csv(f"{d}/trips.csv")
    t[(t.fare > 30) & t.passenger_count.notna()][["trip_id", "fare", "tip"]].to_json(
        f"{d}/pd_scan_filter.jsonl", orient="records", lines=True)


def groupby():
    t = pd.read_csv(f"{d}/trips.csv")
    t.groupby("pickup_zone").agg(trips=("trip_id", "count"), fare=("fare", "sum"),
                                 avg_km=("distance_km", "mean")).reset_index().to_json(
        f"{d}/pd_groupby.jsonl", orient="records", lines=True)


def join_groupby():
    t = pd.read_csv(f"{d}/trips.csv")
    z = pd.read_csv(f"{d}/zones.csv")
    t.merge(z, left_on="pickup_zone", right_on="zone_id").groupby("borough").agg(
        trips=("trip_id", "count"), fare=("fare", "sum")).reset_index().to_json(
        f"{d}/pd_join_groupby.jsonl", orient="records", lines=True)


def sort():
    t = pd.read_csv(f"{d}/trips.csv")
    t[t.tip > 5].sort_values("fare", ascending=False, kind="stable").to_json(
        f"{d}/pd_sort.jsonl", orient="records", lines=True)


for name, fn in [("scan_filter", scan_filter), ("groupby", groupby),
                 ("join_groupby", join_groupby), ("sort", sort)]:
    timed(name, fn)
# csv_to_parquet: pandas needs pyarrow or fastparquet, which Debian 12 does
# not package (and PyPI is out of reach here), so there is no pandas number.
out["csv_to_parquet"] = None
print(json.dumps(out))
