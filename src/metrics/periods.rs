//! Calendar periods of contract §3: months, ISO weeks, quarters and years, numbered
//! so that the next period is the next integer.

use chrono::{Datelike, Days, NaiveDate};

use crate::days::{date_of_day, day_of_date};

/// `--period`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// ISO weeks, Monday to Sunday, labelled by ISO week-year: 2025-W01.
    Week,
    /// Calendar months: 2024-03.
    #[default]
    Month,
    /// Calendar quarters: 2024-Q1.
    Quarter,
    /// Calendar years: 2024.
    Year,
}

impl Period {
    /// The number of the period holding day number `day` (days since 1970-01-01).
    pub fn of_day(self, day: i32) -> i32 {
        match self {
            // 1970-01-01 was a Thursday: the Monday of its week is day −3.
            Period::Week => (day + 3).div_euclid(7),
            _ => self.of_date(date_of_day(day)),
        }
    }

    fn of_date(self, date: NaiveDate) -> i32 {
        let month0 = date.month0() as i32;
        match self {
            Period::Week => self.of_day(day_of_date(date)),
            Period::Month => date.year() * 12 + month0,
            Period::Quarter => date.year() * 4 + month0 / 3,
            Period::Year => date.year(),
        }
    }

    /// The first day of period `index`.
    pub fn start(self, index: i32) -> NaiveDate {
        let first_of = |year: i32, month0: i32| {
            NaiveDate::from_ymd_opt(year, month0 as u32 + 1, 1).expect("a valid first of month")
        };
        match self {
            Period::Week => date_of_day(index * 7 - 3),
            Period::Month => first_of(index.div_euclid(12), index.rem_euclid(12)),
            Period::Quarter => first_of(index.div_euclid(4), index.rem_euclid(4) * 3),
            Period::Year => first_of(index, 0),
        }
    }

    /// The last day of period `index`.
    pub fn end(self, index: i32) -> NaiveDate {
        self.start(index + 1) - Days::new(1)
    }

    /// `2025-W01`, `2024-03`, `2024-Q1`, `2024`.
    pub fn label(self, index: i32) -> String {
        let start = self.start(index);
        match self {
            Period::Week => {
                let week = start.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Period::Month => start.format("%Y-%m").to_string(),
            Period::Quarter => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
            Period::Year => start.year().to_string(),
        }
    }

    /// Noun for headings: "month".
    pub fn singular(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }

    /// Plural noun for headings: "months".
    pub fn plural(self) -> &'static str {
        match self {
            Period::Week => "weeks",
            Period::Month => "months",
            Period::Quarter => "quarters",
            Period::Year => "years",
        }
    }
}

/// Period numbers for a range of days, looked up rather than worked out per row.
pub struct PeriodTable {
    first_day: i32,
    numbers: Vec<i32>,
}

impl PeriodTable {
    /// The table for days `first..=last`.
    pub fn new(period: Period, first: i32, last: i32) -> PeriodTable {
        PeriodTable {
            first_day: first,
            numbers: (first..=last.max(first))
                .map(|d| period.of_day(d))
                .collect(),
        }
    }

    /// The period of `day`, which must lie in the table's range.
    pub fn get(&self, day: i32) -> i32 {
        self.numbers[(day - self.first_day) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn label_of(period: Period, text: &str) -> String {
        period.label(period.of_day(day_of_date(date(text))))
    }

    #[test]
    fn iso_weeks_cross_the_year_with_their_thursday() {
        // Monday 30 December 2024 is in week 1 of 2025; Sunday the 29th is not.
        assert_eq!(label_of(Period::Week, "2024-12-30"), "2025-W01");
        assert_eq!(label_of(Period::Week, "2025-01-05"), "2025-W01");
        assert_eq!(label_of(Period::Week, "2024-12-29"), "2024-W52");
        // 1 January 2021 (a Friday) still belongs to week 53 of 2020.
        assert_eq!(label_of(Period::Week, "2021-01-01"), "2020-W53");
        let w = Period::Week.of_day(day_of_date(date("2024-12-30")));
        assert_eq!(Period::Week.start(w), date("2024-12-30"));
        assert_eq!(Period::Week.end(w), date("2025-01-05"));
        assert_eq!(Period::Week.of_day(day_of_date(date("2024-12-29"))), w - 1);
        // Days before 1970 count backwards correctly too.
        assert_eq!(label_of(Period::Week, "1969-12-29"), "1970-W01");
        assert_eq!(label_of(Period::Week, "1969-12-28"), "1969-W52");
    }

    #[test]
    fn months_quarters_years() {
        assert_eq!(label_of(Period::Month, "2024-03-31"), "2024-03");
        assert_eq!(label_of(Period::Quarter, "2024-03-31"), "2024-Q1");
        assert_eq!(label_of(Period::Quarter, "2024-04-01"), "2024-Q2");
        assert_eq!(label_of(Period::Quarter, "2024-12-31"), "2024-Q4");
        assert_eq!(label_of(Period::Year, "2024-12-31"), "2024");
        let q = Period::Quarter.of_day(day_of_date(date("2024-11-15")));
        assert_eq!(Period::Quarter.start(q), date("2024-10-01"));
        assert_eq!(Period::Quarter.end(q), date("2024-12-31"));
        assert_eq!(Period::Quarter.label(q + 1), "2025-Q1");
        let m = Period::Month.of_day(day_of_date(date("2024-02-10")));
        assert_eq!(Period::Month.end(m), date("2024-02-29"));
        assert_eq!(Period::Month.label(m + 11), "2025-01");
        assert_eq!(Period::Year.end(2024), date("2024-12-31"));
    }

    #[test]
    fn the_table_agrees_with_the_rule() {
        let first = day_of_date(date("2023-12-01"));
        let last = day_of_date(date("2025-02-01"));
        for period in [Period::Week, Period::Month, Period::Quarter, Period::Year] {
            let table = PeriodTable::new(period, first, last);
            for day in first..=last {
                assert_eq!(table.get(day), period.of_day(day));
                let n = period.of_day(day);
                let d = date_of_day(day);
                assert!(period.start(n) <= d && d <= period.end(n));
            }
        }
    }
}
