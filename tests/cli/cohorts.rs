//! `rebuy cohorts`: the long format byte for byte, the triangle and the per-cohort
//! table as people see them, and the flags' errors.

use crate::common::{assert_mentions, fixture, Workdir};

fn fixture_arg(name: &str) -> String {
    fixture(name).to_str().unwrap().to_string()
}

/// The long format of fixtures/orders.csv, worked out in src/metrics/cohorts.rs.
const FIXTURE_CSV: &str = "\
cohort,period_offset,cohort_size,active_customers,retention_rate,cumulative_revenue_per_customer,complete
2024-01,0,3,3,1,37.6667,true
2024-01,1,3,1,0.3333333333333333,46,true
2024-01,2,3,2,0.6666666666666666,69.3333,true
2024-01,3,3,1,0.3333333333333333,81,false
2024-02,0,3,3,1,60,true
2024-02,1,3,1,0.3333333333333333,76.6667,true
2024-02,2,3,1,0.3333333333333333,90,false
2024-03,0,1,1,1,12,true
2024-03,1,1,1,1,24,false
2024-04,0,1,1,1,18,false
";

#[test]
fn long_csv_byte_for_byte() {
    let w = Workdir::new();
    let out = w.run(&["cohorts", &fixture_arg("orders.csv"), "--format", "csv"]);
    assert_eq!(out.ok(), FIXTURE_CSV);
}

#[test]
fn cron_export_to_a_dated_file() {
    // What the README's cron line does: -o picks csv from the extension, and writes
    // atomically, leaving no temporary file.
    let w = Workdir::new();
    let run = w.run(&[
        "cohorts",
        &fixture_arg("orders.csv"),
        "-o",
        "cohorts-2024-04-15.csv",
    ]);
    assert_eq!(run.ok(), "");
    assert_eq!(
        std::fs::read_to_string(w.path("cohorts-2024-04-15.csv")).unwrap(),
        FIXTURE_CSV
    );
    let names: Vec<_> = std::fs::read_dir(w.path("")).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn triangle_views() {
    let w = Workdir::new();
    let orders = fixture_arg("orders.csv");
    insta::assert_snapshot!("triangle", w.run(&["cohorts", &orders]).ok());
    insta::assert_snapshot!(
        "triangle_revenue_markdown",
        w.run(&["cohorts", &orders, "--metric", "revenue", "-f", "markdown"])
            .ok()
    );
    insta::assert_snapshot!(
        "triangle_active",
        w.run(&["cohorts", &orders, "--metric", "active"]).ok()
    );
}

#[test]
fn quarters_of_the_generated_fixture() {
    let w = Workdir::new();
    let generated = fixture_arg("generated.csv");
    insta::assert_snapshot!(
        "generated_quarters_csv",
        w.run(&["cohorts", &generated, "--period", "quarter", "-f", "csv"])
            .ok()
    );
    insta::assert_snapshot!(
        "generated_quarters",
        w.run(&["cohorts", &generated, "--period", "quarter"]).ok()
    );
}

#[test]
fn extras_per_cohort() {
    let w = Workdir::new();
    let orders = fixture_arg("orders.csv");
    insta::assert_snapshot!(
        "extras_csv",
        w.run(&["cohorts", &orders, "--extras", "-f", "csv"]).ok()
    );
    insta::assert_snapshot!("extras", w.run(&["cohorts", &orders, "--extras"]).ok());
}

#[test]
fn json_carries_as_of_period_cells_average_and_dropped() {
    let w = Workdir::new();
    let out = w.run(&["cohorts", &fixture_arg("orders.csv"), "-f", "json"]);
    let json: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["as_of", "period", "cells", "average", "dropped"]);
    assert_eq!(json["cells"].as_array().unwrap().len(), 10);
    assert_eq!(json["cells"][3]["complete"], false);
    assert_eq!(
        json["average"][3]["retention_rate"],
        serde_json::Value::Null
    );
    assert_eq!(json["dropped"]["guest_rows"], 1);
}

#[test]
fn since_and_until_choose_cohorts() {
    let w = Workdir::new();
    let out = w.run(&[
        "cohorts",
        &fixture_arg("orders.csv"),
        "-f",
        "csv",
        "--since",
        "2024-02-15",
        "--until",
        "2024-03-01",
    ]);
    let rows: Vec<&str> = FIXTURE_CSV
        .lines()
        .filter(|l| {
            l.starts_with("cohort,") || l.starts_with("2024-02") || l.starts_with("2024-03")
        })
        .collect();
    assert_eq!(out.ok(), rows.join("\n") + "\n");
}

#[test]
fn flag_errors_say_what_to_do() {
    let w = Workdir::new();
    let orders = fixture_arg("orders.csv");
    let err = w
        .run(&[
            "cohorts",
            &orders,
            "--since",
            "2024-05-01",
            "--until",
            "2024-01-01",
        ])
        .bad_input()
        .to_string();
    assert_mentions(
        &err,
        &["--since 2024-05-01 is after --until 2024-01-01", "swap"],
    );
    let err = w
        .run(&["cohorts", &orders, "--since", "May 2024"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["--since \"May 2024\"", "YYYY-MM-DD"]);
    let err = w
        .run(&["cohorts", &orders, "--since", "2025-01-01", "-o", "c.csv"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["leave no cohort", "from 2024-01 to 2024-04"]);
    assert!(!w.path("c.csv").exists(), "no empty export is written");
    let err = w
        .run(&["cohorts", &orders, "--period", "fortnight"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["fortnight", "week", "month", "quarter", "year"]);
}

#[test]
fn help_shows_examples_and_the_columns() {
    let help = Workdir::new().run(&["cohorts", "--help"]).ok().to_string();
    assert_mentions(
        &help,
        &[
            "rebuy cohorts orders.csv --period week",
            "cumulative_revenue_per_customer",
            "repeat_within_30",
            "ISO week-year",
        ],
    );
}
