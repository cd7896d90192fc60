//! Properties that hold on any input: row order and file boundaries change nothing,
//! rates lie in 0..1, and the counts agree with a plain-Rust model of contract §1.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::Value;

use crate::common::Workdir;

#[derive(Clone, Debug)]
struct Line {
    /// `None` is a guest row.
    customer: Option<u8>,
    order: u8,
    day: u16,
    hour: u8,
    /// Cents; `None` is an empty amount.
    cents: Option<i32>,
}

impl Line {
    fn to_csv(&self) -> String {
        let customer = self
            .customer
            .map(|c| format!("C{c:02}"))
            .unwrap_or_default();
        let date = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()
            + chrono::Days::new(u64::from(self.day));
        let amount = self.cents.map_or(String::new(), |c| {
            let sign = if c < 0 { "-" } else { "" };
            format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
        });
        format!(
            "{customer},O{},{date} {:02}:00,{amount}\n",
            self.order, self.hour
        )
    }
}

fn line() -> impl Strategy<Value = Line> {
    (
        prop_oneof![1 => Just(None), 8 => (0u8..8).prop_map(Some)],
        0u8..12,
        0u16..500,
        0u8..24,
        prop_oneof![1 => Just(None), 1 => (-3000i32..=0).prop_map(Some), 6 => (1i32..20000).prop_map(Some)],
    )
        .prop_map(|(customer, order, day, hour, cents)| Line {
            customer,
            order,
            day,
            hour,
            cents,
        })
}

const HEADER: &str = "customer_id,order_id,order_date,line_total\n";

fn csv(lines: &[Line]) -> String {
    std::iter::once(HEADER.to_string())
        .chain(lines.iter().map(Line::to_csv))
        .collect()
}

/// (exit code, stdout) of `rebuy summary --format json` on the given files.
fn summary(w: &Workdir, files: &[(&str, String)]) -> (Option<i32>, String) {
    let mut args = vec!["summary", "--format", "json"];
    for (name, text) in files {
        w.write(name, text);
        args.push(name);
    }
    let run = w.run(&args);
    (run.code, run.stdout)
}

/// Counts of contract §1 computed the plainest way.
struct Model {
    customers: usize,
    occasions: usize,
    orders: usize,
    revenue_cents: Option<i64>,
    repeat_customers: usize,
    non_purchase_orders: usize,
    guest_rows: usize,
}

/// (earliest (day, hour), known cents, any amount known) of a (customer, order).
type OrderModel = ((u16, u8), i64, bool);

fn model(lines: &[Line]) -> Model {
    let mut orders: BTreeMap<(u8, u8), OrderModel> = BTreeMap::new();
    for l in lines {
        let Some(customer) = l.customer else { continue };
        let entry = orders
            .entry((customer, l.order))
            .or_insert(((l.day, l.hour), 0, false));
        entry.0 = entry.0.min((l.day, l.hour));
        if let Some(c) = l.cents {
            entry.1 += i64::from(c);
            entry.2 = true;
        }
    }
    let purchases: Vec<_> = orders
        .iter()
        .filter(|(_, (_, cents, known))| !known || *cents > 0)
        .collect();
    // (customer, day) → (known cents, any known)
    let mut occasions: BTreeMap<(u8, u16), (i64, bool)> = BTreeMap::new();
    for ((customer, _), ((day, _), cents, known)) in &purchases {
        let entry = occasions.entry((*customer, *day)).or_insert((0, false));
        if *known {
            entry.0 += cents;
            entry.1 = true;
        }
    }
    let customers: BTreeSet<u8> = occasions.keys().map(|(c, _)| *c).collect();
    let repeat_customers = customers
        .iter()
        .filter(|c| occasions.keys().filter(|(o, _)| o == *c).count() >= 2)
        .count();
    let known: Vec<i64> = occasions
        .values()
        .filter(|(_, k)| *k)
        .map(|(c, _)| *c)
        .collect();
    Model {
        customers: customers.len(),
        occasions: occasions.len(),
        orders: purchases.len(),
        revenue_cents: (!known.is_empty()).then(|| known.iter().sum()),
        repeat_customers,
        non_purchase_orders: orders.len() - purchases.len(),
        guest_rows: lines.iter().filter(|l| l.customer.is_none()).count(),
    }
}

fn rates(json: &Value) -> Vec<f64> {
    let mut out = vec![json["repeat_purchase_rate"].clone()];
    out.extend(json["repeat_within"].as_object().unwrap().values().cloned());
    out.extend(
        json["ladder"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["next_share"].clone()),
    );
    out.push(json["repeat_revenue_share"].clone());
    out.push(json["top20_revenue_share"].clone());
    out.into_iter().filter_map(|v| v.as_f64()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn order_of_rows_and_files_changes_nothing(
        (lines, shuffled, cut) in prop::collection::vec(line(), 2..60)
            .prop_flat_map(|lines| {
                let n = lines.len();
                (Just(lines.clone()), Just(lines).prop_shuffle(), 1..n)
            })
    ) {
        let w = Workdir::new();
        let whole = summary(&w, &[("whole.csv", csv(&lines))]);
        let reordered = summary(&w, &[("shuffled.csv", csv(&shuffled))]);
        prop_assert_eq!(&whole, &reordered);
        let split = summary(&w, &[("a.csv", csv(&lines[..cut])), ("b.csv", csv(&lines[cut..]))]);
        prop_assert_eq!(&whole, &split);
    }

    #[test]
    fn counts_agree_with_a_plain_model_and_rates_lie_in_0_1(lines in prop::collection::vec(line(), 1..80)) {
        let w = Workdir::new();
        let (code, stdout) = summary(&w, &[("o.csv", csv(&lines))]);
        let m = model(&lines);
        if m.customers == 0 {
            prop_assert_eq!(code, Some(2), "no purchases is bad input");
            return Ok(());
        }
        prop_assert_eq!(code, Some(0));
        let json: Value = serde_json::from_str(&stdout).unwrap();
        prop_assert_eq!(json["customers"].as_u64(), Some(m.customers as u64));
        prop_assert_eq!(json["occasions"].as_u64(), Some(m.occasions as u64));
        prop_assert_eq!(json["orders"].as_u64(), Some(m.orders as u64));
        prop_assert_eq!(json["repeat_customers"].as_u64(), Some(m.repeat_customers as u64));
        prop_assert_eq!(json["dropped"]["guest_rows"].as_u64(), Some(m.guest_rows as u64));
        prop_assert_eq!(json["dropped"]["non_purchase_orders"].as_u64(), Some(m.non_purchase_orders as u64));
        let revenue = json["revenue"].as_f64().map(|r| (r * 100.0).round() as i64);
        prop_assert_eq!(revenue, m.revenue_cents);
        for rate in rates(&json) {
            prop_assert!((0.0..=1.0).contains(&rate), "rate {} outside 0..1", rate);
        }
    }
}

/// (exit code, stdout) of `rebuy cohorts --format json --period PERIOD` on one file.
fn cohorts(w: &Workdir, text: &str, period: &str) -> (Option<i32>, String) {
    w.write("o.csv", text);
    let run = w.run(&["cohorts", "o.csv", "--format", "json", "--period", period]);
    (run.code, run.stdout)
}

/// Active customers per (cohort, period) computed the plainest way: each customer's
/// distinct occasion days, as months since 2023-01.
fn monthly_model(lines: &[Line]) -> BTreeMap<(u32, u32), u64> {
    let month = |day: u16| {
        let date = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()
            + chrono::Days::new(u64::from(day));
        use chrono::Datelike;
        (date.year() as u32 - 2023) * 12 + date.month0()
    };
    let m = model_occasions(lines);
    let mut first: BTreeMap<u8, u32> = BTreeMap::new();
    for &(customer, day) in &m {
        let f = first.entry(customer).or_insert(u32::MAX);
        *f = (*f).min(month(day));
    }
    let pairs: BTreeSet<(u8, u32)> = m.iter().map(|&(c, d)| (c, month(d))).collect();
    let mut active = BTreeMap::new();
    for (customer, period) in pairs {
        *active.entry((first[&customer], period)).or_insert(0) += 1;
    }
    active
}

/// The (customer, day) of every purchase occasion, as the plain model finds them.
fn model_occasions(lines: &[Line]) -> BTreeSet<(u8, u16)> {
    let mut orders: BTreeMap<(u8, u8), (u16, i64, bool)> = BTreeMap::new();
    for l in lines {
        let Some(customer) = l.customer else { continue };
        let entry = orders
            .entry((customer, l.order))
            .or_insert((l.day, 0, false));
        // The order's day is that of its earliest line (hours never cross a day).
        entry.0 = entry.0.min(l.day);
        if let Some(c) = l.cents {
            entry.1 += i64::from(c);
            entry.2 = true;
        }
    }
    orders
        .iter()
        .filter(|(_, (_, cents, known))| !known || *cents > 0)
        .map(|((customer, _), (day, _, _))| (*customer, *day))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 30, ..ProptestConfig::default() })]

    #[test]
    fn cohorts_add_up_to_the_customers_and_start_at_one(
        lines in prop::collection::vec(line(), 1..80),
        period in prop_oneof![Just("week"), Just("month"), Just("quarter"), Just("year")],
    ) {
        let w = Workdir::new();
        let (code, stdout) = cohorts(&w, &csv(&lines), period);
        let (_, summary_out) = summary(&w, &[("o.csv", csv(&lines))]);
        if model(&lines).customers == 0 {
            prop_assert_eq!(code, Some(2));
            return Ok(());
        }
        prop_assert_eq!(code, Some(0));
        let json: Value = serde_json::from_str(&stdout).unwrap();
        let s: Value = serde_json::from_str(&summary_out).unwrap();
        let cells = json["cells"].as_array().unwrap();
        let firsts: Vec<&Value> = cells.iter().filter(|c| c["period_offset"] == 0).collect();
        let sizes: u64 = firsts.iter().map(|c| c["cohort_size"].as_u64().unwrap()).sum();
        prop_assert_eq!(Some(sizes), s["customers"].as_u64());
        for c in &firsts {
            prop_assert_eq!(c["retention_rate"].as_f64(), Some(1.0));
        }
        for c in cells {
            let rate = c["retention_rate"].as_f64().unwrap();
            prop_assert!((0.0..=1.0).contains(&rate), "rate {} outside 0..1", rate);
        }
    }

    #[test]
    fn monthly_activity_agrees_with_a_plain_model(lines in prop::collection::vec(line(), 1..80)) {
        let w = Workdir::new();
        let (code, stdout) = cohorts(&w, &csv(&lines), "month");
        let expected = monthly_model(&lines);
        if expected.is_empty() {
            prop_assert_eq!(code, Some(2));
            return Ok(());
        }
        let json: Value = serde_json::from_str(&stdout).unwrap();
        let label = |m: u32| format!("{}-{:02}", 2023 + m / 12, m % 12 + 1);
        let mut actual = BTreeMap::new();
        let cohort_of: BTreeMap<String, u32> = (0..24).map(|m| (label(m), m)).collect();
        for c in json["cells"].as_array().unwrap() {
            let cohort = cohort_of[c["cohort"].as_str().unwrap()];
            let k = c["period_offset"].as_u64().unwrap() as u32;
            let active = c["active_customers"].as_u64().unwrap();
            if active > 0 {
                actual.insert((cohort, cohort + k), active);
            }
        }
        prop_assert_eq!(actual, expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 30, ..ProptestConfig::default() })]

    #[test]
    fn every_customer_lands_in_one_segment(lines in prop::collection::vec(line(), 1..80)) {
        let w = Workdir::new();
        w.write("o.csv", csv(&lines));
        let customers = w.run(&["rfm", "o.csv", "--customers", "-f", "csv"]);
        let segments = w.run(&["rfm", "o.csv", "-f", "json"]);
        let m = model(&lines);
        if m.customers == 0 {
            prop_assert_eq!(customers.code, Some(2));
            return Ok(());
        }
        let rows: Vec<Vec<String>> = customers.ok().lines().skip(1)
            .map(|l| l.split(',').map(String::from).collect())
            .collect();
        prop_assert_eq!(rows.len(), m.customers);
        let ids: BTreeSet<&String> = rows.iter().map(|r| &r[0]).collect();
        prop_assert_eq!(ids.len(), rows.len(), "one row per customer");
        let names = ["Champions", "Loyal Customers", "Potential Loyalists", "At Risk",
                     "Need Attention", "Lost Customers"];
        let mut per_segment = BTreeMap::new();
        for row in &rows {
            for score in &row[4..7] {
                let s: u8 = score.parse().unwrap();
                prop_assert!((1..=5).contains(&s), "score {} outside 1..5", s);
            }
            prop_assert_eq!(&row[7], &format!("{}{}{}", row[4], row[5], row[6]));
            prop_assert!(names.contains(&row[8].as_str()));
            *per_segment.entry(row[8].clone()).or_insert(0u64) += 1;
        }
        let json: Value = serde_json::from_str(segments.ok()).unwrap();
        let table = json["segments"].as_array().unwrap();
        let listed: Vec<&str> = table.iter().map(|s| s["segment"].as_str().unwrap()).collect();
        prop_assert_eq!(listed, names.to_vec());
        let total: u64 = table.iter().map(|s| s["customers"].as_u64().unwrap()).sum();
        prop_assert_eq!(total, m.customers as u64);
        for s in table {
            let n = s["customers"].as_u64().unwrap();
            let name = s["segment"].as_str().unwrap();
            prop_assert_eq!(per_segment.get(name).copied().unwrap_or(0), n);
        }
        let grid: u64 = json["grid"].as_array().unwrap().iter()
            .map(|g| g["customers"].as_u64().unwrap()).sum();
        prop_assert_eq!(grid, m.customers as u64);
    }
}

/// A row that cannot be read, with a customer id so it is invalid rather than a guest.
fn broken_row() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "C01,O1,2023-02-30 10:00,5\n",
        "C02,O2,not a date,5\n",
        "C03,O3,2023-01-05 10:00,12;50\n",
        "C04,O4\n",
        "C05,O5,2023-01-05 10:00,5,extra\n",
        "C06,27\" tv,0001-01-01,5\n",
    ])
    .prop_map(str::to_string)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// For every file: data rows read = rows loaded + guest rows + invalid rows, each
    /// counted where it happens, on inputs with broken rows, stray quotes and any line
    /// ends.
    #[test]
    fn every_row_read_is_loaded_or_counted_as_dropped(
        rows in prop::collection::vec(
            prop_oneof![4 => line().prop_map(|l| (l.to_csv(), l.customer.is_none(), false)),
                        1 => broken_row().prop_map(|r| (r, false, true))],
            0..60,
        ),
        line_end in prop::sample::select(vec!["\n", "\r\n", "\r"]),
    ) {
        let w = Workdir::new();
        let mut text = String::from(HEADER);
        text.push_str("C00,O0,2023-01-01 00:00,1\n");
        let mut guests = 0u64;
        let mut invalid = 0u64;
        for (row, guest, broken) in &rows {
            text.push_str(row);
            guests += u64::from(*guest);
            invalid += u64::from(*broken);
        }
        let text = text.replace('\n', line_end);
        w.write("o.csv", &text);
        let run = w.run(&["inspect", "o.csv", "--format", "json", "--skip-invalid"]);
        prop_assert_eq!(run.code, Some(0), "{}", run.stderr);
        let json: Value = serde_json::from_str(&run.stdout).unwrap();
        let file = &json["files"][0];
        let count = |key: &str| file[key].as_u64().unwrap();
        prop_assert_eq!(count("rows"), rows.len() as u64 + 1);
        prop_assert_eq!(count("guest_rows"), guests);
        prop_assert_eq!(count("invalid_rows"), invalid);
        prop_assert_eq!(
            count("rows"),
            count("loaded_rows") + count("guest_rows") + count("invalid_rows")
        );
    }
}
