//! `rebuy generate`: realistic exports, identical for the same seed.

use crate::common::{assert_mentions, Workdir};

#[test]
fn same_seed_same_bytes_in_every_format() {
    let w = Workdir::new();
    for name in [
        "a.csv",
        "b.csv",
        "a.csv.gz",
        "b.csv.gz",
        "a.parquet",
        "b.parquet",
    ] {
        w.run(&[
            "generate",
            "--customers",
            "300",
            "--seed",
            "9",
            "--quirks",
            "-o",
            name,
        ])
        .ok();
    }
    // -q: the same file, and nothing on stderr.
    let quiet = w.run(&[
        "generate",
        "--customers",
        "300",
        "--seed",
        "9",
        "--quirks",
        "-q",
        "-o",
        "q.csv",
    ]);
    assert_eq!((quiet.ok(), quiet.stderr.as_str()), ("", ""));
    assert_eq!(
        std::fs::read(w.path("q.csv")).unwrap(),
        std::fs::read(w.path("a.csv")).unwrap()
    );
    let loud = w.run(&[
        "generate",
        "--customers",
        "300",
        "--seed",
        "9",
        "-o",
        "l.csv",
    ]);
    assert_mentions(&loud.stderr, &["rebuy: wrote", "l.csv"]);
    for ext in ["csv", "csv.gz", "parquet"] {
        let a = std::fs::read(w.path(&format!("a.{ext}"))).unwrap();
        let b = std::fs::read(w.path(&format!("b.{ext}"))).unwrap();
        assert!(a == b, "{ext} differs between two runs with the same seed");
    }
    let stdout = w
        .run(&["generate", "--customers", "300", "--seed", "9", "--quirks"])
        .ok()
        .to_string();
    assert_eq!(stdout.as_bytes(), std::fs::read(w.path("a.csv")).unwrap());
    let other = w
        .run(&["generate", "--customers", "300", "--seed", "10", "--quirks"])
        .ok()
        .to_string();
    assert_ne!(stdout, other);
}

#[test]
fn every_quirk_is_counted_in_the_summary() {
    let w = Workdir::new();
    w.run(&[
        "generate",
        "--customers",
        "3000",
        "--seed",
        "5",
        "--quirks",
        "-o",
        "q.csv",
        "--truth",
        "truth.json",
    ])
    .ok();
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.path("truth.json")).unwrap()).unwrap();
    let counts = &truth["counts"];
    assert!(counts["guest_rows"].as_u64().unwrap() > 0);
    assert!(counts["cancellation_orders"].as_u64().unwrap() > 0);
    assert!(counts["padded_customer_ids"].as_u64().unwrap() > 0);

    let summary: serde_json::Value =
        serde_json::from_str(w.run(&["summary", "q.csv", "--format", "json"]).ok()).unwrap();
    let dropped = &summary["dropped"];
    assert_eq!(dropped["guest_rows"], counts["guest_rows"]);
    assert_eq!(
        dropped["non_purchase_orders"],
        counts["cancellation_orders"]
    );
    assert_eq!(dropped["invalid_rows"], 0);
    // Padded ids are trimmed, not new customers: every customer who bought counts once.
    assert!(summary["customers"].as_u64().unwrap() <= counts["customers"].as_u64().unwrap());
    assert_eq!(
        summary["orders"].as_u64().unwrap(),
        counts["orders"].as_u64().unwrap()
            - counts["cancellation_orders"].as_u64().unwrap()
            - counts["guest_orders"].as_u64().unwrap()
    );

    let products = truth["products"].as_array().unwrap();
    assert!(
        products.len() >= 200,
        "a catalogue of a few hundred products"
    );
    let coffee = products.iter().find(|p| p["category"] == "coffee").unwrap();
    let cycle = coffee["cycle_mean_days"].as_f64().unwrap();
    assert!((25.0..=31.0).contains(&cycle), "{cycle}");
}

#[test]
fn the_three_formats_read_alike() {
    let w = Workdir::new();
    for name in ["o.csv", "o.csv.gz", "o.parquet"] {
        w.run(&["generate", "--customers", "500", "--seed", "2", "-o", name])
            .ok();
    }
    let csv = w.run(&["summary", "o.csv", "-f", "json"]).ok().to_string();
    assert_eq!(w.run(&["summary", "o.csv.gz", "-f", "json"]).ok(), csv);
    assert_eq!(w.run(&["summary", "o.parquet", "-f", "json"]).ok(), csv);
}

#[test]
fn bad_generate_flags() {
    let w = Workdir::new();
    assert_mentions(
        w.run(&["generate", "--customers", "10", "-o", "orders.xlsx"])
            .bad_input(),
        &[".csv, .csv.gz or .parquet"],
    );
    assert_mentions(
        w.run(&[
            "generate",
            "--customers",
            "10",
            "--start",
            "2024-02-01",
            "--end",
            "2024-01-01",
        ])
        .bad_input(),
        &["--start 2024-02-01 is after --end 2024-01-01"],
    );
    assert_mentions(
        w.run(&["generate", "--customers", "0"]).bad_input(),
        &["at least 1"],
    );
}
