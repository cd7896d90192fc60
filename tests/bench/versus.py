#!/usr/bin/env python3
"""Two rebuy binaries on the same files, taking turns: is the new one slower?

Run by hand from the repository root (not by cargo test), with the binary of the
commit before a change copied aside:

    python3 tests/bench/versus.py --before /tmp/rebuy-before [--after PATH] [--runs 5]
                                  [--size 10m] [--formats csv,parquet] [--command summary]
                                  [--new-keys non_purchase_status]

For each file it runs `rebuy COMMAND FILE --format json` with the two binaries in turn,
RUNS rounds, and prints the medians of wall time and the peak resident memory (from
/usr/bin/time), and the ratio after / before. It also checks that the outputs are
byte-identical: before and after, and the after binary on one thread
(RAYON_NUM_THREADS=1, POLARS_MAX_THREADS=1) and on every thread.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench  # noqa: E402


def output(binary, command, file, threads=None):
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = env["POLARS_MAX_THREADS"] = str(threads)
    return subprocess.run([binary, command, file, "--format", "json"], capture_output=True,
                          check=True, env=env).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_target = os.environ.get("CARGO_TARGET_DIR", str(bench.ROOT / "target"))
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", default=str(Path(default_target) / "release" / "rebuy"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="10m")
    parser.add_argument("--formats", default="csv,parquet")
    parser.add_argument("--command", default="summary")
    parser.add_argument("--new-keys", default="",
                        help="comma-separated dropped.* keys the after binary adds; they "
                             "are removed from its output before comparing")
    args = parser.parse_args()
    new_keys = [k for k in args.new_keys.split(",") if k]

    def without_new_keys(text):
        if not new_keys:
            return text
        value = json.loads(text)
        for key in new_keys:
            value.get("dropped", {}).pop(key, None)
        return json.dumps(value).encode()
    rows = []
    for fmt in args.formats.split(","):
        file = str(bench.generate(args.after, args.size, fmt))
        after = output(args.after, args.command, file)
        if without_new_keys(output(args.before, args.command, file)) != without_new_keys(after):
            sys.exit(f"before and after differ on {file}")
        if output(args.after, args.command, file, threads=1) != after:
            sys.exit(f"one thread and every thread differ on {file}")
        times = {"before": [], "after": []}
        for _ in range(args.runs):
            for name in times:
                binary = args.before if name == "before" else args.after
                command = [binary, args.command, file, "--format", "json"]
                times[name].append(bench.timed(command)[:2])
        median = {k: statistics.median(s for s, _ in v) for k, v in times.items()}
        peak = {k: max(kb for _, kb in v) / 1024 for k, v in times.items()}
        rows.append((Path(file).name, median, peak))
    print(f"\nrebuy {args.command}, before and after, medians of {args.runs} runs in turn, "
          f"{os.cpu_count()} cores; outputs byte-identical (also on 1 thread)"
          + (f", but for the new keys {', '.join(new_keys)}" if new_keys else ""))
    print("| file | before s | after s | after / before | before MiB | after MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, median, peak in rows:
        print(f"| {name} | {median['before']:.2f} | {median['after']:.2f} | "
              f"{median['after'] / median['before']:.2f} | {peak['before']:,.0f} | {peak['after']:,.0f} |")


if __name__ == "__main__":
    main()
