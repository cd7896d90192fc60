//! `rebuy cycles`: exact output on the fixture, the generator's true cycles recovered,
//! and the errors of its flags.

use crate::common::{assert_mentions, fixture, Workdir};

fn orders() -> String {
    fixture("orders.csv").to_str().unwrap().to_string()
}

#[test]
fn the_fixture_byte_for_byte() {
    // COF-1KG: C001 on 01-05, 02-04, 03-05, 04-04 and C004 on 02-15, 03-16: four gaps
    // of 30 days; triggers 22.5 → 23, 30, 37.5 → 38. The others have one interval
    // (SKN-50: C002 01-10 to 03-10; SMP-01: C008 02-10 to 04-08; SOAP-3: C006 03-01 to
    // 04-10) or none; TEA-200's refund and MUG-01's free order are no purchases.
    let w = Workdir::new();
    let out = w.run(&["cycles", &orders(), "--min-intervals", "1", "-f", "csv"]);
    assert_eq!(
        out.ok(),
        "\
product,customers,intervals,mean,sd,median,p25,p75,remind,nudge,offer,status
COF-1KG,2,4,30,0,30,30,30,23,30,38,ok
SKN-50,1,1,60,,60,60,60,45,60,75,ok
SMP-01,1,1,58,,58,58,58,44,58,73,ok
SOAP-3,1,1,40,,40,40,40,30,40,50,ok
BEAN-250,0,0,,,,,,,,,insufficient_data
GRN-1,0,0,,,,,,,,,insufficient_data
MUG-01,0,0,,,,,,,,,insufficient_data
SKN-SER,0,0,,,,,,,,,insufficient_data
TEA-200,0,0,,,,,,,,,insufficient_data
"
    );
    // No name column in this export: no name column in the output.
    assert!(!out.ok().contains("name"));
    // With the default minimum of 10 intervals nothing has triggers.
    let out = w.run(&["cycles", &orders(), "-f", "csv"]);
    assert!(out
        .ok()
        .lines()
        .skip(1)
        .all(|l| l.ends_with(",,,insufficient_data")));
}

#[test]
fn recovers_the_true_cycles_of_generated_data() {
    let w = Workdir::new();
    w.run(&[
        "generate",
        "--customers",
        "20000",
        "--seed",
        "3",
        "-o",
        "orders.csv",
        "--truth",
        "truth.json",
    ])
    .ok();
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.path("truth.json")).unwrap()).unwrap();
    let cycles: serde_json::Value =
        serde_json::from_str(w.run(&["cycles", "orders.csv", "-f", "json"]).ok()).unwrap();
    let products = truth["products"].as_array().unwrap();
    let measured = cycles["cycles"].as_array().unwrap();
    // The ten products with the most intervals: their mean is within 2 days of the
    // cycle the generator drew from.
    for c in &measured[..10] {
        let sku = c["product"].as_str().unwrap();
        let product = products.iter().find(|p| p["sku"] == sku).unwrap();
        let true_mean = product["cycle_mean_days"].as_f64().unwrap();
        // The export's product_name column gives each id its name.
        assert_eq!(c["name"], product["name"]);
        let mean = c["mean"].as_f64().unwrap();
        assert!(
            (mean - true_mean).abs() <= 2.0,
            "{sku}: measured {mean}, true {true_mean}"
        );
        assert!(c["intervals"].as_u64().unwrap() > 200);
    }
}

#[test]
fn errors_say_what_to_do() {
    let w = Workdir::new();
    w.write(
        "no-products.csv",
        "customer_id,order_date,amount\nA,2024-01-01,5\n",
    );
    let err = w
        .run(&["cycles", "no-products.csv"])
        .bad_input()
        .to_string();
    assert_mentions(
        &err,
        &[
            "no-products.csv",
            "no product column",
            "--map product=COLUMN",
            "customer_id, order_date, amount",
        ],
    );
    let err = w
        .run(&["cycles", &orders(), "--triggers", "1.25,1,0.75"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["--triggers", "increasing"]);
    let help = w.run(&["cycles", "--help"]).ok().to_string();
    assert_mentions(
        &help,
        &["rebuy cycles orders.csv --by category", "insufficient_data"],
    );
}
