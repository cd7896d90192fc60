#!/usr/bin/env python3
"""Compares `rebuy summary --format json` with contract section 2 computed by DuckDB
(occasions.sql, then summary.sql) on the same file; with --cohorts PERIOD, compares
`rebuy cohorts --period PERIOD --format csv` with cohorts.sql instead, and with --rfm,
`rebuy rfm --customers --format csv` with rfm.sql, with --cycles, `rebuy cycles
--format csv` with cycles.sql, and with --trend PERIOD, `rebuy trend --period PERIOD
--format csv` with trend.sql, and with --next yes, `rebuy next --top 0 --format csv`
with next.sql (every pair, compared as a set), with --tiers yes, `rebuy tiers --customers`
with tiers.sql, with --dormant yes, `rebuy dormant` with dormant.sql (all but
last_products), and with --rate PERIOD, `rebuy dormant --rate` with dormant_rate.sql.
Usage:

    crosscheck.py REBUY FILE DATASET [--as-of DATE] [--cohorts week|month|quarter|year | --rfm yes | --cycles yes | --trend week|month|quarter|year | --next yes | --by-country yes
                                   | --tiers yes | --dormant yes | --rate week|month|quarter|year]

DATASET says how the file's columns map to lines(customer, order_id, ts, amount):
`standard` (customer_id, order_id?, order_date, line_total | quantity * unit_price),
`cdnow` (customer_id, order_date, amount), or `online_retail` (the UCI columns).
Exit 0 when every key (or cell) agrees, 1 otherwise. Needs `pip install duckdb`.
"""
import csv
import io
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
               order_date::TIMESTAMP AS ts, amount::DECIMAL(18,4) AS amount,
               NULL::VARCHAR AS product
        FROM read_csv('{file}', all_varchar = true)
        WHERE coalesce(trim(customer_id), '') <> ''""",
    "online_retail": """
        SELECT trim(CustomerID) AS customer, trim(InvoiceNo) AS order_id,
               InvoiceDate::TIMESTAMP AS ts,
               round(Quantity::DECIMAL(18,4) * UnitPrice::DECIMAL(18,4), 4) AS amount,
               trim(StockCode) AS product
        FROM read_csv('{file}', all_varchar = true)
        WHERE coalesce(trim(CustomerID), '') <> ''""",
    "standard_parquet": """
        SELECT trim(customer_id) AS customer, nullif(trim(order_id::VARCHAR), '') AS order_id,
               order_date::TIMESTAMP AS ts, line_total::DECIMAL(18,4) AS amount,
               trim(sku::VARCHAR) AS product
        FROM read_parquet('{file}')
        WHERE coalesce(trim(customer_id), '') <> ''""",
    "standard": """
        SELECT trim(customer_id) AS customer, nullif(trim(order_id), '') AS order_id,
               order_date::TIMESTAMP AS ts,
               coalesce(nullif(trim(line_total), '')::DECIMAL(18,4),
                        round(quantity::DECIMAL(18,4) * unit_price::DECIMAL(18,4), 4)) AS amount,
               trim(sku) AS product
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


STEPS = {"week": "7 DAY", "month": "1 MONTH", "quarter": "3 MONTH", "year": "1 YEAR"}


def connect(file, dataset, as_of):
    """A DuckDB connection holding the occasions of occasions.sql."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"CREATE TEMP VIEW lines AS {VIEWS[dataset].format(file=file)}")
    con.execute("SET VARIABLE as_of_override = ?::DATE", [as_of])
    run_script(con, "occasions.sql")
    return con


def run_script(con, name, replace=None):
    """Runs the statements of a script; returns the cursor of the last."""
    text = (HERE / name).read_text()
    for key, value in (replace or {}).items():
        text = text.replace("{" + key + "}", value)
    statements = [s for s in text.split(";") if s.strip()]
    for statement in statements[:-1]:
        con.execute(statement)
    return con.execute(statements[-1])


def duckdb_summary(file, dataset, as_of):
    cursor = run_script(connect(file, dataset, as_of), "summary.sql")
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone()))


def duckdb_cohorts(file, dataset, as_of, period):
    """The rows of cohorts.sql, as lists of values."""
    con = connect(file, dataset, as_of)
    return run_script(con, "cohorts.sql", {"unit": period, "step": STEPS[period]}).fetchall()


def duckdb_rfm(file, dataset, as_of):
    """The rows of rfm.sql, one per customer, sorted by customer id."""
    return run_script(connect(file, dataset, as_of), "rfm.sql").fetchall()


def compare_rfm(ours_csv, theirs):
    """The customers on which rebuy's customer list and DuckDB's rows differ."""
    rows = list(csv.reader(io.StringIO(ours_csv)))[1:]
    if len(rows) != len(theirs):
        return [f"rebuy has {len(rows)} customers, duckdb {len(theirs)}"]
    bad = []
    for ours, expected in zip(rows, theirs):
        customer, recency, frequency, monetary, r, f, m, _, segment = ours
        same = (
            customer == expected[0]
            and [int(recency), int(frequency), int(r), int(f), int(m)]
            == [expected[1], expected[2], expected[4], expected[5], expected[6]]
            and segment == expected[7]
            and ((monetary == "" and expected[3] is None)
                 or (monetary != "" and expected[3] is not None
                     and math.isclose(float(monetary), expected[3], rel_tol=1e-12)))
        )
        if not same:
            bad.append(f"rebuy {ours}, duckdb {list(expected)}")
    return bad


def duckdb_cycles(file, dataset, as_of):
    """The rows of cycles.sql, one per product, in rebuy's order."""
    return run_script(connect(file, dataset, as_of), "cycles.sql").fetchall()


def compare_cycles(ours_csv, theirs):
    """The products on which rebuy's cycles and DuckDB's rows differ."""
    reader = csv.DictReader(io.StringIO(ours_csv))
    rows = list(reader)
    if len(rows) != len(theirs):
        return [f"rebuy has {len(rows)} products, duckdb {len(theirs)}"]
    names = ["product", "customers", "intervals", "mean", "sd", "median", "p25", "p75",
             "remind", "nudge", "offer"]
    bad = []
    for ours, expected in zip(rows, theirs):
        for name, value in zip(names, expected):
            mine = ours[name]
            if name == "product":
                same = mine == value
            elif value is None or mine == "":
                same = value is None and mine == ""
            else:
                same = math.isclose(float(mine), float(value), rel_tol=1e-9, abs_tol=1e-9)
            if not same:
                bad.append(f"{ours['product']} {name}: rebuy {mine!r}, duckdb {value!r}")
    return bad


def duckdb_trend(file, dataset, as_of, period, dormant):
    """The rows of trend.sql, one per period."""
    con = connect(file, dataset, as_of)
    replace = {"unit": period, "step": STEPS[period], "dormant": str(dormant)}
    return run_script(con, "trend.sql", replace).fetchall()


def compare_rows(ours_csv, theirs, noun):
    """The rows on which rebuy's csv and DuckDB's rows differ, in order, column by
    column (columns of rebuy's past DuckDB's are not compared)."""
    rows = list(csv.reader(io.StringIO(ours_csv)))[1:]
    if len(rows) != len(theirs):
        return [f"rebuy has {len(rows)} {noun}, duckdb {len(theirs)}"]
    bad = []
    for ours, expected in zip(rows, theirs):
        for mine, value in zip(ours, expected):
            if value is None or mine == "":
                same = value is None and mine == ""
            elif isinstance(value, bool):
                same = mine == str(value).lower()
            elif isinstance(value, str):
                same = mine == value
            else:
                same = math.isclose(float(mine), float(value), rel_tol=1e-9, abs_tol=1e-9)
            if not same:
                bad.append(f"rebuy {ours}, duckdb {list(expected)}")
                break
    return bad


# Each customer's Country on their first occasion: of the purchase orders on its day,
# the earliest order's, the smallest of several; '(none)' where no line has one.
COUNTRY_GROUPS = """
WITH l AS (
    SELECT trim(CustomerID) AS customer, trim(InvoiceNo) AS order_id,
           InvoiceDate::TIMESTAMP AS ts,
           round(Quantity::DECIMAL(18,4) * UnitPrice::DECIMAL(18,4), 4) AS amount,
           trim(Country) AS country
    FROM read_csv('{file}', all_varchar = true)
    WHERE coalesce(trim(CustomerID), '') <> ''
), o AS (
    SELECT customer, order_id, min(ts) AS ts, sum(amount) AS amount
    FROM l GROUP BY customer, order_id
    HAVING sum(amount) IS NULL OR sum(amount) > 0
), first_day AS (
    SELECT customer, min(ts::DATE) AS day FROM o
    WHERE ts::DATE <= getvariable('as_of') GROUP BY customer
), valued AS (
    SELECT o.customer, o.ts, l.country
    FROM o JOIN first_day f ON o.customer = f.customer AND o.ts::DATE = f.day
           JOIN l ON l.customer = o.customer AND l.order_id = o.order_id
    WHERE coalesce(l.country, '') <> ''
)
SELECT f.customer, coalesce(first(v.country ORDER BY v.ts, v.country), '(none)') AS grp
FROM first_day f LEFT JOIN valued v USING (customer)
GROUP BY f.customer
"""


def compare_by_country(rebuy, file, dataset, as_of):
    """The keys on which some group of rebuy's summary --by Country differs from
    summary.sql on the customers of that group."""
    command = [rebuy, "summary", file, "--by", "Country", "--top", "0", "--format", "json"]
    command += ["--as-of", as_of] if as_of else []
    ours = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
    whole = ours["all"]["as_of"]
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET VARIABLE as_of = ?::DATE", [whole])
    con.execute("CREATE TEMP TABLE groups AS " + COUNTRY_GROUPS.format(file=file))
    bad, keys = [], 0
    for group in ours["groups"]:
        mine = flatten({k: v for k, v in group.items() if k != "group"})
        con2 = duckdb.connect()
        con2.execute("SET enable_progress_bar = false")
        members = [r[0] for r in con.execute("SELECT customer FROM groups WHERE grp = ?",
                                             [group["group"]]).fetchall()]
        con2.execute("CREATE TEMP TABLE members(customer VARCHAR)")
        con2.executemany("INSERT INTO members VALUES (?)", [[m] for m in members])
        con2.execute(f"CREATE TEMP VIEW lines AS SELECT * FROM ({VIEWS[dataset].format(file=file)}) "
                     "WHERE customer IN (SELECT customer FROM members)")
        con2.execute("SET VARIABLE as_of_override = ?::DATE", [whole])
        run_script(con2, "occasions.sql")
        cursor = run_script(con2, "summary.sql")
        theirs = dict(zip([d[0] for d in cursor.description], cursor.fetchone()))
        theirs = {k: v for k, v in theirs.items() if k != "as_of" and not k.startswith("dropped")}
        keys += len(theirs)
        bad.extend(f"{group['group']} {line}" for line in compare(mine, theirs))
    return bad, keys, len(ours["groups"])


def duckdb_next(file, dataset, as_of):
    """The rows of next.sql, one per (first, next) pair."""
    return run_script(connect(file, dataset, as_of), "next.sql").fetchall()


def compare_next(ours_csv, theirs):
    """The pairs on which rebuy's next and DuckDB's rows differ."""
    ours = {(r["first"], r["next"]): r for r in csv.DictReader(io.StringIO(ours_csv))}
    if len(ours) != len(theirs):
        return [f"rebuy has {len(ours)} pairs, duckdb {len(theirs)}"]
    bad = []
    for first, next_, customers, share, days in theirs:
        mine = ours.get((first, next_))
        same = (
            mine is not None
            and int(mine["customers"]) == customers
            and math.isclose(float(mine["share_of_first"]), share, rel_tol=1e-12)
            and math.isclose(float(mine["median_days"]), days, rel_tol=1e-12)
        )
        if not same:
            bad.append(f"{first} -> {next_}: rebuy {mine}, duckdb {(customers, share, days)}")
    return bad


def compare_cohorts(ours_csv, theirs):
    """The cells on which rebuy's long CSV and DuckDB's rows differ."""
    rows = list(csv.reader(io.StringIO(ours_csv)))[1:]
    if len(rows) != len(theirs):
        return [f"rebuy has {len(rows)} rows, duckdb {len(theirs)}"]
    bad = []
    for ours, expected in zip(rows, theirs):
        cohort, offset, size, active, rate, revenue, complete = ours
        same = (
            cohort == expected[0]
            and int(offset) == expected[1]
            and int(size) == expected[2]
            and int(active) == expected[3]
            and math.isclose(float(rate), expected[4], rel_tol=1e-12)
            and str(complete).lower() == str(expected[6]).lower()
            and (
                (revenue == "" and expected[5] is None)
                # rebuy rounds money per customer to 4 decimals.
                or (revenue != "" and expected[5] is not None
                    and abs(float(revenue) - expected[5]) <= 0.5e-4 + 1e-9)
            )
        )
        if not same:
            bad.append(f"rebuy {ours}, duckdb {list(expected)}")
    return bad


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
    options = dict(zip(rest[::2], rest[1::2]))
    as_of = options.get("--as-of")
    period = options.get("--cohorts")
    extra = ["--as-of", as_of] if as_of else []
    if "--by-country" in options:
        bad, keys, groups = compare_by_country(rebuy, file, dataset, as_of)
        for line in bad[:20]:
            print(f"MISMATCH {line}")
        print(f"{file}: {keys - len(bad)} of {keys} keys of {groups} groups by Country agree with DuckDB")
        sys.exit(1 if bad else 0)
    if "--next" in options:
        command = [rebuy, "next", file, "--top", "0", "--format", "csv"] + extra
        ours = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        theirs = duckdb_next(file, dataset, as_of)
        bad = compare_next(ours, theirs)
        what = "(first, next) pairs"
    elif "--tiers" in options:
        command = [rebuy, "tiers", file, "--customers", "--format", "csv"] + extra
        ours = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        theirs = run_script(connect(file, dataset, as_of), "tiers.sql").fetchall()
        bad = compare_rows(ours, theirs, "customers")
        what = "customers' tiers"
    elif "--dormant" in options:
        command = [rebuy, "dormant", file, "--format", "csv"] + extra
        ours = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        theirs = run_script(connect(file, dataset, as_of), "dormant.sql").fetchall()
        bad = compare_rows(ours, theirs, "dormant customers")
        what = "dormant customers, in the win-back order"
    elif "--rate" in options:
        unit = options["--rate"]
        command = [rebuy, "dormant", file, "--rate", "--period", unit, "--format", "csv"] + extra
        ours = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        replace = {"unit": unit, "step": STEPS[unit], "after": "90"}
        theirs = run_script(connect(file, dataset, as_of), "dormant_rate.sql", replace).fetchall()
        bad = compare_rows(ours, theirs, "periods")
        what = f"periods of the reactivation rate by {unit}"
    elif "--trend" in options:
        trend = options["--trend"]
        command = [rebuy, "trend", file, "--period", trend, "--format", "csv"] + extra
        ours = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        theirs = duckdb_trend(file, dataset, as_of, trend, 180)
        bad = compare_rows(ours, theirs, "periods")
        what = f"periods of the trend by {trend}"
    elif "--cycles" in options:
        command = [rebuy, "cycles", file, "--format", "csv"] + extra
        ours = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        theirs = duckdb_cycles(file, dataset, as_of)
        bad = compare_cycles(ours, theirs)
        what = "products' cycles"
    elif "--rfm" in options:
        command = [rebuy, "rfm", file, "--customers", "--format", "csv"] + extra
        ours = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        theirs = duckdb_rfm(file, dataset, as_of)
        bad = compare_rfm(ours, theirs)
        what = "customers' RFM scores and segments"
    elif period:
        command = [rebuy, "cohorts", file, "--period", period, "--format", "csv"] + extra
        ours = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        theirs = duckdb_cohorts(file, dataset, as_of, period)
        bad = compare_cohorts(ours, theirs)
        what = f"cohort cells by {period}"
    else:
        command = [rebuy, "summary", file, "--format", "json"] + extra
        ours = flatten(json.loads(subprocess.run(command, check=True, capture_output=True).stdout))
        theirs = duckdb_summary(file, dataset, as_of)
        bad = compare(ours, theirs)
        what = "keys"
    for line in bad[:20]:
        print(f"MISMATCH {line}")
    print(f"{file}: {len(theirs) - len(bad)} of {len(theirs)} {what} agree with DuckDB")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
