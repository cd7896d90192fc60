#!/usr/bin/env python3
"""rebuy's CSV splitter against the csv crate (csv-core) on the benchmark file.

Run by hand from the repository root (not by cargo test):

    python3 tests/bench/split.py [--size 10m]

It generates target/bench/orders-SIZE.csv if missing (the file bench.py uses) and
runs the ignored test `splitting_a_large_file_against_the_csv_crate`, which reads the
file into memory, finds its records and fields with each splitter on one thread,
five times each, checks that both find the same, and prints the medians.
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_target = os.environ.get("CARGO_TARGET_DIR", str(bench.ROOT / "target"))
    parser.add_argument("--rebuy", default=str(Path(default_target) / "release" / "rebuy"))
    parser.add_argument("--size", default="10m")
    args = parser.parse_args()
    file = bench.generate(args.rebuy, args.size, "csv")
    env = dict(os.environ, REBUY_SPLIT_FILE=str(file))
    subprocess.run(["cargo", "test", "--release", "--lib", "--", "--ignored", "--nocapture",
                    "splitting_a_large_file_against_the_csv_crate"], check=True, env=env, cwd=bench.ROOT)


if __name__ == "__main__":
    main()
