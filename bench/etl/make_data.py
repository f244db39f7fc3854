#!/usr/bin/env python3
"""Writes a taxi-trips-like CSV (and a zones table) for the ETL benchmark.
Usage: make_data.py DIR [ROWS]. Deterministic: the same ROWS give the same bytes."""
import os
import random
import sys

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 3_000_000
os.makedirs(out, exist_ok=True)
random.seed(1)
boroughs = ["Manhattan", "Brooklyn", "Queens", "Bronx", "Staten Island"]
with open(os.path.join(out, "zones.csv"), "w") as f:
    f.write("zone_id,borough,zone_name\n")
    for z in range(1, 266):
        f.write(f"{z},{boroughs[z % 5]},Zone {z}\n")
with open(os.path.join(out, "trips.csv"), "w") as f:
    f.write("trip_id,pickup_zone,dropoff_zone,passenger_count,distance_km,fare,tip,payment_type\n")
    for i in range(rows):
        pc = "" if i % 50 == 0 else str(random.randint(1, 6))
        d = round(random.expovariate(1 / 5.0), 2)
        fare = round(3 + d * 2.5 + random.random() * 10, 2)
        tip = round(fare * random.choice([0, 0, 0.1, 0.15, 0.2]), 2)
        pay = random.choice(["card", "cash"])
        f.write(f"{i},{random.randint(1, 265)},{random.randint(1, 265)},{pc},{d},{fare},{tip},{pay}\n")
