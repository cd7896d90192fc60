//! `rebuy tiers`, `rebuy dormant` and `summary --vertical`: figures worked out by hand on
//! a small file, the properties they must have on any input, and the usage errors.

use proptest::prelude::*;
use serde_json::Value;

use crate::common::{assert_mentions, Workdir};

/// As of 2024-12-31. A buys on the 10th of January to May (20 each; beans, and beans
/// and cups last), B on June 1 (30) and December 20 (40), C once on March 1 (500,
/// a grinder), D once on September 15 (10, cups).
const ORDERS: &str = "\
customer_id,order_id,order_date,sku,amount
A,1,2024-01-10,beans,20
A,2,2024-02-10,beans,20
C,3,2024-03-01,grinder,500
A,4,2024-03-10,beans,20
A,5,2024-04-10,beans,20
A,6,2024-05-10,beans,12
A,6,2024-05-10,cups,8
B,7,2024-06-01,beans,30
D,8,2024-09-15,cups,10
B,9,2024-12-20,beans,40
";

fn run_csv(w: &Workdir, args: &[&str]) -> String {
    let orders = w.write("orders.csv", ORDERS);
    let mut all = vec![args[0], orders.to_str().unwrap()];
    all.extend_from_slice(&args[1..]);
    all.extend_from_slice(&["--as-of", "2024-12-31", "-f", "csv"]);
    w.run(&all).ok().to_string()
}

#[test]
fn tiers_worked_by_hand() {
    let w = Workdir::new();
    // A: 5 occasions (Gold), B: 2 (Silver), C and D: 1 (Bronze). Revenue 680 in all.
    // Platinum: the top 5% of 4 customers is 1, C's 500: no Gold customer has it.
    // Mean days between: B 202 (June 1 to December 20), A 121 / 4.
    // Reached next: Bronze 4 → Silver 2; Silver 2 → Gold 1; Gold 1 → Platinum 0.
    assert_eq!(
        run_csv(&w, &["tiers"]),
        "tier,customers,share,revenue,revenue_share,mean_occasions,mean_days_between,reached_next\n\
         Bronze,2,0.5,510,0.75,1,,0.5\n\
         Silver,1,0.25,70,0.10294117647058823,2,202,0.5\n\
         Gold,1,0.25,100,0.14705882352941177,5,30.25,0\n\
         Platinum,0,0,0,0,,,\n"
    );
    // On April 1 A had 3 occasions (Silver), C 1; B and D were not customers yet.
    let orders = w.write("orders.csv", ORDERS);
    let moves: Value = serde_json::from_str(
        w.run(&[
            "tiers",
            orders.to_str().unwrap(),
            "--since",
            "2024-04-01",
            "--as-of",
            "2024-12-31",
            "-f",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    let moves: Vec<(String, String, u64)> = moves["moves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["from"].as_str().unwrap().to_string(),
                m["to"].as_str().unwrap().to_string(),
                m["customers"].as_u64().unwrap(),
            )
        })
        .collect();
    let m = |from: &str, to: &str, n: u64| (from.to_string(), to.to_string(), n);
    assert_eq!(
        moves,
        [
            m("Bronze", "Bronze", 1),
            m("Silver", "Gold", 1),
            m("(new)", "Bronze", 1),
            m("(new)", "Silver", 1),
        ]
    );
    // The list for a loyalty platform: what each still needs for the next tier.
    assert_eq!(
        run_csv(&w, &["tiers", "--customers"]),
        "customer_id,tier,occasions,revenue,to_next\n\
         A,Gold,5,100,\n\
         B,Silver,2,70,3\n\
         C,Bronze,1,500,1\n\
         D,Bronze,1,10,1\n"
    );
    // By revenue, with Platinum at the top 25% (C, the one Gold customer).
    assert_eq!(
        run_csv(
            &w,
            &[
                "tiers",
                "--customers",
                "--by",
                "revenue",
                "--tiers",
                "Bronze=0,Silver=50,Gold=200",
                "--platinum-top",
                "25"
            ]
        ),
        "customer_id,tier,occasions,revenue,to_next\n\
         A,Silver,5,100,100\n\
         B,Silver,2,70,130\n\
         C,Platinum,1,500,\n\
         D,Bronze,1,10,40\n"
    );
}

#[test]
fn dormant_worked_by_hand() {
    let w = Workdir::new();
    // Days since the last purchase: A 235 (May 10), B 11, C 305, D 107. A's gaps 31,
    // 29, 31, 30: usual gap 30.5.
    assert_eq!(
        run_csv(&w, &["dormant"]),
        "customer_id,last_purchase,days_since,band,occasions,revenue,usual_gap,last_products\n\
         C,2024-03-01,305,180+,1,500,,grinder\n\
         A,2024-05-10,235,180+,5,100,30.5,beans;cups\n\
         D,2024-09-15,107,90+,1,10,,cups\n"
    );
    assert_eq!(
        run_csv(&w, &["dormant", "--summary"]),
        "band,customers,share,revenue,revenue_share\n\
         90+,1,0.25,10,0.014705882352941176\n\
         180+,2,0.5,600,0.8823529411764706\n\
         365+,0,0,0,0\n\
         all dormant,3,0.75,610,0.8970588235294118\n"
    );
    // Against their own rhythm: A is 235 days quiet with a usual gap of 30.5; B 11
    // days with 202. One-time buyers have no rhythm.
    assert_eq!(
        run_csv(&w, &["dormant", "--relative"])
            .lines()
            .skip(1)
            .collect::<Vec<_>>(),
        ["A,2024-05-10,235,180+,5,100,30.5,beans;cups"]
    );
    // Dormant at a month's start: more than 90 days quiet on its eve. C from June
    // (May 31 is 91 days after March 1), A and B from September (August 31); B is
    // back in December.
    assert_eq!(
        run_csv(&w, &["dormant", "--rate"]),
        "period,dormant_at_start,reactivated,reactivation_rate,complete\n\
         2024-01,0,0,,true\n\
         2024-02,0,0,,true\n\
         2024-03,0,0,,true\n\
         2024-04,0,0,,true\n\
         2024-05,0,0,,true\n\
         2024-06,1,0,0,true\n\
         2024-07,1,0,0,true\n\
         2024-08,1,0,0,true\n\
         2024-09,3,0,0,true\n\
         2024-10,3,0,0,true\n\
         2024-11,3,0,0,true\n\
         2024-12,3,1,0.3333333333333333,true\n"
    );
}

#[test]
fn summary_against_a_vertical() {
    let w = Workdir::new();
    let orders = w.write("orders.csv", ORDERS);
    let orders = orders.to_str().unwrap();
    // 2 of 4 customers came back: 50%, above fashion's target of 15–25%.
    let s: Value = serde_json::from_str(
        w.run(&["summary", orders, "--vertical", "Fashion", "-f", "json"])
            .ok(),
    )
    .unwrap();
    assert_eq!(s["benchmark"]["vertical"], "fashion");
    assert_eq!(s["benchmark"]["position"], "above_target");
    assert_eq!(s["benchmark"]["target_high"], 0.25);
    let table = w.run(&["summary", orders, "--vertical", "beauty"]);
    assert_mentions(
        table.ok(),
        &["against consumables shops: above target", "30–40%", "50.0%"],
    );
}

#[test]
fn usage_errors_come_before_the_input_is_read() {
    let w = Workdir::new();
    // The file does not exist: a flag's error is found first all the same.
    for (args, words) in [
        (
            vec!["tiers", "missing.csv", "--tiers", "Gold=5,Silver=2"],
            vec!["--tiers", "Silver must need more than Gold"],
        ),
        (
            vec!["tiers", "missing.csv", "--by", "revenue"],
            vec!["--by revenue needs money thresholds"],
        ),
        (
            vec!["dormant", "missing.csv", "--bands", "180,90"],
            vec!["--bands", "ascending"],
        ),
        (
            vec!["dormant", "missing.csv", "--relative", "0"],
            vec!["--relative 0"],
        ),
        (
            vec!["summary", "missing.csv", "--vertical", "toys"],
            vec!["--vertical \"toys\"", "consumables, fashion, durables"],
        ),
    ] {
        let run = w.run(&args);
        assert_eq!(run.code, Some(2), "{args:?}");
        assert_mentions(&run.stderr, &words);
    }
    let orders = w.write("orders.csv", ORDERS);
    let run = w.run(&["tiers", orders.to_str().unwrap(), "--since", "2025-01-01"]);
    assert_mentions(run.bad_input(), &["--since 2025-01-01", "not before as-of"]);
}

#[derive(Clone, Debug)]
struct Order {
    customer: u8,
    day: u16,
    cents: u32,
}

fn order() -> impl Strategy<Value = Order> {
    (0u8..12, 0u16..700, 1u32..20000).prop_map(|(customer, day, cents)| Order {
        customer,
        day,
        cents,
    })
}

fn csv(orders: &[Order]) -> String {
    let mut text = String::from("customer_id,order_date,amount\n");
    for o in orders {
        let date = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()
            + chrono::Days::new(u64::from(o.day));
        text += &format!(
            "C{},{date},{}.{:02}\n",
            o.customer,
            o.cents / 100,
            o.cents % 100
        );
    }
    text
}

/// The customer ids of a dormant list in csv.
fn listed(csv: &str) -> std::collections::BTreeSet<String> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn tiers_partition_the_customers_and_dormant_lists_nest(
        orders in prop::collection::vec(order(), 1..50),
        platinum in 0u8..40,
        shorter in 0u16..300,
        longer in 1u16..300,
    ) {
        let w = Workdir::new();
        let file = w.write("orders.csv", csv(&orders));
        let file = file.to_str().unwrap();
        let summary: Value = serde_json::from_str(w.run(&["summary", file, "-f", "json"]).ok()).unwrap();
        let platinum = platinum.to_string();
        let t: Value = serde_json::from_str(
            w.run(&["tiers", file, "--platinum-top", &platinum, "-f", "json"]).ok(),
        ).unwrap();
        let tiers = t["tiers"].as_array().unwrap();
        let customers: u64 = tiers.iter().map(|r| r["customers"].as_u64().unwrap()).sum();
        prop_assert_eq!(customers, summary["customers"].as_u64().unwrap());
        let list = w.run(&["tiers", file, "--platinum-top", &platinum, "--customers", "-f", "csv"]);
        prop_assert_eq!(list.ok().lines().count() as u64, customers + 1);

        // More days quiet asked for: a subset of the customers.
        let (d1, d2) = (shorter.to_string(), (shorter + longer).to_string());
        let wide = listed(w.run(&["dormant", file, "--after", &d1, "-f", "csv"]).ok());
        let narrow = listed(w.run(&["dormant", file, "--after", &d2, "-f", "csv"]).ok());
        prop_assert!(narrow.is_subset(&wide), "{narrow:?} not in {wide:?}");
    }
}
