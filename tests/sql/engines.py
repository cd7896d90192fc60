#!/usr/bin/env python3
"""`rebuy sql` on real engines: the query it prints for each command and dialect, run on
DuckDB, PostgreSQL and Spark (and, through sqlglot's transpilation to DuckDB, the BigQuery
and Snowflake queries, each first parsed in its own dialect), compared value by value
with `rebuy COMMAND --format csv` on the same typed data.

Usage, from the repository root:
    python3 tests/sql/engines.py path/to/rebuy [--real-data] [--only DATASET,...]

Every dataset is typed once by DuckDB into Parquet (ids text, dates TIMESTAMP, money
DECIMAL(18,4)); rebuy reads that Parquet file, and each engine loads it as a table.
PostgreSQL is started here (initdb and pg_ctl as the postgres user, on a Unix socket in a
temporary folder) and stopped at the end; an engine that cannot start is a failure.
With --real-data, ../shared/data/cdnow.csv and online_retail.csv.gz are added.
"""

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
# Money: equal to the last of 4 decimals. Other numbers: to 1e-9, relative.
MONEY_KEYS = {"revenue", "monetary", "cumulative_revenue_per_customer", "mean_monetary",
              "aov_first", "aov_repeat"}
# Columns compared as text, exactly.
TEXT_COLUMNS = {"customer_id", "product", "cohort", "rfm", "segment", "action", "status",
                "stage", "complete", "last_purchase", "remind_on", "nudge_on", "offer_on"}

# The columns of rebuy's own exports (fixtures/orders.csv, rebuy generate).
STANDARD_ROLES = {"customer": "customer_id", "date": "order_date", "order": "order_id",
                  "amount": "line_total", "quantity": "quantity", "unit_price": "unit_price",
                  "product": "sku", "category": "category"}
STANDARD_TYPES = {"order_id": "text", "customer_id": "text", "order_date": "timestamp",
                  "sku": "text", "category": "text", "quantity": "money", "unit_price": "money",
                  "line_total": "money"}

# name: (file, {role: column}, {column: type}, [flags of each variant]); a file of None
# is the text of that name below.
DATASETS = {
    "orders": (
        ROOT / "fixtures/orders.csv",
        STANDARD_ROLES,
        STANDARD_TYPES,
        [[], ["--same-day", "keep"], ["--as-of", "2024-02-29"]],
    ),
    "generated": (
        ROOT / "fixtures/generated.csv",
        STANDARD_ROLES,
        STANDARD_TYPES,
        [[], ["--same-day", "keep"], ["--as-of", "2024-06-30"]],
    ),
    "edges": (
        None,
        {r: c for r, c in STANDARD_ROLES.items() if r not in ("quantity", "unit_price")},
        {c: t for c, t in STANDARD_TYPES.items() if c not in ("quantity", "unit_price")},
        [[], ["--same-day", "keep"], ["--as-of", "2024-12-31"]],
    ),
    "zones": (
        None,
        {"customer": "customer_id", "date": "order_date", "order": "order_id",
         "amount": "line_total", "product": "sku"},
        {"order_id": "text", "customer_id": "text", "order_date": "timestamptz", "sku": "text",
         "line_total": "money"},
        [["--tz", "Europe/Berlin"], ["--tz", "America/Los_Angeles"]],
    ),
    "statuses": (
        None,
        {"customer": "CustomerID", "date": "Created", "order": "Order", "amount": "Total",
         "status": "Status"},
        {"CustomerID": "text", "Created": "timestamp", "Order": "text", "Total": "money",
         "Status": "text"},
        [[], ["--non-purchase-status", "lost"]],
    ),
}

# What the CLI tests try one by one: ISO weeks across the new year (2020-W53 holds
# 2021-01-03, Monday 2024-12-30 is 2025-W01), same-day orders, a refund and a zero order,
# a guest row, an unknown amount, a line without product, ties in every RFM score, and
# lines without order id (one order per customer and timestamp).
TEXTS = {}
TEXTS["edges"] = """order_id,customer_id,order_date,sku,category,line_total
1,A,2020-12-31 09:00:00,COF,coffee,10.00
2,A,2021-01-03 18:00:00,COF,coffee,12.50
3,A,2021-01-04 08:00:00,TEA,tea,4.00
4,A,2024-12-30 10:00:00,COF,coffee,10.00
5,A,2024-12-30 16:00:00,TEA,tea,3.3333
6,B,2020-12-31 12:00:00,COF,coffee,10.00
7,B,2021-01-10 12:00:00,COF,coffee,-10.00
8,B,2021-02-10 12:00:00,COF,coffee,0.00
9,B,2021-03-10 12:00:00,COF,coffee,7.25
9,B,2021-03-10 12:00:00,TEA,tea,1.00
10,,2021-03-11 12:00:00,COF,coffee,5.00
11,C,2021-01-04 00:00:00,COF,coffee,
12,D,2021-01-04 00:00:00,COF,coffee,10.00
13,E,2021-01-04 00:00:00,COF,coffee,10.00
14,F,2021-01-04 00:00:00,TEA,tea,10.00
15,F,2025-01-01 23:59:59,,,10.00
16,G,2025-01-05 10:00:00,COF,coffee,10.00
17,C,2024-12-29 10:00:00,COF,coffee,20.00
,H,2022-06-01 10:00:00,TEA,tea,2.00
,H,2022-06-01 10:00:00,COF,coffee,2.00
,H,2022-06-01 11:00:00,TEA,tea,3.00
,H,2022-07-01 11:00:00,TEA,tea,3.00
"""

# Instants near midnight: Berlin (summer time from 2024-03-31) and Los Angeles put
# them on other days than UTC, and join or part a customer's orders.
TEXTS["zones"] = """order_id,customer_id,order_date,sku,line_total
1,A,2024-03-30 23:30:00+00,COF,10.00
2,A,2024-03-31 22:30:00+00,COF,10.00
3,B,2024-01-01 06:00:00+00,TEA,5.00
4,B,2024-01-01 09:00:00+00,TEA,5.00
5,C,2024-02-29 23:59:59+00,COF,7.00
6,C,2024-03-01 00:00:01+00,COF,7.00
7,D,2024-03-31 21:59:00+00,COF,3.00
"""

TEXTS["statuses"] = """CustomerID,Created,Order,Total,Status
A,2024-01-01 10:00:00,1,10.00,completed
A,2024-01-03 10:00:00,2,20.00,Cancelled
A,2024-01-09 10:00:00,3,5.00,wc-processing
B,2024-01-02 10:00:00,4,7.50,refunded
B,2024-01-05 10:00:00,5,12.25,
 C ,2024-01-05 11:00:00,6,3.00,Lost
 ,2024-01-06 11:00:00,7,3.00,completed
C,2024-01-07 11:00:00,8,-3.00,completed
"""

REAL = {
    "cdnow": (
        ROOT / "../shared/data/cdnow.csv",
        {"customer": "customer_id", "date": "order_date", "amount": "amount"},
        {"customer_id": "text", "order_date": "timestamp", "quantity": "money", "amount": "money"},
        [[]],
    ),
    "online_retail": (
        ROOT / "../shared/data/online_retail.csv.gz",
        {"customer": "CustomerID", "date": "InvoiceDate", "order": "InvoiceNo",
         "quantity": "Quantity", "unit_price": "UnitPrice", "product": "StockCode"},
        {"InvoiceNo": "text", "StockCode": "text", "Quantity": "money",
         "InvoiceDate": "timestamp", "UnitPrice": "money", "CustomerID": "text"},
        [[], ["--as-of", "2011-06-30"]],
    ),
}

TYPES = {"text": "VARCHAR", "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMPTZ",
         "money": "DECIMAL(18,4)"}
PG_TYPES = {"text": "TEXT", "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMPTZ",
            "money": "NUMERIC(18,4)"}


def typed(name, file, types, folder):
    """The file's columns typed, as Parquet (for rebuy, DuckDB and Spark) and CSV (for
    PostgreSQL's COPY)."""
    columns = ", ".join(
        f'CAST(NULLIF(TRIM("{c}"), \'\') AS {TYPES[t]}) AS "{c}"' if t != "text" else f'"{c}"'
        for c, t in types.items())
    parquet, text = folder / f"{name}.parquet", folder / f"{name}.csv"
    con = duckdb.connect()
    source = f"read_csv('{file}', all_varchar = true, header = true)"
    con.execute(f"COPY (SELECT {columns} FROM {source}) TO '{parquet}' (FORMAT parquet)")
    con.execute(f"COPY (SELECT * FROM '{parquet}') TO '{text}' (HEADER, NULL '')")
    os.chmod(text, 0o644)
    return parquet, text


# Each command and its flags: rebuy COMMAND FILE --format csv FLAGS must equal the rows of
# rebuy sql COMMAND FLAGS. Commands of cycles need a product role.
COMMANDS = [
    ["summary"],
    ["cohorts"],
    ["cohorts", "--period", "week"],
    ["cohorts", "--period", "quarter"],
    ["cohorts", "--period", "year", "--since", "2021-06-01", "--until", "2024-03-01"],
    ["cohorts", "--extras"],
    ["cohorts", "--extras", "--period", "week"],
    ["rfm"],
    ["rfm", "--customers"],
    ["rfm", "--segment", "at risk"],
    ["cycles"],
    ["cycles", "--by", "category", "--min-intervals", "1", "--stat", "median",
     "--triggers", "0.8,1,1.3"],
    ["due", "--min-intervals", "2", "--stage", "all"],
    ["due", "--min-intervals", "1", "--stage", "remind,lapsed", "--by", "category"],
    # A day on which reminders fire: the middle remind date of the list above.
    ["due", "--min-intervals", "2", "--fires-on", "A_REMIND_DAY"],
]
ITEM_COMMANDS = ("cycles", "due")

def rebuy_csv(rebuy, command, parquet, flags):
    """rebuy's own table: its header, and its rows. Where --since and --until leave no
    cohort, rebuy stops with exit 2 (a cron job's empty export would pass unnoticed),
    and the query gives no rows: no header, no rows."""
    run = subprocess.run([rebuy, command[0], str(parquet), "--format", "csv", *command[1:],
                          *flags], capture_output=True, text=True)
    if run.returncode == 2 and "--since" in command and "no cohort" in run.stderr:
        return None, []
    run.check_returncode()
    rows = [tuple(r) for r in csv.reader(io.StringIO(run.stdout))]
    return rows[0], rows[1:]


def query(rebuy, command, dialect, table, roles, flags):
    maps = [a for role, column in roles.items() for a in ("--map", f"{role}={column}")
            if command[0] in ITEM_COMMANDS or role not in ("product", "category")]
    return subprocess.run([rebuy, "sql", *command, "--dialect", dialect, "--from", table,
                           *maps, *flags], capture_output=True, text=True, check=True).stdout


def same(key, want, got):
    if want in ("", None) or got in ("", None):
        return want in ("", None) and got in ("", None)
    a, b = float(want), float(got)
    if key in MONEY_KEYS:
        return abs(a - b) < 0.00005
    return abs(a - b) <= 1e-9 * max(1.0, abs(a))


def compare(label, header, want, got):
    """Rows in the same order, cell by cell: text exactly, numbers as numbers. Summary
    rows are (key, value): each value is compared as its key says."""
    got = [tuple(None if v is None else str(v) for v in row) for row in got]
    if len(want) != len(got):
        return [f"{label}: {len(want)} rows from rebuy, {len(got)} from the engine"]
    problems = []
    for i, (w, g) in enumerate(zip(want, got)):
        if len(w) != len(g):
            return [f"{label}: {len(w)} columns from rebuy, {len(g)} from the engine"]
        for column, a, b in zip(header, w, g):
            if header == ("key", "value") and column == "value":
                column = w[0]
            if column in TEXT_COLUMNS or column in ("key", "as_of"):
                ok = a == (b or "")
            else:
                ok = same(column, a, b)
            if not ok:
                problems.append(f"{label}: row {i + 1} {column} rebuy {a!r}, engine {b!r}")
    return problems[:5]


class Postgres:
    """A PostgreSQL server of its own, on a Unix socket in a temporary folder."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="rebuy-pg-"))
        shutil.chown(self.folder, "postgres")
        self.data, self.port = self.folder / "data", "54329"
        self.run_as(["initdb", "-D", str(self.data), "--locale=C", "-E", "UTF8", "-A", "trust"])
        self.run_as(["pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "log"),
                     "-o", f"-k {self.folder} -p {self.port} -c listen_addresses=''", "start"])

    def run_as(self, command, stdin=None):
        return subprocess.run(["runuser", "-u", "postgres", "--", *command], input=stdin,
                              capture_output=True, text=True, check=True)

    def sql(self, text):
        out = self.run_as(["psql", "-h", str(self.folder), "-p", self.port, "-d", "postgres",
                           "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1"],
                          stdin=text).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def load(self, table, text, types):
        columns = ", ".join(f'"{c}" {PG_TYPES[t]}' for c, t in types.items())
        self.sql(f'DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({columns});\n'
                 f"\\copy {table} FROM '{text}' CSV HEADER NULL ''\n")

    def stop(self):
        self.run_as(["pg_ctl", "-D", str(self.data), "-m", "fast", "stop"])
        shutil.rmtree(self.folder, ignore_errors=True)


def spark_session():
    from pyspark.sql import SparkSession
    return (SparkSession.builder.master("local[2]").appName("rebuy-sql")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            # Two cores: a few shuffle partitions, not the 200 meant for a cluster.
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate())


def main():
    # Stopped from outside (a CI timeout, ^C): still stop PostgreSQL on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    rebuy = sys.argv[1]
    datasets = dict(DATASETS)
    if "--real-data" in sys.argv:
        datasets.update(REAL)
    if "--only" in sys.argv:  # one dataset, while working on it
        only = sys.argv[sys.argv.index("--only") + 1].split(",")
        datasets = {name: {**DATASETS, **REAL}[name] for name in only}
    failures, checks = [], 0
    folder = Path(tempfile.mkdtemp(prefix="rebuy-sql-"))
    os.chmod(folder, 0o755)
    for name, text in TEXTS.items():
        (folder / f"{name}.txt").write_text(text)
    postgres = Postgres()
    try:
        spark = spark_session()
        spark.sparkContext.setLogLevel("OFF")
        for name, (file, roles, types, variants) in datasets.items():
            parquet, text = typed(name, file or folder / f"{name}.txt", types, folder)
            con = duckdb.connect()
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM '{parquet}'")
            postgres.load(name, text, types)
            spark.read.parquet(str(parquet)).createOrReplaceTempView(name)
            import sqlglot
            commands = [c for c in COMMANDS if c[0] not in ITEM_COMMANDS or "product" in roles]
            commands = [c for c in commands if "category" not in c or "category" in roles]
            for flags, command in [(f, c) for f in variants for c in commands]:
                if "A_REMIND_DAY" in command:
                    _, listed = rebuy_csv(rebuy, ["due", "--min-intervals", "2", "--stage",
                                                  "all"], parquet, flags)
                    if not listed:
                        continue
                    day = sorted(row[4] for row in listed)[len(listed) // 2]
                    command = [day if c == "A_REMIND_DAY" else c for c in command]
                header, want = rebuy_csv(rebuy, command, parquet, flags)

                def sql_for(dialect, command=command, flags=flags):
                    return query(rebuy, command, dialect, name, roles, flags)
                def on_duckdb(header=header, sql_for=sql_for):
                    cursor = con.execute(sql_for("duckdb"))
                    names = tuple(column[0] for column in cursor.description)
                    if header is not None and names != tuple(header):
                        raise ValueError(f"columns {names}, rebuy's are {tuple(header)}")
                    return cursor.fetchall()
                runs = {
                    "duckdb": on_duckdb,
                    "postgres": lambda: postgres.sql(sql_for("postgres")),
                    "spark": lambda: [tuple(r) for r in spark.sql(
                        sql_for("spark").rstrip().rstrip(";")).collect()],
                }
                for dialect in ("bigquery", "snowflake"):
                    def transpiled(dialect=dialect):
                        sql = sql_for(dialect)
                        sqlglot.parse_one(sql, read=dialect)
                        duck = sqlglot.transpile(sql, read=dialect, write="duckdb")[0]
                        return con.execute(duck).fetchall()
                    runs[f"{dialect} (via sqlglot)"] = transpiled
                for engine, run in runs.items():
                    label = (f"{' '.join(command)} of {name} {' '.join(flags) or '(defaults)'}"
                             f" on {engine}")
                    checks += 1
                    try:
                        problems = compare(label, tuple(header or ()), want, run())
                    except Exception as e:  # an engine's error is a failure to report
                        problems = [f"{label}: {type(e).__name__}: {str(e).splitlines()[0][:300]}"]
                    failures.extend(problems)
                    print(("FAIL " if problems else "ok   ") + label)
        spark.stop()
    finally:
        postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)
    for f in failures:
        print(f)
    print(f"rebuy sql: {checks - len({f.split(':')[0] for f in failures})} of {checks} runs agree")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
