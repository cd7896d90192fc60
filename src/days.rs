//! Day numbers: days since 1970-01-01, the one way dates are held once read, so that
//! a difference of days is a subtraction.

use chrono::{Datelike, NaiveDate};

pub const MS_PER_DAY: i64 = 86_400_000;

/// The years of the dates rebuy reads. Work over periods (cohort triangles, trends)
/// grows with the span of the dates, so a date no shop has (`0001-01-01`, a
/// placeholder `9999-12-31`) is refused rather than spending minutes on millennia.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// Day numbers of 1900-01-01 and 2200-01-01, the bounds of `YEARS`.
const FIRST_DAY: i64 = -25_567;
const END_DAY: i64 = 84_006;

/// Whether a millisecond timestamp falls in `YEARS`.
pub fn in_range(ms: i64) -> bool {
    (FIRST_DAY * MS_PER_DAY..END_DAY * MS_PER_DAY).contains(&ms)
}

/// Day number (days since 1970-01-01) of a millisecond timestamp in `YEARS` (read
/// values are checked with `in_range`), or of any other within ±5.8 million years.
pub fn day_of(ms: i64) -> i32 {
    ms.div_euclid(MS_PER_DAY) as i32
}

/// The calendar date of a day number.
pub fn date_of_day(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day + EPOCH_DAYS_FROM_CE).unwrap_or(NaiveDate::MIN)
}

/// The day number of a calendar date.
pub fn day_of_date(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

const EPOCH_DAYS_FROM_CE: i32 = 719_163;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bounds_are_the_first_and_last_day_of_years() {
        let day = |y, m, d| i64::from(day_of_date(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
        assert_eq!(day(1900, 1, 1), FIRST_DAY);
        assert_eq!(day(2200, 1, 1), END_DAY);
        assert!(in_range(FIRST_DAY * MS_PER_DAY));
        assert!(!in_range(FIRST_DAY * MS_PER_DAY - 1));
        assert!(in_range(END_DAY * MS_PER_DAY - 1));
        assert!(!in_range(END_DAY * MS_PER_DAY));
    }
}
