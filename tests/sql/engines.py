#!/usr/bin/env python3
"""`rebuy sql` on real engines: the query it prints for each dialect, run on DuckDB,
PostgreSQL and Spark (and, through sqlglot's transpilation to DuckDB, the BigQuery and
Snowflake queries, each first parsed in its own dialect), compared value by value with
`rebuy summary --format csv` on the same typed data.

Usage, from the repository root: python3 tests/sql/engines.py path/to/rebuy [--real-data]

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
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
MONEY_KEYS = {"revenue"}

# The columns of rebuy's own exports (fixtures/orders.csv, rebuy generate).
STANDARD_ROLES = {"customer": "customer_id", "date": "order_date", "order": "order_id",
                  "amount": "line_total", "quantity": "quantity", "unit_price": "unit_price"}
STANDARD_TYPES = {"order_id": "text", "customer_id": "text", "order_date": "timestamp",
                  "quantity": "money", "unit_price": "money", "line_total": "money"}

# name: (file, {role: column}, {column: type}, [flags of each variant])
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
    "statuses": (
        None,  # written below
        {"customer": "CustomerID", "date": "Created", "order": "Order", "amount": "Total",
         "status": "Status"},
        {"CustomerID": "text", "Created": "timestamp", "Order": "text", "Total": "money",
         "Status": "text"},
        [[], ["--non-purchase-status", "lost"]],
    ),
}

STATUSES = """CustomerID,Created,Order,Total,Status
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
         "quantity": "Quantity", "unit_price": "UnitPrice"},
        {"InvoiceNo": "text", "StockCode": "text", "Quantity": "money",
         "InvoiceDate": "timestamp", "UnitPrice": "money", "CustomerID": "text"},
        [[], ["--as-of", "2011-06-30"]],
    ),
}

TYPES = {"text": "VARCHAR", "timestamp": "TIMESTAMP", "money": "DECIMAL(18,4)"}
PG_TYPES = {"text": "TEXT", "timestamp": "TIMESTAMP", "money": "NUMERIC(18,4)"}


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


# Each query rebuy sql writes, with the command whose csv it must equal.
COMMANDS = {
    "summary": ["summary"],
    "rfm-customers": ["rfm", "--customers"],
}


def rebuy_csv(rebuy, command, parquet, flags):
    out = subprocess.run([rebuy, *COMMANDS[command], str(parquet), "--format", "csv", *flags],
                         capture_output=True, text=True, check=True).stdout
    return [tuple(r) for r in csv.reader(io.StringIO(out))][1:]


def query(rebuy, command, dialect, table, roles, flags):
    maps = [a for role, column in roles.items() for a in ("--map", f"{role}={column}")]
    return subprocess.run([rebuy, "sql", command, "--dialect", dialect, "--from", table,
                           *maps, *flags], capture_output=True, text=True, check=True).stdout


def same(key, want, got):
    if want in ("", None) or got in ("", None):
        return want in ("", None) and got in ("", None)
    if key == "as_of":
        return want == str(got)[:10]
    a, b = float(want), float(got)
    if key in MONEY_KEYS:
        return abs(a - b) < 0.00005
    return abs(a - b) <= 1e-9 * max(1.0, abs(a))


def compare(label, want, got):
    """Summary rows: (key, value), keys in the same order, values equal."""
    got = [(str(k), None if v is None else str(v)) for k, v in got]
    keys = [k for k, _ in want]
    if keys != [k for k, _ in got]:
        return [f"{label}: keys differ: {[k for k, _ in got]}"]
    return [f"{label}: {k} rebuy {w!r}, engine {g!r}"
            for (k, w), (_, g) in zip(want, got) if not same(k, w, g)]


# The columns of rfm --customers, and which hold money.
RFM_COLUMNS = ["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "rfm",
               "segment"]


def compare_rows(label, want, got):
    """Table rows in the same order, cell by cell: text exactly, numbers as numbers."""
    got = [tuple(None if v is None else str(v) for v in row) for row in got]
    if len(want) != len(got):
        return [f"{label}: {len(want)} rows from rebuy, {len(got)} from the engine"]
    problems = []
    for i, (w, g) in enumerate(zip(want, got)):
        for column, a, b in zip(RFM_COLUMNS, w, g):
            numeric = column in ("recency_days", "frequency", "monetary", "r", "f", "m")
            key = "revenue" if column == "monetary" else column
            ok = same(key, a, b) if numeric else a == (b or "")
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
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate())


def main():
    rebuy = sys.argv[1]
    datasets = dict(DATASETS)
    if "--real-data" in sys.argv:
        datasets.update(REAL)
    failures, checks = [], 0
    folder = Path(tempfile.mkdtemp(prefix="rebuy-sql-"))
    os.chmod(folder, 0o755)
    (folder / "statuses.txt").write_text(STATUSES)
    postgres = Postgres()
    try:
        spark = spark_session()
        spark.sparkContext.setLogLevel("ERROR")
        for name, (file, roles, types, variants) in datasets.items():
            parquet, text = typed(name, file or folder / "statuses.txt", types, folder)
            con = duckdb.connect()
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM '{parquet}'")
            postgres.load(name, text, types)
            spark.read.parquet(str(parquet)).createOrReplaceTempView(name)
            import sqlglot
            for flags, command in [(f, c) for f in variants for c in COMMANDS]:
                want = rebuy_csv(rebuy, command, parquet, flags)
                check = compare if command == "summary" else compare_rows

                def sql_for(dialect, command=command, flags=flags):
                    return query(rebuy, command, dialect, name, roles, flags)
                runs = {
                    "duckdb": lambda: con.execute(sql_for("duckdb")).fetchall(),
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
                    label = f"{command} of {name} {' '.join(flags) or '(defaults)'} on {engine}"
                    checks += 1
                    try:
                        problems = check(label, want, run())
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
