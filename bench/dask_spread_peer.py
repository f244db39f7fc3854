"""The peer for multinode_spread.sh: 500 tasks of 40 ms on dask.distributed
with three worker processes of 2, 4 and 4 threads (as Strata's three nodes).
Prints the best of three runs, in seconds. Run with Debian's /usr/bin/python3.
"""
import time

from distributed import Client, Nanny, Scheduler, SpecCluster


def work(ms):
    time.sleep(ms / 1000)
    return ms


def main():
    spec = {f"w{i}": {"cls": Nanny, "options": {"nthreads": n}} for i, n in enumerate([2, 4, 4])}
    cluster = SpecCluster(workers=spec, scheduler={"cls": Scheduler, "options": {"dashboard_address": None}})
    client = Client(cluster)
    client.wait_for_workers(3)
    best = 1e9
    for _ in range(3):
        t = time.perf_counter()
        client.gather(client.map(work, [40] * 500, pure=False))
        best = min(best, time.perf_counter() - t)
    print(f"{best:.3f}")
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
