#!/usr/bin/env python3
"""Times every rebuy command on one generated file, next to `rebuy summary`.

Run by hand from the repository root (not by cargo test):

    cargo build --release
    python3 tests/bench/commands.py [--rebuy PATH] [--runs 5] [--size 10m]

It generates target/bench/orders-SIZE.csv with `rebuy generate --seed 1` if missing
(the file bench.py uses), then runs each command in turn, RUNS rounds, and prints the
median seconds, the peak resident memory (from /usr/bin/time) and the ratio to
summary's median. The goal of the analysis commands: at most 1.5 x summary.
"""
import argparse
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench  # noqa: E402

COMMANDS = [
    ("summary", ["summary", "-f", "json"]),
    ("cohorts", ["cohorts", "-f", "csv"]),
    ("rfm", ["rfm", "-f", "csv"]),
    ("rfm --customers", ["rfm", "--customers", "-f", "csv"]),
    ("cycles", ["cycles", "-f", "csv"]),
    ("due", ["due", "-f", "csv"]),
    ("check", ["check", "--min", "customers=1"]),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_target = os.environ.get("CARGO_TARGET_DIR", str(bench.ROOT / "target"))
    parser.add_argument("--rebuy", default=str(Path(default_target) / "release" / "rebuy"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="10m")
    args = parser.parse_args()
    file = str(bench.generate(args.rebuy, args.size, "csv"))
    times = {name: [] for name, _ in COMMANDS}
    for _ in range(args.runs):
        for name, command in COMMANDS:
            command = [args.rebuy, command[0], file] + command[1:]
            times[name].append(bench.timed(command)[:2])
    base = statistics.median(s for s, _ in times["summary"])
    print(f"\nrebuy commands on {Path(file).name}, medians of {args.runs} runs in turn, "
          f"{os.cpu_count()} cores")
    print("| command | seconds | peak MiB | / summary |")
    print("|---|---:|---:|---:|")
    for name, runs in times.items():
        median = statistics.median(s for s, _ in runs)
        peak = max(kb for _, kb in runs) / 1024
        print(f"| `rebuy {name}` | {median:.2f} | {peak:,.0f} | {median / base:.2f} |")


if __name__ == "__main__":
    main()
