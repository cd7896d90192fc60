//! `rebuy due`: the reminder list on the fixture, byte for byte, with exact days for
//! --fires-on, the stages, and csv when the output is not a terminal.

use crate::common::{assert_mentions, fixture, Workdir};

fn orders() -> String {
    fixture("orders.csv").to_str().unwrap().to_string()
}

const HEADER: &str =
    "customer_id,product,last_purchase,days_since,remind_on,nudge_on,offer_on,stage\n";

/// `rebuy due` on the fixture with cycles from a single interval (the fixture is
/// small), plus `extra`; returns stdout.
fn due(w: &Workdir, extra: &[&str]) -> String {
    let orders = orders();
    let mut args = vec!["due", orders.as_str(), "--min-intervals", "1"];
    args.extend_from_slice(extra);
    w.run(&args).ok().to_string()
}

#[test]
fn every_pair_with_triggers_and_its_stage() {
    // Cycles (see tests/cli/cycles.rs): COF-1KG 30 days (23, 30, 38), SKN-50 60
    // (45, 60, 75), SMP-01 58 (44, 58, 73), SOAP-3 40 (30, 40, 50). As of 2024-04-10.
    // C004's last COF-1KG was 03-16: 25 days, past remind (04-08), before nudge.
    let w = Workdir::new();
    assert_eq!(
        due(&w, &["--stage", "all"]),
        format!(
            "{HEADER}\
C001,COF-1KG,2024-04-04,6,2024-04-27,2024-05-04,2024-05-12,none
C002,SKN-50,2024-03-10,31,2024-04-24,2024-05-09,2024-05-24,none
C004,COF-1KG,2024-03-16,25,2024-04-08,2024-04-15,2024-04-23,remind
C006,SOAP-3,2024-04-10,0,2024-05-10,2024-05-20,2024-05-30,none
C008,SMP-01,2024-04-08,2,2024-05-22,2024-06-05,2024-06-20,none
"
        )
    );
    // By default only the stages a message goes out for, and csv into a pipe.
    assert_eq!(
        due(&w, &[]),
        format!("{HEADER}C004,COF-1KG,2024-03-16,25,2024-04-08,2024-04-15,2024-04-23,remind\n")
    );
}

#[test]
fn fires_on_picks_exact_days_only() {
    let w = Workdir::new();
    // 04-15 is C004's nudge day; days_since counts to that day.
    assert_eq!(
        due(&w, &["--fires-on", "2024-04-15"]),
        format!("{HEADER}C004,COF-1KG,2024-03-16,30,2024-04-08,2024-04-15,2024-04-23,nudge\n")
    );
    // 04-24: C002's remind day (C004's offer was the day before).
    assert_eq!(
        due(&w, &["--fires-on", "2024-04-24"]),
        format!("{HEADER}C002,SKN-50,2024-03-10,45,2024-04-24,2024-05-09,2024-05-24,remind\n")
    );
    // A day between triggers: nobody, and still a file a tool can import.
    assert_eq!(due(&w, &["--fires-on", "2024-04-16"]), HEADER);
    // today is accepted (the fixture is old: nothing fires).
    assert_eq!(due(&w, &["--fires-on", "today"]), HEADER);
}

#[test]
fn lapsed_begins_after_offer_plus_its_distance_from_nudge() {
    // COF-1KG: offer 38, nudge 30, so lapsed from day 47: C004 (03-16) on 05-02.
    let w = Workdir::new();
    let stage_on = |as_of: &str| -> String {
        let out = due(&w, &["--as-of", as_of, "--stage", "all"]);
        out.lines()
            .find(|l| l.starts_with("C004,COF-1KG"))
            .unwrap()
            .rsplit(',')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(stage_on("2024-04-23"), "offer");
    assert_eq!(stage_on("2024-05-01"), "offer");
    assert_eq!(stage_on("2024-05-02"), "lapsed");
    // On 06-30 all but C008 have lapsed: its SMP-01 (04-08, 83 days) has offer 73
    // and nudge 58, so it lapses only after day 88.
    let lapsed = due(&w, &["--as-of", "2024-06-30", "--stage", "lapsed"]);
    let customers: Vec<&str> = lapsed.lines().skip(1).map(|l| &l[..4]).collect();
    assert_eq!(customers, ["C001", "C002", "C004", "C006"]);
}

#[test]
fn table_on_request_and_errors() {
    let w = Workdir::new();
    let table = due(&w, &["-f", "table"]);
    assert_mentions(
        &table,
        &["Reminders due, as of 2024-04-10", "C004", "remind"],
    );
    let err = w
        .run(&["due", &orders(), "--fires-on", "next monday"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["--fires-on", "YYYY-MM-DD", "today"]);
    let err = w
        .run(&["due", &orders(), "--stage", "soon"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["soon", "remind", "lapsed"]);
    let help = w.run(&["due", "--help"]).ok().to_string();
    assert_mentions(
        &help,
        &[
            "--fires-on today",
            "lapsed once days_since > offer + (offer - nudge)",
        ],
    );
}

#[test]
fn one_time_buyers_of_a_product_with_triggers_are_listed() {
    // X: A's two purchases ten days apart are its one interval (mean 10: remind 8,
    // nudge 10, offer 13). B bought X once, on 01-05: by 01-14 that is 9 days, past
    // remind. Both are on the list.
    let w = Workdir::new();
    w.write(
        "x.csv",
        "customer,order,date,sku,amount\nA,1,2024-01-01,X,5\nA,2,2024-01-11,X,5\nB,3,2024-01-05,X,5\n",
    );
    let out = w.run(&[
        "due",
        "x.csv",
        "--min-intervals",
        "1",
        "--as-of",
        "2024-01-14",
        "--stage",
        "all",
    ]);
    assert_eq!(
        out.ok(),
        format!(
            "{HEADER}\
A,X,2024-01-11,3,2024-01-19,2024-01-21,2024-01-24,none
B,X,2024-01-05,9,2024-01-13,2024-01-15,2024-01-18,remind
"
        )
    );
}

#[test]
fn by_category_reads_the_categories_that_by_product_leaves_out() {
    // Analyses by product skip the categories while reading; by category they are
    // read. Coffee: C001 every 30 days (3 intervals), C004 30 days: mean 30, triggers
    // 23, 30, 38. Skincare: C002 60 days (SKN-50 and SKN-SER on 01-10 are one day),
    // C006 40 days: mean 50, triggers 38, 50, 63. Samples: C008 58 days.
    let w = Workdir::new();
    assert_eq!(
        due(&w, &["--by", "category", "--stage", "all"]),
        format!(
            "{HEADER}\
C001,coffee,2024-04-04,6,2024-04-27,2024-05-04,2024-05-12,none
C002,skincare,2024-03-10,31,2024-04-17,2024-04-29,2024-05-12,none
C004,coffee,2024-03-16,25,2024-04-08,2024-04-15,2024-04-23,remind
C006,skincare,2024-04-10,0,2024-05-18,2024-05-30,2024-06-12,none
C008,samples,2024-04-08,2,2024-05-22,2024-06-05,2024-06-20,none
"
        )
    );
}

#[test]
fn a_name_stands_in_for_an_empty_product_id_though_due_keeps_no_names() {
    // Beans has no sku: its name is the product (§1 rule 7). C1 31 days, C2 30: mean
    // 30.5, triggers 23, 31 (30.5 rounds away from zero), 38. As of 02-20. The cup
    // has no interval, so no triggers.
    let w = Workdir::new();
    w.write(
        "names.csv",
        "order_id,customer_id,order_date,sku,product_name,line_total\n\
O1,C1,2024-01-01,,Beans,10\nO2,C1,2024-02-01,,Beans,10\n\
O3,C2,2024-01-05,,Beans,10\nO4,C2,2024-02-04,,Beans,10\nO5,C2,2024-02-20,X1,Cup,5\n",
    );
    let out = w.run(&["due", "names.csv", "--min-intervals", "1", "--stage", "all"]);
    assert_eq!(
        out.ok(),
        format!(
            "{HEADER}\
C1,Beans,2024-02-01,19,2024-02-24,2024-03-03,2024-03-10,none
C2,Beans,2024-02-04,16,2024-02-27,2024-03-06,2024-03-13,none
"
        )
    );
}
