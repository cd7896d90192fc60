//! `rebuy rfm`: the segment table and grid as people see them, the customer list byte
//! for byte, custom rule files and their errors.

use crate::common::{assert_mentions, fixture, Workdir};

fn orders() -> String {
    fixture("orders.csv").to_str().unwrap().to_string()
}

/// Every customer of fixtures/orders.csv, worked out in src/metrics/rfm.rs.
const CUSTOMERS_CSV: &str = "\
customer_id,recency_days,frequency,monetary,r,f,m,rfm,segment
C001,6,4,118,3,5,4,354,Loyal Customers
C002,31,2,105,2,2,4,224,Need Attention
C003,81,1,20,1,1,1,111,Lost Customers
C004,25,3,200,2,4,5,245,At Risk
C005,50,1,30,1,1,2,112,Lost Customers
C006,0,2,24,5,2,2,522,Potential Loyalists
C007,5,1,18,4,1,1,411,Potential Loyalists
C008,2,2,40,4,2,3,423,Potential Loyalists
";

#[test]
fn customers_csv_byte_for_byte() {
    let w = Workdir::new();
    let run = w.run(&["rfm", &orders(), "--customers", "-o", "customers.csv"]);
    assert_eq!(run.ok(), "");
    assert_eq!(
        std::fs::read_to_string(w.path("customers.csv")).unwrap(),
        CUSTOMERS_CSV
    );
}

#[test]
fn one_segment_for_a_campaign() {
    let w = Workdir::new();
    let out = w.run(&[
        "rfm",
        &orders(),
        "--segment",
        "potential loyalists",
        "-f",
        "csv",
    ]);
    let expected: Vec<&str> = CUSTOMERS_CSV
        .lines()
        .filter(|l| l.starts_with("customer_id") || l.ends_with("Potential Loyalists"))
        .collect();
    assert_eq!(out.ok(), expected.join("\n") + "\n");
}

#[test]
fn segment_views() {
    let w = Workdir::new();
    insta::assert_snapshot!("segments", w.run(&["rfm", &orders()]).ok());
    insta::assert_snapshot!("segments_csv", w.run(&["rfm", &orders(), "-f", "csv"]).ok());
    insta::assert_snapshot!(
        "segments_json",
        w.run(&["rfm", &orders(), "-f", "json"]).ok()
    );
    insta::assert_snapshot!(
        "generated_segments",
        w.run(&["rfm", &fixture("generated.csv").to_string_lossy()])
            .ok()
    );
}

#[test]
fn customers_json_lists_every_customer_with_as_of_and_dropped() {
    let w = Workdir::new();
    let out = w.run(&["rfm", &orders(), "--customers", "-f", "json"]);
    let json: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    let customers = json["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 8);
    assert_eq!(json["as_of"], "2024-04-10");
    assert_eq!(customers[3]["customer_id"], "C004");
    assert_eq!(customers[3]["rfm"], "245");
    assert_eq!(customers[3]["segment"], "At Risk");
    assert_eq!(json["dropped"]["non_purchase_orders"], 2);
}

#[test]
fn a_segments_file_replaces_the_table() {
    let w = Workdir::new();
    w.write(
        "segments.toml",
        "[[segment]]\nname = \"Recent\"\nr = \">=4\"\naction = \"thank them\"\n\n\
         [[segment]]\nname = \"Big spenders\"\nm = \"4-5\"\naction = \"VIP offer\"\n\n\
         [[segment]]\nname = \"Rest\"\n",
    );
    let out = w.run(&[
        "rfm",
        &orders(),
        "--segments-file",
        "segments.toml",
        "-f",
        "csv",
    ]);
    let firsts: Vec<String> = out
        .ok()
        .lines()
        .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        firsts,
        ["segment,customers", "Recent,3", "Big spenders,3", "Rest,2"]
    );
}

#[test]
fn rule_file_errors_name_the_line() {
    let w = Workdir::new();
    w.write(
        "bad.toml",
        "[[segment]]\nname = \"A\"\n\n[[segment]]\nname = \"B\"\nf = 7\n",
    );
    let err = w
        .run(&["rfm", &orders(), "--segments-file", "bad.toml"])
        .bad_input()
        .to_string();
    assert_mentions(
        &err,
        &[
            "bad.toml, line 6",
            "f = 7",
            "scores run from 1 to 5",
            "hint:",
        ],
    );
    let err = w
        .run(&["rfm", &orders(), "--segments-file", "missing.toml"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["missing.toml", "cannot read the segments file"]);
    let err = w
        .run(&["rfm", &orders(), "--segment", "Whales"])
        .bad_input()
        .to_string();
    assert_mentions(
        &err,
        &[
            "\"Whales\": no such segment",
            "\"At Risk\"",
            "\"Lost Customers\"",
        ],
    );
}

#[test]
fn help_shows_examples_rules_and_columns() {
    let help = Workdir::new().run(&["rfm", "--help"]).ok().to_string();
    assert_mentions(
        &help,
        &[
            "rebuy rfm orders.csv --segment \"At Risk\"",
            "Champions            R>=4 F>=4 M>=4",
            "[[segment]]",
            "customer_id, recency_days",
        ],
    );
}

#[test]
fn a_reader_that_stops_early_is_no_failure() {
    // `rebuy rfm --customers big.csv | head -1`: the pipe closes while rebuy writes.
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let w = Workdir::new();
    w.run(&["generate", "--customers", "30000", "-o", "big.csv"])
        .ok();
    let mut child = w
        .command(&["rfm", "big.csv", "--customers", "-f", "csv"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("customer_id,"));
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).as_ref()
        ),
        (Some(0), "")
    );
}

#[test]
fn customer_lists_are_csv_into_a_pipe() {
    // Regression: `rebuy rfm --customers FILE > list` built a table of every customer
    // (2M rows took 31 s and 6.5 GB); a list a tool imports is csv unless asked.
    let w = Workdir::new();
    let out = w.run(&["rfm", &orders(), "--customers"]).ok().to_string();
    assert!(
        out.starts_with("customer_id,recency_days,frequency,monetary,r,f,m,rfm,segment\n"),
        "{out}"
    );
    let champions = w
        .run(&["rfm", &orders(), "--segment", "champions"])
        .ok()
        .to_string();
    assert!(champions.starts_with("customer_id,"), "{champions}");
    // The segment table stays a table; a format asked for is kept.
    let table = w.run(&["rfm", &orders()]).ok().to_string();
    assert!(!table.starts_with("segment,"), "{table}");
    let json = w
        .run(&["rfm", &orders(), "--customers", "-f", "json"])
        .ok()
        .to_string();
    assert!(json.starts_with('{'), "{json}");
}
