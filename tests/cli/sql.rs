//! `rebuy sql`: the query's shape. Running it on DuckDB, PostgreSQL and Spark is
//! `tests/sql/engines.py`, in `.ci/run`.

use crate::common::{assert_mentions, fixture, Workdir};

/// The keys of the query's rows, in order: `SELECT 3 AS i, 'orders' AS …`.
fn query_keys(sql: &str) -> Vec<String> {
    sql.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("SELECT ")?;
            let (_, rest) = rest.split_once(" AS i, '")?;
            Some(rest.split_once('\'')?.0.to_string())
        })
        .collect()
}

#[test]
fn the_summary_query_has_the_rows_of_summary_csv_in_order() {
    let w = Workdir::new();
    let csv = w
        .run(&[
            "summary",
            &fixture("orders.csv").to_string_lossy(),
            "--format",
            "csv",
        ])
        .ok()
        .to_string();
    let keys: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    for dialect in ["duckdb", "postgres", "spark", "bigquery", "snowflake"] {
        let sql = w
            .run(&["sql", "summary", "--dialect", dialect, "--from", "orders"])
            .ok()
            .to_string();
        assert_eq!(query_keys(&sql), keys, "{dialect}");
    }
}

#[test]
fn columns_are_quoted_as_each_dialect_quotes_them() {
    let w = Workdir::new();
    let args = |dialect: &'static str| {
        [
            "sql",
            "summary",
            "--dialect",
            dialect,
            "--from",
            "shop.orders",
            "--map",
            "customer=CustomerID",
            "--map",
            "date=InvoiceDate",
            "--map",
            "amount=Line Total",
        ]
    };
    assert_mentions(
        w.run(&args("postgres")).ok(),
        &[
            "NULLIF(TRIM(CAST(\"CustomerID\" AS TEXT)), '') AS customer",
            "CAST(\"InvoiceDate\" AS TIMESTAMP) AS ts",
            "CAST(\"Line Total\" AS NUMERIC(38,4)) AS amount",
            "FROM shop.orders",
            "orders AS (",
            "purchases AS (",
            "occasions AS (",
        ],
    );
    assert_mentions(
        w.run(&args("spark")).ok(),
        &[
            "CAST(`CustomerID` AS STRING)",
            "CAST(`Line Total` AS DECIMAL(38,4))",
        ],
    );
}

#[test]
fn sql_flag_errors_say_what_to_do() {
    let w = Workdir::new();
    assert_mentions(
        w.run(&["sql", "summary", "--dialect", "oracle", "--from", "t"])
            .bad_input(),
        &[
            "unknown dialect \"oracle\"",
            "duckdb, postgres, spark, bigquery, snowflake",
        ],
    );
    assert_mentions(
        w.run(&["sql", "summary", "--dialect", "duckdb", "--from", " "])
            .bad_input(),
        &["--from is empty"],
    );
    assert_mentions(
        w.run(&[
            "sql",
            "summary",
            "--dialect",
            "duckdb",
            "--from",
            "t",
            "--map",
            "sku=x",
        ])
        .bad_input(),
        &["unknown role \"sku\""],
    );
}

#[test]
fn the_rfm_query_scores_with_rank_and_segments_in_the_table_order() {
    let w = Workdir::new();
    let sql = w
        .run(&[
            "sql",
            "rfm-customers",
            "--dialect",
            "postgres",
            "--from",
            "orders",
        ])
        .ok()
        .to_string();
    assert_mentions(
        &sql,
        &[
            "1 + ((5 * (RANK() OVER (ORDER BY recency_days DESC) - 1)) / (COUNT(*) OVER ()))",
            "RANK() OVER (ORDER BY COALESCE(monetary, 0))",
            "SELECT customer AS customer_id, recency_days, frequency, monetary, r, f, m,",
            "ORDER BY customer",
        ],
    );
    let order: Vec<usize> = [
        "'Champions'",
        "'Loyal Customers'",
        "'Potential Loyalists'",
        "'At Risk'",
        "'Need Attention'",
        "'Lost Customers'",
    ]
    .iter()
    .map(|name| sql.find(name).unwrap())
    .collect();
    assert!(order.windows(2).all(|p| p[0] < p[1]), "{sql}");
}
