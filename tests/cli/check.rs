//! `rebuy check`: gates pass (exit 0), fail (exit 1), drift from a baseline, and
//! bad keys or files (exit 2).

use crate::common::{assert_mentions, fixture, Workdir};

fn orders() -> String {
    fixture("orders.csv").to_str().unwrap().to_string()
}

#[test]
fn gates_that_pass() {
    // The fixture: repeat purchase rate 0.625, median days to 2nd purchase 40.
    let w = Workdir::new();
    let out = w.run(&[
        "check",
        &orders(),
        "--min",
        "repeat_purchase_rate=0.625",
        "--max",
        "time_to_second.median=40",
        "--min",
        "ladder.2.next_share=0.4",
    ]);
    insta::assert_snapshot!(out.ok());
}

#[test]
fn a_gate_that_fails_exits_1_and_says_which() {
    let w = Workdir::new();
    let run = w.run(&[
        "check",
        &orders(),
        "--min",
        "repeat_purchase_rate=0.63",
        "--max",
        "time_to_second.median=45",
        "-f",
        "csv",
    ]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "key,gate,expected,actual,pass\n\
         repeat_purchase_rate,min,0.63,0.625,false\n\
         time_to_second.median,max,45,40,true\n"
    );
    assert_eq!(run.stderr, "rebuy: 1 of 2 gates failed\n");
}

#[test]
fn drift_from_a_baseline() {
    let w = Workdir::new();
    // The baseline: the summary as of 2024-03-31 (7 customers, 35 numbers); now 8.
    w.run(&[
        "summary",
        &orders(),
        "--as-of",
        "2024-03-31",
        "-f",
        "json",
        "-o",
        "old.json",
    ])
    .ok();
    let same = w.run(&[
        "check",
        &orders(),
        "--as-of",
        "2024-03-31",
        "--baseline",
        "old.json",
    ]);
    assert_mentions(same.ok(), &["36 of 36 gates pass"]);

    let moved = w.run(&["check", &orders(), "--baseline", "old.json", "-f", "json"]);
    assert_eq!(moved.code, Some(1));
    let json: serde_json::Value = serde_json::from_str(&moved.stdout).unwrap();
    let customers = json["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "customers")
        .unwrap();
    assert_eq!(customers["gate"], "baseline");
    assert_eq!(customers["actual"], 8.0);
    assert_eq!(customers["pass"], false);
    assert_eq!(json["passed"], false);

    // A generous tolerance lets a small move pass: 8 customers against 7 is 14%.
    let expected = customers["expected"].as_f64().unwrap();
    assert_eq!(expected, 7.0);
    let loose = w.run(&[
        "check",
        &orders(),
        "--baseline",
        "old.json",
        "--tolerance",
        "10",
        "-f",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&loose.stdout).unwrap();
    // Only numbers that were 0 or missing in the baseline, which no relative
    // tolerance covers, fail: ladder.3.next_share (0 then 0.5), ladder.4.customers
    // (0 then 1), ladder.4.next_share (null then 0).
    let failed: Vec<(&str, &serde_json::Value)> = json["gates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["pass"] == false)
        .map(|g| (g["key"].as_str().unwrap(), &g["expected"]))
        .collect();
    assert_eq!(
        failed,
        [
            ("ladder.3.next_share", &serde_json::json!(0.0)),
            ("ladder.4.customers", &serde_json::json!(0.0)),
            ("ladder.4.next_share", &serde_json::Value::Null),
        ]
    );
}

#[test]
fn a_gates_file() {
    let w = Workdir::new();
    w.run(&["summary", &orders(), "-f", "json", "-o", "base.json"])
        .ok();
    w.write(
        "gates.toml",
        "baseline = \"base.json\"\ntolerance = 0.02\n\n[min]\nrepeat_purchase_rate = 0.5\n\n[max]\n\"time_to_second.median\" = 45\n",
    );
    let out = w.run(&["check", &orders(), "--config", "gates.toml"]);
    assert_mentions(out.ok(), &["38 of 38 gates pass", "≥ 0.5", "≤ 45", "± 2%"]);
    w.write(
        "bad.toml",
        "[min]\nrepeat_purchase_rate = 0.5\n[minimum]\ncustomers = 1\n",
    );
    let err = w
        .run(&["check", &orders(), "--config", "bad.toml"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["bad.toml, line 3", "minimum"]);
}

#[test]
fn bad_usage_exits_2() {
    let w = Workdir::new();
    let err = w
        .run(&["check", &orders(), "--min", "repeat_rate=0.2"])
        .bad_input()
        .to_string();
    assert_mentions(
        &err,
        &[
            "unknown key \"repeat_rate\"",
            "repeat_purchase_rate",
            "time_to_second.median",
            "ladder.2.next_share",
        ],
    );
    let err = w.run(&["check", &orders()]).bad_input().to_string();
    assert_mentions(&err, &["no gates", "--min KEY=NUMBER"]);
    // The keys are checked before the input is read: the missing file is not reached.
    let err = w
        .run(&["check", "missing.csv", "--min", "no_such_key=1"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["unknown key \"no_such_key\""]);
    let err = w
        .run(&["check", &orders(), "--max", "customers=lots"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["\"lots\" is not a number"]);
    let err = w
        .run(&["check", &orders(), "--baseline", "missing.json"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["missing.json", "--baseline"]);
}
