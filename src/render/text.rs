//! How a cell reads: for people (percentages, thousands separators, two decimals of
//! money) and for machines (fractions, exact money, empty when missing).

use super::Cell;

/// What people see for a missing value.
pub const MISSING: &str = "–";

/// `1 guest row`, `2 guest rows`, with thousands separators.
pub fn count_of(n: u64, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        thousands(n),
        if n == 1 { singular } else { plural }
    )
}

/// `1234567` → `1,234,567`.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number with `decimals` places and thousands separators: `-1,234.50`.
pub fn decimal(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let grouped = thousands(whole.parse().unwrap_or(0));
    let sign = if value < 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

/// Days: whole numbers as they are, others to one decimal.
fn days(value: f64) -> String {
    if value.fract() == 0.0 {
        decimal(value, 0)
    } else {
        decimal(value, 1)
    }
}

/// `2024-03-09`. Written by hand: chrono's `format` reads its pattern on every call,
/// which shows on lists of a million dates.
pub fn iso_date(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

pub fn for_people(cell: &Cell) -> String {
    let or_missing = |v: Option<String>| v.unwrap_or_else(|| MISSING.to_string());
    match cell {
        Cell::Count(n) => thousands(*n),
        Cell::Rate(r) => or_missing(r.map(|r| format!("{}%", decimal(r * 100.0, 1)))),
        Cell::Days(d) => or_missing(d.map(days)),
        Cell::Money(m) => or_missing(m.map(|m| decimal(m.to_f64(), 2))),
        Cell::MoneyMean(m) => or_missing(m.map(|m| decimal(m, 2))),
        Cell::Number(n) => or_missing(n.map(|n| decimal(n, 2))),
        Cell::Date(d) => iso_date(*d),
        Cell::Text(t) | Cell::Heat { text: t, .. } => t.clone(),
    }
}

pub fn for_machines(cell: &Cell) -> String {
    let mut text = String::new();
    write_for_machines(&mut text, cell);
    text
}

/// `for_machines`, written into `out` (emptied first): lists of millions of rows
/// format every cell in one buffer.
pub fn write_for_machines(out: &mut String, cell: &Cell) {
    use std::fmt::Write;
    out.clear();
    // Writing to a String cannot fail.
    let _ = match cell {
        Cell::Count(n) => {
            out.push_str(itoa::Buffer::new().format(*n));
            Ok(())
        }
        Cell::Rate(v) | Cell::Days(v) | Cell::MoneyMean(v) | Cell::Number(v) => match v {
            Some(v) => write!(out, "{v}"),
            None => Ok(()),
        },
        Cell::Money(m) => {
            if let Some(m) = m {
                m.write_to(out);
            }
            Ok(())
        }
        Cell::Date(d) => {
            use chrono::Datelike;
            write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
        }
        Cell::Text(t) | Cell::Heat { text: t, .. } => {
            out.push_str(t);
            Ok(())
        }
    };
}

/// A cell as a JSON value: numbers as numbers, a missing value as null.
pub fn to_json(cell: &Cell) -> serde_json::Value {
    use serde_json::Value;
    match cell {
        Cell::Count(n) => Value::from(*n),
        Cell::Rate(v) | Cell::Days(v) | Cell::MoneyMean(v) | Cell::Number(v) => {
            v.map_or(Value::Null, Value::from)
        }
        Cell::Money(m) => m.map_or(Value::Null, |m| Value::from(m.to_f64())),
        Cell::Date(d) => Value::from(iso_date(*d)),
        Cell::Text(t) | Cell::Heat { text: t, .. } => Value::from(t.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;

    #[test]
    fn people_read_separators_percentages_and_dashes() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(23_570), "23,570");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(for_people(&Cell::Rate(Some(0.375))), "37.5%");
        assert_eq!(for_people(&Cell::Rate(None)), "–");
        assert_eq!(for_people(&Cell::Days(Some(28.0))), "28");
        assert_eq!(for_people(&Cell::Days(Some(28.25))), "28.2");
        assert_eq!(
            for_people(&Cell::Money(Some(Money(123_456_789)))),
            "12,345.68"
        );
        assert_eq!(for_people(&Cell::MoneyMean(Some(-0.004))), "0.00");
        assert_eq!(for_people(&Cell::MoneyMean(Some(-1234.5))), "-1,234.50");
    }

    #[test]
    fn dates_are_iso() {
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(iso_date(date(2024, 3, 9)), "2024-03-09");
        assert_eq!(iso_date(date(987, 12, 31)), "0987-12-31");
        assert_eq!(for_machines(&Cell::Date(date(2025, 1, 1))), "2025-01-01");
    }

    #[test]
    fn machines_read_fractions_exact_money_and_empties() {
        assert_eq!(for_machines(&Cell::Rate(Some(0.375))), "0.375");
        assert_eq!(for_machines(&Cell::Rate(None)), "");
        assert_eq!(for_machines(&Cell::Money(Some(Money(125_000)))), "12.5");
        assert_eq!(for_machines(&Cell::Count(23_570)), "23570");
    }
}
