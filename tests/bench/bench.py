#!/usr/bin/env python3
"""rebuy's benchmark: rebuy's commands against DuckDB computing the same numbers.

Run by hand from the repository root (not by cargo test):

    cargo build --release
    pip install duckdb
    python3 tests/bench/bench.py [--rebuy PATH] [--runs 5] [--sizes 1m,10m]
                                 [--formats csv,parquet] [--commands summary,cohorts]
                                 [--all-commands 10m]

It generates the inputs under target/bench/ with `rebuy generate` (kept for later
runs), then for each file and command times, several runs each, taking turns:
  - rebuy: the whole `rebuy summary FILE --format json` (or `rebuy cohorts FILE
    --format csv`) process;
  - duckdb: the SQL of tests/bench/ (occasions.sql, then summary.sql or cohorts.sql)
    computing the same numbers (the queries alone, inside one Python process, so
    DuckDB's start-up is not counted);
  - floor: DuckDB reading and hashing just the four columns the commands need.
It checks that rebuy and DuckDB agree on every key or cohort cell, and prints one table
of medians (wall and CPU seconds) with peak memory (resident set, from /usr/bin/time)
and the ratios. Then it runs every command and `report` on the files of
`--all-commands` (commands.py; `--all-commands ''` leaves that out).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import crosscheck  # noqa: E402

# Customers per size: rebuy generate writes about 4.9 lines per customer.
SIZES = {"1m": 204_000, "10m": 2_040_000, "100m": 20_400_000}

FLOOR = {
    "csv": "SELECT sum(hash(customer_id, order_id, order_date, line_total)) "
    "FROM read_csv('{file}', all_varchar = true)",
    "parquet": "SELECT sum(hash(customer_id, order_id, order_date, line_total)) FROM read_parquet('{file}')",
}

DUCKDB_QUERY = """
import sys, time, json
sys.path.insert(0, {here!r})
import crosscheck
start = time.perf_counter()
if {command!r} == "summary":
    result = crosscheck.duckdb_summary({file!r}, {dataset!r}, None)
    result = {{k: (v if isinstance(v, (int, float, str)) or v is None else float(v)) for k, v in result.items()}}
else:
    result = [[v if isinstance(v, (int, float, str, bool)) or v is None else float(v) for v in row]
              for row in crosscheck.duckdb_cohorts({file!r}, {dataset!r}, None, "month")]
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": elapsed, "result": result}}))
"""

REBUY_ARGS = {"summary": ["--format", "json"], "cohorts": ["--format", "csv"]}

FLOOR_QUERY = """
import time, json, duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
start = time.perf_counter()
con.execute({sql!r}).fetchall()
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""


def peak_kb(stderr):
    for line in stderr.splitlines():
        if line.startswith("PEAK_KB "):
            return int(line.split()[1])
    return None


def cpu_seconds(stderr):
    for line in stderr.splitlines():
        if line.startswith("CPU "):
            return sum(float(v) for v in line.split()[1:])
    return None


def timed(command):
    """Runs a command under /usr/bin/time; returns (seconds, peak KB, stdout, CPU seconds)."""
    start = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "PEAK_KB %M\nCPU %U %S"] + command, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - start, peak_kb(done.stderr), done.stdout, cpu_seconds(done.stderr)


def generate(rebuy, size, fmt):
    path = ROOT / "target" / "bench" / f"orders-{size}.{fmt}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.relative_to(ROOT)} ...", file=sys.stderr)
        subprocess.run([rebuy, "generate", "--customers", str(SIZES[size]), "--seed", "1", "-o", str(path)], check=True)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    parser.add_argument("--rebuy", default=str(Path(default_target) / "release" / "rebuy"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1m,10m")
    parser.add_argument("--formats", default="csv,parquet")
    parser.add_argument("--commands", default="summary,cohorts")
    parser.add_argument("--all-commands", default="10m", help="size whose files every command runs on")
    args = parser.parse_args()

    rows = []
    for size in args.sizes.split(","):
        for fmt in args.formats.split(","):
            file = str(generate(args.rebuy, size, fmt))
            dataset = "standard" if fmt == "csv" else "standard_parquet"
            runs = {command: ([], []) for command in args.commands.split(",")}
            floor = []
            for run in range(args.runs):
                for command, (ours, duck) in runs.items():
                    seconds, kb, out, cpu = timed([args.rebuy, command, file] + REBUY_ARGS[command])
                    ours.append((seconds, kb, cpu))
                    _, kb, answer, _ = timed([sys.executable, "-c", DUCKDB_QUERY.format(
                        here=str(HERE), file=file, dataset=dataset, command=command)])
                    answer = json.loads(answer)
                    duck.append((answer["seconds"], kb, None))
                    if run == 0:
                        if command == "summary":
                            bad = crosscheck.compare(crosscheck.flatten(json.loads(out)), answer["result"])
                        else:
                            bad = crosscheck.compare_cohorts(out, answer["result"])
                        if bad:
                            sys.exit(f"rebuy {command} and DuckDB disagree on {file}: {bad[:5]}")
                _, kb, out, _ = timed([sys.executable, "-c", FLOOR_QUERY.format(sql=FLOOR[fmt].format(file=file))])
                floor.append((json.loads(out)["seconds"], kb, None))
            median = lambda runs: statistics.median(s for s, _, _ in runs)  # noqa: E731
            cpu = lambda runs: statistics.median(c for _, _, c in runs)  # noqa: E731
            peak = lambda runs: max(kb for _, kb, _ in runs) / 1024  # noqa: E731
            inspect = subprocess.run(
                [args.rebuy, "inspect", file, "--format", "json"], capture_output=True, text=True, check=True
            )
            lines = json.loads(inspect.stdout)["rows"]
            for command, (ours, duck) in runs.items():
                rows.append((command, size, fmt, lines, median(ours), cpu(ours), peak(ours), median(duck),
                             peak(duck), median(floor)))

    print(f"\nrebuy against DuckDB, medians of {args.runs} runs, {os.cpu_count()} cores")
    header = ("command", "input", "lines", "rebuy s", "rebuy CPU s", "rebuy MiB", "DuckDB s", "DuckDB MiB",
              "floor s", "rebuy / DuckDB", "rebuy / floor", "MiB / DuckDB's")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" if i > 1 else "---" for i in range(len(header))) + "|")
    for command, size, fmt, lines, ours, ours_cpu, ours_mb, duck, duck_mb, floor in rows:
        print(f"| {command} | {size} {fmt} | {lines:,} | {ours:.2f} | {ours_cpu:.2f} | {ours_mb:,.0f} | "
              f"{duck:.2f} | {duck_mb:,.0f} | {floor:.2f} | {ours / duck:.2f} | {ours / floor:.2f} | "
              f"{ours_mb / duck_mb:.2f} |")
    if args.all_commands:
        import commands  # noqa: E402 (imports this module)
        for fmt in args.formats.split(","):
            commands.table(args.rebuy, str(generate(args.rebuy, args.all_commands, fmt)), args.runs)


if __name__ == "__main__":
    main()
