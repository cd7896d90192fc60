#!/usr/bin/env python3
"""Times every rebuy command on one generated file, next to `rebuy summary`.

Run by hand from the repository root (not by cargo test):

    cargo build --release
    python3 tests/bench/commands.py [--rebuy PATH] [--runs 5] [--size 10m]
                                    [--formats csv,parquet]

It generates target/bench/orders-SIZE.csv (and .parquet) with `rebuy generate --seed 1`
if missing (the files bench.py uses, which also runs this), then runs each command in
turn, RUNS rounds, and prints the median seconds, CPU seconds, the peak resident memory
(from /usr/bin/time) and the ratio to summary's median. The goals: each analysis at
most 1.3 x summary, `report` (all of them) at most 1.5 x.
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
    ("trend", ["trend", "-f", "csv"]),
    ("next", ["next", "-f", "csv"]),
    ("summary --by category", ["summary", "--by", "category", "-f", "json"]),
    ("report", ["report", "-o", "REPORT"]),
    ("predict", ["predict", "-f", "json"]),
    ("report --predict", ["report", "--predict", "-o", "REPORT"]),
]


def table(rebuy, file, runs):
    """Runs every command on `file`, RUNS rounds in turn; prints the table."""
    times = {name: [] for name, _ in COMMANDS}
    report = Path(file).with_suffix(".report.html")
    for _ in range(runs):
        for name, command in COMMANDS:
            command = [rebuy, command[0], file] + [str(report) if a == "REPORT" else a for a in command[1:]]
            seconds, kb, _, cpu = bench.timed(command)
            times[name].append((seconds, kb, cpu))
    report.unlink(missing_ok=True)
    base = statistics.median(s for s, _, _ in times["summary"])
    print(f"\nrebuy commands on {Path(file).name}, medians of {runs} runs in turn, "
          f"{os.cpu_count()} cores")
    print("| command | seconds | CPU s | peak MiB | / summary |")
    print("|---|---:|---:|---:|---:|")
    for name, results in times.items():
        median = statistics.median(s for s, _, _ in results)
        cpu = statistics.median(c for _, _, c in results)
        peak = max(kb for _, kb, _ in results) / 1024
        print(f"| `rebuy {name}` | {median:.2f} | {cpu:.2f} | {peak:,.0f} | {median / base:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_target = os.environ.get("CARGO_TARGET_DIR", str(bench.ROOT / "target"))
    parser.add_argument("--rebuy", default=str(Path(default_target) / "release" / "rebuy"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="10m")
    parser.add_argument("--formats", default="csv,parquet")
    args = parser.parse_args()
    for fmt in args.formats.split(","):
        table(args.rebuy, str(bench.generate(args.rebuy, args.size, fmt)), args.runs)


if __name__ == "__main__":
    main()
