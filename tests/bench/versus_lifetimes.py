#!/usr/bin/env python3
"""rebuy predict against Python's lifetimes on the same customers.

The customers come from `rebuy predict --customers --unit week` (x, t_x, T), so both
fit the same (frequency, recency, T). Times lifetimes' BetaGeoFitter.fit and rebuy's
whole run (reading the export included), and prints both sets of parameters.

lifetimes needs pandas < 2.2 and numpy < 2, in a virtual environment of its own:

    python3 -m venv /tmp/lt && /tmp/lt/bin/pip install lifetimes "pandas<2.2" "numpy<2" "scipy<1.14"
    /tmp/lt/bin/python tests/bench/versus_lifetimes.py target/bench/orders-10m.csv [--rebuy PATH]
"""

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time


def fit_lifetimes(path, out):
    import pandas as pd
    from lifetimes import BetaGeoFitter

    frame = pd.read_csv(path, usecols=["x", "t_x", "T"])
    start = time.monotonic()
    try:
        model = BetaGeoFitter().fit(frame["x"], frame["t_x"], frame["T"])
        params = {k: float(v) for k, v in model.params_.items()}
        result = {"params": params}
    except Exception as e:  # lifetimes raises on failed convergence
        result = {"error": f"{type(e).__name__}: {e}"}
    result["seconds"] = time.monotonic() - start
    out.put(result)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--rebuy", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "rebuy"))
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--as-of")
    args = parser.parse_args()
    extra = ["--as-of", args.as_of] if args.as_of else []

    start = time.monotonic()
    summary = subprocess.run([args.rebuy, "predict", args.file, "--unit", "week", "-f", "json", *extra],
                             check=True, capture_output=True, text=True)
    rebuy_seconds = time.monotonic() - start
    rebuy = json.loads(summary.stdout)
    print(f"rebuy predict: {rebuy_seconds:.2f} s for {rebuy['customers']:,} customers (reading included)")
    print("  bgnbd:", json.dumps(rebuy["bgnbd"]))

    with tempfile.TemporaryDirectory() as folder:
        rows = os.path.join(folder, "customers.csv")
        subprocess.run([args.rebuy, "predict", args.file, "--unit", "week", "--customers", "-o", rows, *extra],
                       check=True)
        queue = multiprocessing.Queue()
        worker = multiprocessing.Process(target=fit_lifetimes, args=(rows, queue))
        worker.start()
        worker.join(args.timeout)
        if worker.is_alive():
            worker.terminate()
            print(f"lifetimes BetaGeoFitter.fit: not finished after {args.timeout:.0f} s")
            return 0
        if worker.exitcode != 0:
            print(f"lifetimes BetaGeoFitter.fit: the worker failed (exit {worker.exitcode})")
            return 1
        result = queue.get()
    if "error" in result:
        print(f"lifetimes BetaGeoFitter.fit: failed after {result['seconds']:.2f} s: {result['error']}")
    else:
        print(f"lifetimes BetaGeoFitter.fit: {result['seconds']:.2f} s (the fit alone)")
        print("  params:", json.dumps(result["params"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
