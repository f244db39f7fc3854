"""The same microbenchmarks as core_bench, on dask.distributed (the peer).

LocalCluster with 2 worker processes x 1 thread, as Strata uses 2 worker
processes on this machine. Prints one JSON object with the same keys.
Run with Debian's /usr/bin/python3 (python3-distributed).
"""
import json
import time

import numpy as np
from distributed import Client, LocalCluster, wait


def noop(x):
    return x


class Actor:
    def call(self, x):
        return x


def rate(reps, ops, fn):
    best = 0.0
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = max(best, ops / (time.perf_counter() - t))
    return best


def main():
    start = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, host="127.0.0.1")
    client = Client(cluster)
    client.submit(noop, 1, pure=False).result()
    m = {"init_to_first_result_s": time.perf_counter() - start}
    # Idle workers, before any benchmark gave them data to hold.
    rss = client.run(lambda: __import__("psutil").Process().memory_info().rss)
    m["idle_worker_rss_mb"] = min(rss.values()) / 2**20

    m["tasks_sync_per_s"] = rate(3, 200, lambda: [client.submit(noop, i, pure=False).result()
                                                   for i in range(200)])
    m["task_round_trip_us"] = 1e6 / m["tasks_sync_per_s"]
    m["tasks_async_per_s"] = rate(3, 5000, lambda: client.gather(
        client.map(noop, range(5000), pure=False)))

    actor = client.submit(Actor, actor=True).result()
    m["actor_calls_sync_per_s"] = rate(3, 200, lambda: [actor.call(i).result() for i in range(200)])
    m["actor_calls_async_per_s"] = rate(3, 2000, lambda: [f.result() for f in
                                                          [actor.call(i) for i in range(2000)]])

    futures = []
    m["put_calls_per_s"] = rate(1, 500, lambda: futures.extend(
        client.scatter(i) for i in range(500)))
    m["get_calls_per_s"] = rate(3, 500, lambda: [f.result() for f in futures])

    n = (512 << 20) // 8
    big = np.full(n, 1.5)
    dst = np.empty_like(big)
    gb = big.nbytes / 1e9
    m["memcpy_gb_per_s"] = rate(3, gb, lambda: np.copyto(dst, big))
    holder = {}
    m["put_gb_per_s"] = rate(3, gb, lambda: holder.update(f=client.scatter(big)))
    m["get_gb_per_s"] = rate(3, gb, lambda: holder["f"].result())
    m["put_get_gb_per_s"] = 1.0 / (1.0 / m["put_gb_per_s"] + 1.0 / m["get_gb_per_s"])
    m["put_get_vs_memcpy"] = m["put_get_gb_per_s"] / m["memcpy_gb_per_s"]

    ready = client.map(noop, range(1000), pure=False)
    wait(ready)
    m["wait_1k_refs_per_s"] = rate(3, 20, lambda: [wait(ready) for _ in range(20)])

    client.close()
    cluster.close()
    print(json.dumps(m))


if __name__ == "__main__":
    main()
