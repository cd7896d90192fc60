//! The same orders written the ways real exports write them give the same summary.

use std::io::Write;

use crate::common::{assert_mentions, Workdir};

const PLAIN: &str = "customer_id,order_id,order_date,line_total\n\
A,1,2024-01-01 10:00,10.00\n\
A,2,2024-01-20 11:00,5.50\n\
B,3,2024-01-05 09:00,7.25\n\
B,4,2024-03-05 09:00,7.25\n\
C,5,2024-02-01 12:00,3.00\n";

fn summary_json(w: &Workdir, args: &[&str]) -> String {
    let mut all = vec!["summary"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    w.run(&all).ok().to_string()
}

fn reference(w: &Workdir) -> String {
    w.write("plain.csv", PLAIN);
    summary_json(w, &["plain.csv"])
}

#[test]
fn semicolons_bom_crlf_and_quoted_newlines() {
    let w = Workdir::new();
    let expected = reference(&w);
    let messy = "\u{feff}\"Customer ID\";Order ID;Order Date;Line Total;Note\r\n\
A;1;2024-01-01 10:00;10.00;\"gift,\r\nwrapped\"\r\n\
A;2;2024-01-20 11:00;5.50;\r\n\
B;3;2024-01-05 09:00;7.25;\r\n\
B;4;2024-03-05 09:00;7.25;\r\n\
C;5;2024-02-01 12:00;3.00;\r\n";
    w.write("messy.csv", messy);
    assert_eq!(summary_json(&w, &["messy.csv"]), expected);
}

#[test]
fn tabs_and_other_date_forms() {
    let w = Workdir::new();
    let expected = reference(&w);
    // The same instants as Unix seconds, ISO with T and offset, and compact dates.
    let tabbed = "customer_id\torder_id\torder_date\tline_total\n\
A\t1\t2024-01-01T10:00:00+01:00\t10.00\n\
A\t2\t1705748400\t5.50\n\
B\t3\t20240105\t7.25\n\
B\t4\t2024-03-05T09:00:00Z\t7.25\n\
C\t5\t1706788800000\t3.00\n";
    w.write("tabbed.tsv", tabbed);
    assert_eq!(summary_json(&w, &["tabbed.tsv"]), expected);
}

#[test]
fn gzip_stdin_and_globs() {
    let w = Workdir::new();
    let expected = reference(&w);

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(PLAIN.as_bytes()).unwrap();
    w.write("orders.csv.gz", gz.finish().unwrap());
    assert_eq!(summary_json(&w, &["orders.csv.gz"]), expected);

    let run = w.run_with_stdin(&["summary", "-", "--format", "json"], PLAIN);
    assert_eq!(run.ok(), expected);

    let (header, body) = PLAIN.split_once('\n').unwrap();
    let lines: Vec<&str> = body.lines().collect();
    std::fs::create_dir(w.path("months")).unwrap();
    w.write(
        "months/2024-01.csv",
        format!("{header}\n{}\n", lines[..3].join("\n")),
    );
    w.write(
        "months/2024-02.csv",
        format!("{header}\n{}\n", lines[3..].join("\n")),
    );
    assert_eq!(summary_json(&w, &["months/*.csv"]), expected);
}

#[test]
fn parquet_with_typed_columns() {
    use polars::prelude::*;
    let w = Workdir::new();
    let expected = reference(&w);
    let mut frame = df!(
        "customer_id" => ["A", "A", "B", "B", "C"],
        "order_id" => [1i64, 2, 3, 4, 5],
        "order_date" => ["2024-01-01 10:00", "2024-01-20 11:00", "2024-01-05 09:00", "2024-03-05 09:00", "2024-02-01 12:00"],
        "line_total" => [10.0f64, 5.5, 7.25, 7.25, 3.0],
    )
    .unwrap();
    let file = std::fs::File::create(w.path("orders.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut frame).unwrap();
    assert_eq!(summary_json(&w, &["orders.parquet"]), expected);
}

#[test]
fn windows_1252_text_is_decoded_or_explained() {
    let w = Workdir::new();
    let mut bytes = b"customer_id,order_date,amount,product\n".to_vec();
    bytes.extend_from_slice(
        b"Ren\xe9e,2024-01-01,5,Caf\xe9 cr\xe8me\nRen\xe9e,2024-02-01,5,Th\xe9\n",
    );
    w.write("latin.csv", &bytes);
    let out = w
        .run(&["inspect", "latin.csv", "-f", "json"])
        .ok()
        .to_string();
    assert_mentions(
        &out,
        &["\"encoding\": \"Windows-1252\"", "\"customers\": 1"],
    );
    let err = w
        .run(&["summary", "latin.csv", "--encoding", "utf-8"])
        .bad_input()
        .to_string();
    assert_mentions(
        &err,
        &["latin.csv, line 2", "not UTF-8", "--encoding windows-1252"],
    );
}

#[test]
fn map_names_columns_the_names_do_not_give_away() {
    let w = Workdir::new();
    let expected = reference(&w);
    w.write(
        "odd.csv",
        PLAIN.replace(
            "customer_id,order_id,order_date,line_total",
            "buyer,ref,when,paid",
        ),
    );
    let args = [
        "odd.csv",
        "--map",
        "customer=buyer",
        "--map",
        "order=ref",
        "--map",
        "date=when",
        "--map",
        "amount=paid",
    ];
    assert_eq!(summary_json(&w, &args), expected);
}

#[test]
fn parquet_with_nulls_integer_ids_and_a_date_column() {
    use polars::prelude::*;
    let w = Workdir::new();
    // The same orders as PLAIN, plus a guest row and a line without an amount.
    let text = format!("{PLAIN},9,2024-02-02 10:00,1.00\nB,6,2024-03-05 09:00,\n");
    w.write("plain.csv", text);
    let expected = summary_json(&w, &["plain.csv"]);
    let days = |dates: &[&str]| -> Vec<i32> {
        dates
            .iter()
            .map(|d| {
                let date = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
                (date - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
            })
            .collect()
    };
    let order_date = Int32Chunked::from_vec(
        "order_date".into(),
        days(&[
            "2024-01-01",
            "2024-01-20",
            "2024-01-05",
            "2024-03-05",
            "2024-02-01",
            "2024-02-02",
            "2024-03-05",
        ]),
    )
    .into_date()
    .into_column();
    let mut frame = DataFrame::new(
        7,
        vec![
            Column::new(
                "customer_id".into(),
                [
                    Some("A"),
                    Some("A"),
                    Some("B"),
                    Some("B"),
                    Some("C"),
                    None,
                    Some("B"),
                ],
            ),
            Column::new("order_id".into(), [1i64, 2, 3, 4, 5, 9, 6]),
            order_date,
            Column::new(
                "line_total".into(),
                [
                    Some(10.0f64),
                    Some(5.5),
                    Some(7.25),
                    Some(7.25),
                    Some(3.0),
                    Some(1.0),
                    None,
                ],
            ),
        ],
    )
    .unwrap();
    let file = std::fs::File::create(w.path("orders.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut frame).unwrap();
    let out = summary_json(&w, &["orders.parquet"]);
    assert_eq!(out, expected);
    assert_mentions(
        &out,
        &["\"guest_rows\": 1", "\"customers\": 3", "\"orders\": 6"],
    );
}

/// Quantity and unit price are read only for the Parquet slices where some amount is
/// missing; there they make that line's amount, as in a CSV file.
#[test]
fn parquet_quantity_times_price_fills_a_missing_amount_and_is_unread_otherwise() {
    use polars::prelude::*;
    let w = Workdir::new();
    let write = |name: &str, totals: [Option<f64>; 3], quantity: Column| {
        let mut frame = DataFrame::new(
            3,
            vec![
                Column::new("customer_id".into(), ["A", "A", "B"]),
                Column::new("order_id".into(), ["1", "2", "3"]),
                Column::new(
                    "order_date".into(),
                    ["2024-01-01", "2024-02-01", "2024-01-15"],
                ),
                Column::new("line_total".into(), totals),
                quantity,
                Column::new("unit_price".into(), [4.0f64, 2.5, 1.0]),
            ],
        )
        .unwrap();
        let file = std::fs::File::create(w.path(name)).unwrap();
        ParquetWriter::new(file).finish(&mut frame).unwrap();
    };
    // Order 2 has no total: 3 × 2.50 = 7.50; A's revenue 10 + 7.50, B's 4.
    write(
        "gap.parquet",
        [Some(10.0), None, Some(4.0)],
        Column::new("quantity".into(), [1i64, 3, 4]),
    );
    let out = summary_json(&w, &["gap.parquet"]);
    assert_mentions(&out, &["\"revenue\": 21.5", "\"orders\": 3"]);
    // Every total there: a quantity that is not a number is never looked at.
    write(
        "whole.parquet",
        [Some(10.0), Some(7.5), Some(4.0)],
        Column::new("quantity".into(), ["one", "three", "four"]),
    );
    let out = summary_json(&w, &["whole.parquet"]);
    assert_mentions(&out, &["\"revenue\": 21.5", "\"orders\": 3"]);
}

#[test]
fn parquet_timestamps_with_a_zone_count_days_on_their_wall_clock_or_in_tz() {
    use polars::prelude::*;
    // 2024-01-01 23:30 UTC is 2024-01-02 00:30 in Berlin. A zoned timestamp is an
    // instant: without --tz its day is that of its own zone (UTC here, 01-01); with
    // --tz Europe/Berlin it is 01-02. A second customer buys on 01-10.
    let w = Workdir::new();
    let ms = |text: &str| {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
            .timestamp_millis()
    };
    let when = Int64Chunked::from_vec(
        "order_date".into(),
        vec![ms("2024-01-01 23:30"), ms("2024-01-10 12:00")],
    )
    .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
    .into_column();
    let mut frame = DataFrame::new(
        2,
        vec![
            Column::new("customer_id".into(), ["A", "B"]),
            when,
            Column::new("amount".into(), [10.0, 20.0]),
        ],
    )
    .unwrap();
    let file = std::fs::File::create(w.path("zoned.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut frame).unwrap();
    let first_day = |extra: &[&str]| {
        let mut args = vec!["inspect", "zoned.parquet", "-f", "json"];
        args.extend_from_slice(extra);
        let out = w.run(&args);
        let json: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
        json["first_date"].as_str().unwrap().to_string()
    };
    assert_eq!(first_day(&[]), "2024-01-01");
    assert_eq!(first_day(&["--tz", "Europe/Berlin"]), "2024-01-02");
    assert_eq!(first_day(&["--tz", "-05:00"]), "2024-01-01");
}

#[test]
fn parquet_decimal_amounts_are_read_exactly() {
    // Warehouses keep money as DECIMAL; 0.1 + 0.2 must be 0.3, not a float's 0.30000000000000004.
    use polars::prelude::*;
    let w = Workdir::new();
    let amount = Column::new("amount".into(), [0.1f64, 0.2, 12.5])
        .cast(&DataType::Decimal(10, 2))
        .unwrap();
    let mut frame = DataFrame::new(
        3,
        vec![
            Column::new("customer_id".into(), ["A", "A", "B"]),
            Column::new(
                "order_date".into(),
                ["2024-01-01", "2024-01-01", "2024-01-05"],
            ),
            amount,
        ],
    )
    .unwrap();
    let file = std::fs::File::create(w.path("decimal.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut frame).unwrap();
    let out = w
        .run(&["summary", "decimal.parquet", "-f", "csv"])
        .ok()
        .to_string();
    assert!(out.contains("\nrevenue,12.8\n"), "{out}");
    assert!(out.contains("\naov_first,6.4\n"), "{out}");
}
