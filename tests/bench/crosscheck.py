#!/usr/bin/env python3
"""Compares `rebuy summary --format json` with contract section 2 computed by DuckDB
(summary.sql) on the same file. Usage:

    crosscheck.py REBUY FILE DATASET [--as-of DATE]

DATASET says how the file's columns map to lines(customer, order_id, ts, amount):
`standard` (customer_id, order_id?, order_date, line_total | quantity * unit_price),
`cdnow` (customer_id, order_date, amount), or `online_retail` (the UCI columns).
Exit 0 when every key agrees (to 1e-9), 1 otherwise. Needs `pip install duckdb`.
"""
import json
import math
import subprocess
import sys
from pathlib import Path

import duckdb

HERE = Path(__file__).parent

VIEWS = {
    "cdnow": """
        SELECT trim(customer_id) AS customer, NULL::VARCHAR AS order_id,
               order_date::TIMESTAMP AS ts, amount::DECIMAL(18,4) AS amount
        FROM read_csv('{file}', all_varchar = true)
        WHERE coalesce(trim(customer_id), '') <> ''""",
    "online_retail": """
        SELECT trim(CustomerID) AS customer, trim(InvoiceNo) AS order_id,
               InvoiceDate::TIMESTAMP AS ts,
               round(Quantity::DECIMAL(18,4) * UnitPrice::DECIMAL(18,4), 4) AS amount
        FROM read_csv('{file}', all_varchar = true)
        WHERE coalesce(trim(CustomerID), '') <> ''""",
    "standard_parquet": """
        SELECT trim(customer_id) AS customer, nullif(trim(order_id::VARCHAR), '') AS order_id,
               order_date::TIMESTAMP AS ts, line_total::DECIMAL(18,4) AS amount
        FROM read_parquet('{file}')
        WHERE coalesce(trim(customer_id), '') <> ''""",
    "standard": """
        SELECT trim(customer_id) AS customer, nullif(trim(order_id), '') AS order_id,
               order_date::TIMESTAMP AS ts,
               coalesce(nullif(trim(line_total), '')::DECIMAL(18,4),
                        round(quantity::DECIMAL(18,4) * unit_price::DECIMAL(18,4), 4)) AS amount
        FROM read_csv('{file}', all_varchar = true)
        WHERE coalesce(trim(customer_id), '') <> ''""",
}


def flatten(value, path=""):
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            out.update(flatten(inner, f"{path}.{key}" if path else key))
        return out
    if isinstance(value, list):
        out = {}
        for item in value:
            rest = {k: v for k, v in item.items() if k != "k"}
            out.update(flatten(rest, f"{path}.{item['k']}"))
        return out
    return {path: value}


def duckdb_summary(file, dataset, as_of):
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"CREATE TEMP VIEW lines AS {VIEWS[dataset].format(file=file)}")
    con.execute("SET VARIABLE as_of_override = ?::DATE", [as_of])
    statements = [s for s in (HERE / "summary.sql").read_text().split(";") if s.strip()]
    for statement in statements[:-1]:
        con.execute(statement)
    cursor = con.execute(statements[-1])
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone()))


def compare(ours, theirs):
    """The keys on which rebuy's flattened JSON and DuckDB's answer differ."""
    bad = []
    for key, expected in theirs.items():
        actual = ours.get(key)
        if expected is None or actual is None:
            same = expected is None and actual is None
        elif isinstance(expected, str):
            same = expected == actual
        else:
            same = math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-9)
        if not same:
            bad.append(f"{key}: rebuy {actual!r}, duckdb {expected!r}")
    return bad


def main():
    rebuy, file, dataset, *rest = sys.argv[1:]
    as_of = rest[1] if rest[:1] == ["--as-of"] else None
    command = [rebuy, "summary", file, "--format", "json"] + (["--as-of", as_of] if as_of else [])
    ours = flatten(json.loads(subprocess.run(command, check=True, capture_output=True).stdout))
    theirs = duckdb_summary(file, dataset, as_of)
    bad = compare(ours, theirs)
    for line in bad:
        print(f"MISMATCH {line}")
    print(f"{file}: {len(theirs) - len(bad)} of {len(theirs)} keys agree with DuckDB")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
