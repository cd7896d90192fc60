//! `--by` on summary, cohorts and rfm, `rebuy trend` and `rebuy next`: hand-worked
//! figures on small files, the properties the groups must have on any input, and the
//! errors.

use proptest::prelude::*;
use serde_json::Value;

use crate::common::{assert_mentions, Workdir};

/// `fixtures/first_orders.csv` (its README tells the story): A's first day has DE and
/// US at 09:00 and FR at 10:00; B's first order has no country, then DE; C buys FR
/// twice, 31 days apart; D once.
fn orders() -> String {
    std::fs::read_to_string(crate::common::fixture("first_orders.csv")).unwrap()
}

fn json(w: &Workdir, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(w.run(&all).ok()).unwrap()
}

/// (group, customers, repeat_customers) of `summary --by`.
fn groups(summary: &Value) -> Vec<(String, u64, u64)> {
    summary["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_string(),
                g["customers"].as_u64().unwrap(),
                g["repeat_customers"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn group(name: &str, customers: u64, repeat: u64) -> (String, u64, u64) {
    (name.to_string(), customers, repeat)
}

#[test]
fn summary_by_a_column_takes_the_first_orders_value() {
    let w = Workdir::new();
    let orders = w.write("orders.csv", orders());
    let orders = orders.to_str().unwrap();
    let s = json(&w, &["summary", orders, "--by", "country"]);
    assert_eq!(
        (s["by"].as_str(), s["overlapping"].as_bool()),
        (Some("country"), Some(false))
    );
    // A's first occasion shows FR, US and DE: DE (the 09:00 order, the smaller of two).
    // Only B (none) and C (FR) come back.
    assert_eq!(
        groups(&s),
        [group("DE", 2, 0), group("(none)", 1, 1), group("FR", 1, 1)]
    );
    assert_eq!(s["all"]["customers"], 4);
    assert_eq!(s["groups"][0]["revenue"], 120.0);
    // Top 1: the rest together.
    let top = json(&w, &["summary", orders, "--by", "country", "--top", "1"]);
    assert_eq!(groups(&top), [group("DE", 2, 0), group("(other)", 2, 2)]);
    // The csv: group, key, value, the whole file as (all).
    let csv = w.run(&["summary", orders, "--by", "country", "-f", "csv"]);
    assert!(csv
        .ok()
        .starts_with("group,key,value\n(all),customers,4\n(all),occasions,6\n"));
    assert!(csv
        .ok()
        .contains("\nDE,orders,3\nDE,revenue,120.0\nDE,repeat_customers,0\n"));
    assert!(csv.ok().contains("\nFR,repeat_purchase_rate,1.0\n"));
}

#[test]
fn summary_by_first_product_counts_a_customer_in_each() {
    let w = Workdir::new();
    let orders = w.write("orders.csv", orders());
    let s = json(
        &w,
        &["summary", orders.to_str().unwrap(), "--by", "first-product"],
    );
    assert_eq!(s["overlapping"], true);
    // A bought beans and grinder on their first day; of A, C and D only C came back.
    assert_eq!(
        groups(&s),
        [
            group("beans", 2, 1),
            group("grinder", 2, 0),
            group("cups", 1, 1)
        ]
    );
    let table = w.run(&["summary", orders.to_str().unwrap(), "--by", "first-product"]);
    assert_mentions(table.ok(), &["the groups overlap", "(all)", "beans"]);
}

#[test]
fn cohorts_and_rfm_by_a_column() {
    let w = Workdir::new();
    let orders = w.write("orders.csv", orders());
    let orders = orders.to_str().unwrap();
    let csv = w.run(&["cohorts", orders, "--by", "country", "-f", "csv"]);
    let lines: Vec<&str> = csv.ok().lines().collect();
    assert_eq!(
        lines[0],
        "group,cohort,period_offset,cohort_size,active_customers,retention_rate,cumulative_revenue_per_customer,complete"
    );
    // DE: A and D, both of January; A again only in January.
    assert_eq!(lines[1], "DE,2024-01,0,2,2,1,60,true");
    // FR: C, back in February.
    assert!(csv.ok().contains("\nFR,2024-01,1,1,1,1,15,false\n"));
    let rfm = w.run(&["rfm", orders, "--by", "country", "-f", "csv"]);
    let lines: Vec<&str> = rfm.ok().lines().collect();
    assert!(lines[0].starts_with("group,segment,customers,share,"));
    // Six segments per group, three groups.
    assert_eq!(lines.len(), 1 + 6 * 3);
    let customers: u64 = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(2).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(customers, 4);
    let both = w.run(&["rfm", orders, "--by", "country", "--customers"]);
    assert_mentions(both.bad_input(), &["--by", "--customers"]);
}

#[test]
fn by_errors_say_what_to_do() {
    let w = Workdir::new();
    let orders = w.write("orders.csv", orders());
    let orders = orders.to_str().unwrap();
    let run = w.run(&["summary", orders, "--by", "channel"]);
    assert_mentions(
        run.bad_input(),
        &["--by channel", "no column", "\"country\""],
    );
    let run = w.run(&["summary", orders, "--top", "3"]);
    assert_eq!(run.code, Some(2));
    assert_mentions(&run.stderr, &["--by"]);
    let no_products = w.write("plain.csv", "customer_id,order_date\nA,2024-01-01\n");
    let run = w.run(&[
        "summary",
        no_products.to_str().unwrap(),
        "--by",
        "first-product",
    ]);
    assert_mentions(
        run.bad_input(),
        &["no product column", "--map product=COLUMN"],
    );
}

#[test]
fn trend_by_month_on_a_small_file() {
    let w = Workdir::new();
    let orders = w.write("orders.csv", orders());
    let csv = w.run(&[
        "trend",
        orders.to_str().unwrap(),
        "-f",
        "csv",
        "--as-of",
        "2024-02-10",
    ]);
    assert_eq!(
        csv.ok(),
        "period,active_customers,new_customers,returning_customers,reactivated_customers,occasions,revenue,returning_revenue_share,repeat_purchase_rate_to_date,median_days_since_previous,complete\n\
         2024-01,4,4,0,0,5,145,0,0.25,,true\n\
         2024-02,1,0,1,0,1,5,1,0.5,31,false\n"
    );
    let table = w.run(&["trend", orders.to_str().unwrap(), "--as-of", "2024-02-10"]);
    assert_mentions(
        table.ok(),
        &["2024-02*", "████████████████████", "not over on as-of"],
    );
}

#[test]
fn next_on_a_small_file() {
    let w = Workdir::new();
    let orders = w.write("orders.csv", orders());
    let csv = w.run(&["next", orders.to_str().unwrap(), "-f", "csv"]);
    // A: beans + grinder, then nothing on a 2nd day; B: cups → beans (3 days);
    // C: beans → cups (31 days).
    assert_eq!(
        csv.ok(),
        "first,next,customers,share_of_first,median_days\n\
         beans,cups,1,1,31\n\
         cups,beans,1,1,3\n"
    );
    // Where the export names its products, the names follow the ids.
    let generated = crate::common::fixture("generated.csv");
    let named = w.run(&[
        "next",
        generated.to_str().unwrap(),
        "-f",
        "csv",
        "--top",
        "1",
    ]);
    let mut lines = named.ok().lines();
    assert_eq!(
        lines.next(),
        Some("first,next,customers,share_of_first,median_days,first_name,next_name")
    );
    assert_eq!(
        lines.next(),
        Some("APP-001,TEA-003,1,1,46,Classic T-Shirt,Classic Herbal Infusion")
    );
    let plain = w.write("plain.csv", "customer_id,order_date\nA,2024-01-01\n");
    let run = w.run(&["next", plain.to_str().unwrap()]);
    assert_mentions(
        run.bad_input(),
        &["no product column", "next purchases are per product"],
    );
}

#[derive(Clone, Debug)]
struct Line {
    customer: u8,
    order: u8,
    day: u16,
    country: u8,
    cents: u32,
}

fn line() -> impl Strategy<Value = Line> {
    (0u8..10, 0u8..6, 0u16..400, 0u8..4, 1u32..5000).prop_map(
        |(customer, order, day, country, cents)| Line {
            customer,
            order,
            day,
            country,
            cents,
        },
    )
}

fn csv(lines: &[Line], constant: bool) -> String {
    let mut text = String::from("customer_id,order_id,order_date,country,amount\n");
    for l in lines {
        let date = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()
            + chrono::Days::new(u64::from(l.day));
        let country = match (constant, l.country) {
            (true, _) => "SE",
            (_, 0) => "",
            (_, 1) => "DE",
            (_, 2) => "FR",
            _ => "NL",
        };
        text += &format!(
            "C{},O{}-{},{date},{country},{}.{:02}\n",
            l.customer,
            l.customer,
            l.order,
            l.cents / 100,
            l.cents % 100
        );
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn groups_partition_the_customers_and_a_constant_column_is_the_whole(
        lines in prop::collection::vec(line(), 1..60),
        top in 1usize..5,
    ) {
        let w = Workdir::new();
        let file = w.write("orders.csv", csv(&lines, false));
        let file = file.to_str().unwrap();
        let top = top.to_string();
        let s = json(&w, &["summary", file, "--by", "country", "--top", &top]);
        let sum = |key: &str| -> u64 {
            s["groups"].as_array().unwrap().iter().map(|g| g[key].as_u64().unwrap()).sum()
        };
        prop_assert_eq!(sum("customers"), s["all"]["customers"].as_u64().unwrap());
        prop_assert_eq!(sum("repeat_customers"), s["all"]["repeat_customers"].as_u64().unwrap());
        prop_assert_eq!(sum("occasions"), s["all"]["occasions"].as_u64().unwrap());

        // new_customers over all periods: every customer once.
        let t = json(&w, &["trend", file]);
        let new: u64 = t["periods"].as_array().unwrap().iter().map(|p| p["new_customers"].as_u64().unwrap()).sum();
        prop_assert_eq!(new, s["all"]["customers"].as_u64().unwrap());
        let last = t["periods"].as_array().unwrap().last().unwrap();
        prop_assert_eq!(&last["repeat_purchase_rate_to_date"], &s["all"]["repeat_purchase_rate"]);

        // A constant column: one group, the plain summary.
        let constant = w.write("constant.csv", csv(&lines, true));
        let constant = constant.to_str().unwrap();
        let by = json(&w, &["summary", constant, "--by", "country"]);
        let mut plain = json(&w, &["summary", constant]);
        prop_assert_eq!(&by["all"], &plain);
        let group = by["groups"][0].as_object().unwrap().clone();
        prop_assert_eq!(by["groups"].as_array().unwrap().len(), 1);
        prop_assert_eq!(group["group"].as_str(), Some("SE"));
        let plain = plain.as_object_mut().unwrap();
        plain.shift_remove("as_of");
        plain.shift_remove("dropped");
        let mut keys = group.clone();
        keys.shift_remove("group");
        prop_assert_eq!(&keys, &*plain);
    }
}
