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
            "rfm",
            "--customers",
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
            "SELECT s.customer AS customer_id, s.recency_days, s.frequency, s.monetary, s.r, s.f, s.m,",
            "FROM scored s JOIN segments g ON g.place = s.place",
            "ELSE 5 END AS place",
            "ORDER BY s.customer",
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

#[test]
fn every_command_has_a_query_with_the_steps_named() {
    let w = Workdir::new();
    let sql = |args: &[&str]| {
        let mut all = vec!["sql"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--dialect", "spark", "--from", "orders"]);
        w.run(&all).ok().to_string()
    };
    assert_mentions(
        &sql(&["cohorts", "--period", "week", "--since", "2024-01-01"]),
        &[
            "occasion_periods AS (",
            "members AS (",
            "activity AS (",
            "offsets AS (",
            // Weeks counted from the Monday before 1970-01-01, labelled by the ISO
            // year of their Thursday.
            "((day + 3) div 7)",
            "'-W'",
            "ORDER BY cohort_period, k",
        ],
    );
    assert_mentions(
        &sql(&["cohorts", "--extras"]),
        &["firsts AS (", "cohort_figures AS (", "AS repeat_within_365"],
    );
    assert_mentions(
        &sql(&["rfm"]),
        &["segment_sums AS (", "everyone AS (", "ORDER BY g.place"],
    );
    assert_mentions(
        &sql(&["cycles", "--by", "category", "--triggers", "0.8,1,1.3"]),
        &[
            "NULLIF(TRIM(CAST(`category` AS STRING)), '') AS item",
            "item_days AS (",
            "intervals AS (",
            "CAST(0.8 AS DOUBLE) * mean",
            ">= 10 THEN 1 ELSE 0 END AS enough",
            "ORDER BY intervals DESC, item",
        ],
    );
    assert_mentions(
        &sql(&["due", "--fires-on", "2024-05-01", "--stage", "remind,nudge"]),
        &[
            "last_days AS (",
            "datediff(CAST(DATE '2024-05-01' AS DATE), DATE '1970-01-01') AS on_day",
            "WHERE stage IN ('remind', 'nudge')",
            "ORDER BY customer, item",
        ],
    );
}

#[test]
fn sql_flags_of_each_command_are_checked_as_the_command_checks_them() {
    let w = Workdir::new();
    let run = |args: &[&str]| {
        let mut all = vec!["sql"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--dialect", "duckdb", "--from", "orders"]);
        w.run(&all).bad_input().to_string()
    };
    assert_mentions(
        &run(&["rfm", "--segment", "Whales"]),
        &["--segment \"Whales\": no such segment", "\"At Risk\""],
    );
    assert_mentions(
        &run(&["cycles", "--triggers", "1,0.5,2"]),
        &["--triggers \"1,0.5,2\"", "increasing"],
    );
    assert_mentions(&run(&["due", "--fires-on", "2024-13-01"]), &["--fires-on"]);
    assert_mentions(
        &run(&["cohorts", "--since", "2024-05-01", "--until", "2024-01-01"]),
        &["--since 2024-05-01 is after --until 2024-01-01"],
    );
    assert_mentions(
        &run(&["summary", "--tz", "+02:00"]),
        &["--tz +02:00", "a zone name", "not an offset"],
    );
    assert_mentions(
        &run(&["summary", "--tz", "Mars/Olympus"]),
        &["Mars/Olympus"],
    );
    assert_mentions(
        &run(&["cycles", "--map", "product_name=title"]),
        &["join the names from the product table"],
    );
}

#[test]
fn tz_reads_an_instant_as_the_wall_clock_of_the_zone() {
    let w = Workdir::new();
    let sql = |dialect: &str| {
        w.run(&[
            "sql",
            "summary",
            "--dialect",
            dialect,
            "--from",
            "t",
            "--map",
            "date=created_at",
            "--tz",
            "Europe/Berlin",
        ])
        .ok()
        .to_string()
    };
    assert_mentions(
        &sql("duckdb"),
        &["CAST(timezone('Europe/Berlin', \"created_at\") AS TIMESTAMP) AS ts"],
    );
    assert_mentions(
        &sql("postgres"),
        &["CAST((\"created_at\" AT TIME ZONE 'Europe/Berlin') AS TIMESTAMP) AS ts"],
    );
    assert_mentions(
        &sql("spark"),
        &["from_utc_timestamp(to_utc_timestamp(`created_at`, current_timezone()), 'Europe/Berlin')"],
    );
}
