#!/usr/bin/env python3
"""`rebuy summary` on a Parquet file, next to Spark (local[2]) running the query of
`rebuy sql summary --dialect spark` on the same file: medians of wall times, taking
turns, and whether every value agrees.

Run by hand from the repository root (not by cargo test):

    python3 tests/bench/spark_summary.py [--size 10m] [--runs 3]

The Spark time is the query's (the session is started once, before the runs, and the
file is read by every run); rebuy's is the whole process.
"""
import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "sql"))
import bench  # noqa: E402
from engines import compare  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10m")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    target = os.environ.get("CARGO_TARGET_DIR", str(bench.ROOT / "target"))
    rebuy = str(Path(target) / "release" / "rebuy")
    file = str(bench.generate(rebuy, args.size, "parquet"))
    sql = subprocess.run(
        [rebuy, "sql", "summary", "--dialect", "spark", "--from", "orders",
         "--map", "customer=customer_id", "--map", "date=order_date", "--map", "order=order_id",
         "--map", "amount=line_total", "--map", "quantity=quantity", "--map", "unit_price=unit_price"],
        capture_output=True, text=True, check=True).stdout.rstrip().rstrip(";")

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("rebuy-bench")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", "8g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    spark.read.parquet(file).createOrReplaceTempView("orders")

    times = {"rebuy": [], "spark": []}
    rows = None
    want = None
    header = None
    for _ in range(args.runs):
        start = time.perf_counter()
        out = subprocess.run([rebuy, "summary", file, "--format", "csv"],
                             capture_output=True, text=True, check=True).stdout
        times["rebuy"].append(time.perf_counter() - start)
        table = [tuple(r) for r in csv.reader(io.StringIO(out))]
        header, want = table[0], table[1:]
        start = time.perf_counter()
        rows = [tuple(r) for r in spark.sql(sql).collect()]
        times["spark"].append(time.perf_counter() - start)
    spark.stop()
    problems = compare(Path(file).name, header, want, rows)
    median = {k: statistics.median(v) for k, v in times.items()}
    print(f"\nsummary of {Path(file).name}, medians of {args.runs} runs in turn, "
          f"{os.cpu_count()} cores")
    print("| engine | seconds |")
    print("|---|---:|")
    print(f"| rebuy summary | {median['rebuy']:.2f} |")
    print(f"| Spark local[2], rebuy sql summary --dialect spark | {median['spark']:.2f} |")
    print(f"values: {'every one agrees' if not problems else problems}")
    for key, value in want:
        print(f"  {key} = {value}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
