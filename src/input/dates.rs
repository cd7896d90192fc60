//! Timestamps as order exports write them (contract §1 step 2).
//!
//! A timestamp becomes milliseconds since 1970-01-01 on the clock *as written*: the
//! calendar date is the one in the text, whatever offset follows it, unless a zone is
//! given with `--tz`, in which case instants (values with `Z`, an offset, or Unix time)
//! are moved to that zone first. Values without an offset are already local and are
//! never shifted. Unix times without `--tz` are read as UTC.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone};

use crate::days::{self, date_of_day, day_of_date, MS_PER_DAY};

/// Which field comes first in a slashed date such as `03/04/2024`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlashOrder {
    DayFirst,
    MonthFirst,
}

/// `--date-format`: automatic, a fixed order for slashed dates, or a strftime pattern.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum DateFormat {
    #[default]
    Auto,
    Slash(SlashOrder),
    Pattern(String),
}

impl DateFormat {
    pub fn parse(text: &str) -> Result<DateFormat, String> {
        match text.to_ascii_lowercase().as_str() {
            "auto" => Ok(DateFormat::Auto),
            "dmy" | "d/m/y" | "day-first" => Ok(DateFormat::Slash(SlashOrder::DayFirst)),
            "mdy" | "m/d/y" | "month-first" => Ok(DateFormat::Slash(SlashOrder::MonthFirst)),
            _ if text.contains('%') => {
                use chrono::format::{Item, StrftimeItems};
                if StrftimeItems::new(text).any(|item| matches!(item, Item::Error)) {
                    return Err(format!(
                        "date format {text:?} has a % field rebuy does not know; use strftime fields such as %d %m %Y %H %M, e.g. \"%d.%m.%Y %H:%M\""
                    ));
                }
                Ok(DateFormat::Pattern(text.to_string()))
            }
            _ => Err(format!(
                "unknown date format {text:?}: use dmy, mdy, auto, or a strftime pattern such as \"%d.%m.%Y %H:%M\""
            )),
        }
    }
}

/// `--tz`: the zone whose calendar instants are counted in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Zone {
    Fixed(i32),
    Named(chrono_tz::Tz),
}

impl Zone {
    pub fn parse(text: &str) -> Result<Zone, String> {
        if text.eq_ignore_ascii_case("utc") || text == "Z" {
            return Ok(Zone::Fixed(0));
        }
        if let Some(seconds) = parse_offset(text.as_bytes()) {
            return Ok(Zone::Fixed(seconds));
        }
        text.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| {
            format!("unknown time zone {text:?}: use an IANA name such as Europe/Berlin, UTC, or an offset such as +02:00")
        })
    }

    /// Milliseconds to add to a UTC instant to get this zone's wall clock.
    pub fn offset_ms(&self, utc_ms: i64) -> i64 {
        match self {
            Zone::Fixed(seconds) => i64::from(*seconds) * 1000,
            Zone::Named(tz) => {
                let Some(utc) = chrono::DateTime::from_timestamp_millis(utc_ms) else {
                    return 0;
                };
                let offset = tz.offset_from_utc_datetime(&utc.naive_utc()).fix();
                i64::from(offset.local_minus_utc()) * 1000
            }
        }
    }
}

/// Why a text is not a timestamp; the caller adds file, line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not in any accepted form.
    Unrecognised,
    /// In an accepted form, but the date or time does not exist.
    Impossible(String),
    /// A slashed date in a file whose day/month order is unknown.
    NeedsOrder,
    /// A real date, in a year no shop's orders have (see `YEARS`).
    OutOfRange(i32),
}

impl DateError {
    pub fn describe(&self) -> String {
        match self {
            DateError::Unrecognised => "not a date rebuy can read".to_string(),
            DateError::Impossible(why) => format!("not a real date: {why}"),
            DateError::NeedsOrder => "a slashed date whose day/month order is unknown".to_string(),
            DateError::OutOfRange(year) => format!(
                "the year {year} is outside the years rebuy reads ({} to {})",
                days::YEARS.start(),
                days::YEARS.end()
            ),
        }
    }
}

/// Reads timestamps for one file: the day/month order is decided per file.
#[derive(Clone, Debug)]
pub struct DateParser {
    pub order: Option<SlashOrder>,
    pub pattern: Option<String>,
    pub zone: Option<Zone>,
}

/// A timestamp read from text, before any zone conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Written {
    /// Milliseconds since the epoch on the clock as written.
    local_ms: i64,
    /// Seconds east of UTC when the text carries an offset (`Z` is 0); Unix times are UTC.
    offset: Option<i32>,
}

impl DateParser {
    pub fn new(format: &DateFormat, zone: Option<Zone>) -> DateParser {
        let (order, pattern) = match format {
            DateFormat::Auto => (None, None),
            DateFormat::Slash(order) => (Some(*order), None),
            DateFormat::Pattern(p) => (None, Some(p.clone())),
        };
        DateParser {
            order,
            pattern,
            zone,
        }
    }

    /// Milliseconds since the epoch on the calendar rebuy counts in.
    /// The timestamp of `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`
    /// exactly (most exports write one of them), read straight from the bytes; `None`
    /// for anything else, which `parse` reads, or refuses, as ever. Where both read a
    /// text they agree (`tests::the_iso_path_agrees_with_parse`).
    #[inline]
    pub fn parse_iso(&self, b: &[u8]) -> Option<i64> {
        if self.pattern.is_some() || !matches!(b.len(), 10 | 19) {
            return None;
        }
        let digit = |i: usize| b[i].is_ascii_digit().then(|| u32::from(b[i] - b'0'));
        let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = two(0)? * 100 + two(2)?;
        let day = civil_day(year as i32, two(5)?, two(8)?).ok()?;
        let mut ms = i64::from(day) * MS_PER_DAY;
        if b.len() == 19 {
            if !matches!(b[10], b' ' | b'T') || b[13] != b':' || b[16] != b':' {
                return None;
            }
            let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
            if hour > 23 || minute > 59 || second > 59 {
                return None;
            }
            ms += ((i64::from(hour) * 60 + i64::from(minute)) * 60 + i64::from(second)) * 1000;
        }
        Some(ms)
    }

    pub fn parse(&self, text: &str) -> Result<i64, DateError> {
        let text = text.trim();
        let written = match &self.pattern {
            Some(pattern) => parse_with_pattern(text, pattern)?,
            None => parse_written(text, self.order)?,
        };
        Ok(match (self.zone, written.offset) {
            (Some(zone), Some(offset)) => {
                let utc = written.local_ms - i64::from(offset) * 1000;
                utc + zone.offset_ms(utc)
            }
            _ => written.local_ms,
        })
    }
}

/// A millisecond timestamp, if its year is among `days::YEARS`.
pub fn check_range(ms: i64) -> Result<i64, DateError> {
    if days::in_range(ms) {
        Ok(ms)
    } else {
        // Far outside, the year is only for the message: clamp it to what chrono knows.
        let day = ms.div_euclid(MS_PER_DAY).clamp(-100_000_000, 100_000_000);
        Err(DateError::OutOfRange(date_of_day(day as i32).year()))
    }
}

/// The two leading fields of a numeric day-month-year value (`A/B/YY[YY]`, also with
/// `-` or `.`), which give evidence for the day/month order; `None` for anything else.
fn numeric_dmy_fields(text: &str) -> Option<(u32, u32)> {
    let b = text.trim().as_bytes();
    let (first, rest) = take_digits(b, 1, 2)?;
    let separator = *rest.first()?;
    if !matches!(separator, b'/' | b'-' | b'.') {
        return None;
    }
    let (second, rest) = take_digits(&rest[1..], 1, 2)?;
    let rest = rest.strip_prefix(&[separator])?;
    let (_, rest) = take_year(rest)?;
    matches!(rest.first(), None | Some(b' ' | b'T')).then_some((first, second))
}

/// Evidence for the day/month order of one numeric day-month-year value (`25/12/2024`,
/// `21-07-2015`, `07/16/22`): `Some(DayFirst)` when the first field is above 12,
/// `Some(MonthFirst)` when the second is; `None` otherwise (including values that are
/// not such dates).
pub fn slash_evidence(text: &str) -> Option<SlashOrder> {
    let (first, second) = numeric_dmy_fields(text)?;
    if first > 12 {
        Some(SlashOrder::DayFirst)
    } else if second > 12 {
        Some(SlashOrder::MonthFirst)
    } else {
        None
    }
}

/// True when the text looks like a numeric day-month-year date (`A/B/YYYY…`, `A-B-YY`,
/// `A.B.YYYY`), whose order matters.
pub fn is_slashed(text: &str) -> bool {
    numeric_dmy_fields(text).is_some()
}

/// A year of 4 digits, or of 2 (POSIX `%y`: 00–68 are 2000–2068, 69–99 are 1969–1999).
fn take_year(b: &[u8]) -> Option<(u32, &[u8])> {
    let (year, rest) = take_digits(b, 2, 4)?;
    match b.len() - rest.len() {
        4 => Some((year, rest)),
        2 if year <= 68 => Some((2000 + year, rest)),
        2 => Some((1900 + year, rest)),
        _ => None,
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A month's English name, whole or its first three letters, in any case.
fn month_of_name(name: &[u8]) -> Option<u32> {
    let name = std::str::from_utf8(name).ok()?.to_ascii_lowercase();
    if name.len() < 3 {
        return None;
    }
    if name == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| *m == name || (name.len() == 3 && m.starts_with(&name)))
        .map(|i| i as u32 + 1)
}

/// `D-Mon-YY[YY]` and `D Mon YYYY` (`11-Feb-13`, `3 March 2024`), then a time.
fn parse_month_name(b: &[u8]) -> Result<Written, DateError> {
    let (day, rest) = take_digits(b, 1, 2).ok_or(DateError::Unrecognised)?;
    let separator = *rest.first().ok_or(DateError::Unrecognised)?;
    let rest = &rest[1..];
    let letters = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let month = month_of_name(&rest[..letters]).ok_or(DateError::Unrecognised)?;
    let rest = rest[letters..]
        .strip_prefix(&[separator])
        .ok_or(DateError::Unrecognised)?;
    let (year, after) = take_year(rest).ok_or(DateError::Unrecognised)?;
    if separator == b' ' && rest.len() - after.len() != 4 {
        // `D Mon YYYY` has four digits; `3 Mar 24` is too loose to be sure of.
        return Err(DateError::Unrecognised);
    }
    let rest = after;
    time_after(civil_day(year as i32, month, day)?, rest)
}

fn parse_written(text: &str, order: Option<SlashOrder>) -> Result<Written, DateError> {
    let b = text.as_bytes();
    if b.is_empty() {
        return Err(DateError::Unrecognised);
    }
    if b.iter().all(u8::is_ascii_digit) {
        return parse_all_digits(b);
    }
    if b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && matches!(b[4], b'-' | b'/') {
        return parse_year_first(b);
    }
    if is_slashed(text) {
        return parse_slashed(b, order);
    }
    let lead = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if matches!(lead, 1 | 2) && matches!(b.get(lead), Some(b'-' | b' ')) {
        return parse_month_name(b);
    }
    Err(DateError::Unrecognised)
}

/// `YYYYMMDD`, Unix seconds (9–10 digits) or milliseconds (12–13 digits).
fn parse_all_digits(b: &[u8]) -> Result<Written, DateError> {
    if !matches!(b.len(), 8 | 9 | 10 | 12 | 13) {
        // Before folding: twenty digits would overflow an i64.
        return Err(DateError::Unrecognised);
    }
    let number = b.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
    match b.len() {
        8 => {
            let (y, m, d) = (number / 10_000, number / 100 % 100, number % 100);
            let day = civil_day(y as i32, m as u32, d as u32)?;
            Ok(Written {
                local_ms: i64::from(day) * MS_PER_DAY,
                offset: None,
            })
        }
        9 | 10 => Ok(Written {
            local_ms: number * 1000,
            offset: Some(0),
        }),
        12 | 13 => Ok(Written {
            local_ms: number,
            offset: Some(0),
        }),
        _ => Err(DateError::Unrecognised),
    }
}

/// `YYYY-MM-DD` or `YYYY/MM/DD`, then an optional time and offset.
fn parse_year_first(b: &[u8]) -> Result<Written, DateError> {
    let (year, rest) = take_digits(b, 4, 4).ok_or(DateError::Unrecognised)?;
    let separator = rest[0];
    let (month, rest) = take_digits(&rest[1..], 1, 2).ok_or(DateError::Unrecognised)?;
    let rest = rest
        .strip_prefix(&[separator])
        .ok_or(DateError::Unrecognised)?;
    let (day, rest) = take_digits(rest, 1, 2).ok_or(DateError::Unrecognised)?;
    time_after(civil_day(year as i32, month, day)?, rest)
}

/// `A/B/YYYY` (also `-` or `.` between the fields, and a 2-digit year) with an
/// optional time (`H:MM[:SS]`, optional AM/PM) and offset.
fn parse_slashed(b: &[u8], order: Option<SlashOrder>) -> Result<Written, DateError> {
    let (first, rest) = take_digits(b, 1, 2).ok_or(DateError::Unrecognised)?;
    let separator = *rest.first().ok_or(DateError::Unrecognised)?;
    let (second, rest) = take_digits(&rest[1..], 1, 2).ok_or(DateError::Unrecognised)?;
    let rest = rest
        .strip_prefix(&[separator])
        .ok_or(DateError::Unrecognised)?;
    let (year, rest) = take_year(rest).ok_or(DateError::Unrecognised)?;
    let (month, day) = match order {
        Some(SlashOrder::DayFirst) => (second, first),
        Some(SlashOrder::MonthFirst) => (first, second),
        None if first == second => (first, second),
        None => return Err(DateError::NeedsOrder),
    };
    time_after(civil_day(year as i32, month, day)?, rest)
}

/// After a date: nothing, or a space or `T` and a time (and offset).
fn time_after(day: i32, rest: &[u8]) -> Result<Written, DateError> {
    match rest {
        [b' ' | b'T' | b't', tail @ ..] => finish(day, tail),
        [] => finish(day, rest),
        _ => Err(DateError::Unrecognised),
    }
}

/// The time of day and offset after a date, then the timestamp.
fn finish(day: i32, rest: &[u8]) -> Result<Written, DateError> {
    let (ms_of_day, rest) = if rest.is_empty() {
        (0, rest)
    } else {
        parse_time(rest)?
    };
    let rest = trim_start(rest);
    let offset = match rest {
        [] => None,
        [b'Z' | b'z'] => Some(0),
        _ if rest.eq_ignore_ascii_case(b"UTC") => Some(0),
        _ => Some(parse_offset(rest).ok_or(DateError::Unrecognised)?),
    };
    Ok(Written {
        local_ms: i64::from(day) * MS_PER_DAY + ms_of_day,
        offset,
    })
}

/// `H:MM[:SS[.fff]]` with an optional ` AM`/` PM`; returns milliseconds into the day.
fn parse_time(b: &[u8]) -> Result<(i64, &[u8]), DateError> {
    let (mut hour, rest) = take_digits(b, 1, 2).ok_or(DateError::Unrecognised)?;
    let rest = rest.strip_prefix(b":").ok_or(DateError::Unrecognised)?;
    let (minute, mut rest) = take_digits(rest, 2, 2).ok_or(DateError::Unrecognised)?;
    let mut second = 0;
    let mut millis = 0;
    if let Some(tail) = rest.strip_prefix(b":") {
        let (s, tail) = take_digits(tail, 2, 2).ok_or(DateError::Unrecognised)?;
        second = s;
        rest = tail;
        if let [b'.' | b',', tail @ ..] = rest {
            let digits = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return Err(DateError::Unrecognised);
            }
            millis = tail[..digits.min(3)]
                .iter()
                .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
                * 10u32.pow(3 - digits.min(3) as u32);
            rest = &tail[digits..];
        }
    }
    let trimmed = trim_start(rest);
    let meridiem = if trimmed.len() >= 2 && trimmed[1].eq_ignore_ascii_case(&b'm') {
        match trimmed[0].to_ascii_lowercase() {
            b'a' => Some(false),
            b'p' => Some(true),
            _ => None,
        }
    } else {
        None
    };
    if let Some(pm) = meridiem {
        if hour == 0 || hour > 12 {
            return Err(DateError::Impossible(format!("hour {hour} with AM/PM")));
        }
        hour = hour % 12 + if pm { 12 } else { 0 };
        rest = &trimmed[2..];
    }
    if hour > 23 {
        return Err(DateError::Impossible(format!("hour {hour}")));
    }
    if minute > 59 {
        return Err(DateError::Impossible(format!("minute {minute}")));
    }
    if second > 59 {
        return Err(DateError::Impossible(format!("second {second}")));
    }
    let ms = ((i64::from(hour) * 60 + i64::from(minute)) * 60 + i64::from(second)) * 1000
        + i64::from(millis);
    Ok((ms, rest))
}

/// `+HH:MM`, `-HHMM` or `+HH`; seconds east of UTC.
fn parse_offset(b: &[u8]) -> Option<i32> {
    let (sign, rest) = match b {
        [b'+', rest @ ..] => (1, rest),
        [b'-', rest @ ..] => (-1, rest),
        _ => return None,
    };
    let (hours, rest) = take_digits(rest, 2, 2)?;
    let rest = rest.strip_prefix(b":").unwrap_or(rest);
    let (minutes, rest) = if rest.is_empty() {
        (0, rest)
    } else {
        take_digits(rest, 2, 2)?
    };
    if !rest.is_empty() || hours > 18 || minutes > 59 {
        return None;
    }
    Some(sign * (hours as i32 * 3600 + minutes as i32 * 60))
}

fn parse_with_pattern(text: &str, pattern: &str) -> Result<Written, DateError> {
    if let Ok(at) = chrono::DateTime::parse_from_str(text, pattern) {
        return Ok(Written {
            local_ms: at.naive_local().and_utc().timestamp_millis(),
            offset: Some(at.offset().local_minus_utc()),
        });
    }
    if let Ok(at) = NaiveDateTime::parse_from_str(text, pattern) {
        return Ok(Written {
            local_ms: at.and_utc().timestamp_millis(),
            offset: None,
        });
    }
    match NaiveDate::parse_from_str(text, pattern) {
        Ok(date) => Ok(Written {
            local_ms: i64::from(day_of_date(date)) * MS_PER_DAY,
            offset: None,
        }),
        Err(_) => Err(DateError::Unrecognised),
    }
}

/// Reads `min..=max` ASCII digits; returns the number and what follows.
fn take_digits(b: &[u8], min: usize, max: usize) -> Option<(u32, &[u8])> {
    let n = b
        .iter()
        .take(max)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if n < min {
        return None;
    }
    let value = b[..n]
        .iter()
        .fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
    Some((value, &b[n..]))
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// Days since 1970-01-01 of a proleptic Gregorian date, or why it does not exist.
fn civil_day(year: i32, month: u32, day: u32) -> Result<i32, DateError> {
    if !(1..=12).contains(&month) {
        return Err(DateError::Impossible(format!("month {month}")));
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day == 0 || day > days_in_month {
        return Err(DateError::Impossible(format!(
            "day {day} of month {month} in {year}"
        )));
    }
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::days::day_of;

    fn auto() -> DateParser {
        DateParser::new(&DateFormat::Auto, None)
    }

    fn ymd(y: i32, m: u32, d: u32) -> i64 {
        i64::from(day_of_date(NaiveDate::from_ymd_opt(y, m, d).unwrap())) * MS_PER_DAY
    }

    const HOUR: i64 = 3_600_000;
    const MINUTE: i64 = 60_000;

    proptest::proptest! {
        #[test]
        fn the_iso_path_agrees_with_parse(
            year in 1990u32..2100,
            month in 0u32..14,
            day in 0u32..33,
            time in proptest::option::of((0u32..26, 0u32..62, 0u32..62)),
            t in proptest::bool::ANY,
        ) {
            let mut text = format!("{year:04}-{month:02}-{day:02}");
            if let Some((h, m, s)) = time {
                text.push_str(&format!("{}{h:02}:{m:02}:{s:02}", if t { 'T' } else { ' ' }));
            }
            let parser = DateParser::new(&DateFormat::Auto, None);
            if let Some(ms) = parser.parse_iso(text.as_bytes()) {
                proptest::prop_assert_eq!(Ok(ms), parser.parse(&text));
            } else {
                proptest::prop_assert!(parser.parse(&text).is_err(), "{}", text);
            }
        }
    }

    #[test]
    fn civil_day_matches_chrono_on_known_days() {
        assert_eq!(civil_day(1970, 1, 1), Ok(0));
        assert_eq!(civil_day(2000, 3, 1), Ok(11_017));
        assert_eq!(civil_day(2024, 2, 29), Ok(19_782));
        assert_eq!(civil_day(1969, 12, 31), Ok(-1));
        for (y, m, d) in [(2011, 12, 9), (1997, 1, 1), (2400, 2, 29), (1900, 2, 28)] {
            let chrono_day = day_of_date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
            assert_eq!(civil_day(y, m, d), Ok(chrono_day), "{y}-{m}-{d}");
        }
    }

    #[test]
    fn iso_dates_and_times() {
        let p = auto();
        assert_eq!(p.parse("2024-03-05"), Ok(ymd(2024, 3, 5)));
        assert_eq!(p.parse(" 2024-03-05 "), Ok(ymd(2024, 3, 5)));
        assert_eq!(
            p.parse("2024-03-05 14:30"),
            Ok(ymd(2024, 3, 5) + 14 * HOUR + 30 * MINUTE)
        );
        assert_eq!(
            p.parse("2024-03-05T14:30:15"),
            Ok(ymd(2024, 3, 5) + 14 * HOUR + 30 * MINUTE + 15_000)
        );
        assert_eq!(
            p.parse("2024-03-05 14:30:15.25"),
            Ok(ymd(2024, 3, 5) + 14 * HOUR + 30 * MINUTE + 15_250)
        );
        assert_eq!(p.parse("2024/03/05"), Ok(ymd(2024, 3, 5)));
    }

    #[test]
    fn offsets_keep_the_written_date_without_tz() {
        let p = auto();
        // 23:30 at -05:00 is the next day in UTC, but the date written is the 5th.
        assert_eq!(
            p.parse("2024-03-05T23:30:00-05:00"),
            Ok(ymd(2024, 3, 5) + 23 * HOUR + 30 * MINUTE)
        );
        assert_eq!(p.parse("2024-03-05T23:30:00Z"), p.parse("2024-03-05 23:30"));
        assert_eq!(
            p.parse("2024-03-05T23:30:00+0200"),
            p.parse("2024-03-05 23:30")
        );
    }

    #[test]
    fn tz_moves_instants_but_not_naive_times() {
        let utc = DateParser::new(&DateFormat::Auto, Some(Zone::Fixed(0)));
        let day = |ms: i64| date_of_day(day_of(ms));
        let at = utc.parse("2024-03-05T23:30:00-05:00").unwrap();
        assert_eq!(day(at), NaiveDate::from_ymd_opt(2024, 3, 6).unwrap());
        let naive = utc.parse("2024-03-05 23:30").unwrap();
        assert_eq!(day(naive), NaiveDate::from_ymd_opt(2024, 3, 5).unwrap());

        let berlin = DateParser::new(
            &DateFormat::Auto,
            Some(Zone::parse("Europe/Berlin").unwrap()),
        );
        // 23:30 UTC in winter is 00:30 in Berlin; in summer (UTC+2) 22:30 UTC is 00:30.
        assert_eq!(
            day(berlin.parse("2024-01-15T23:30:00Z").unwrap()),
            NaiveDate::from_ymd_opt(2024, 1, 16).unwrap()
        );
        assert_eq!(
            day(berlin.parse("2024-07-15T22:30:00Z").unwrap()),
            NaiveDate::from_ymd_opt(2024, 7, 16).unwrap()
        );
        assert_eq!(
            day(berlin.parse("2024-07-15T21:30:00Z").unwrap()),
            NaiveDate::from_ymd_opt(2024, 7, 15).unwrap()
        );
    }

    #[test]
    fn compact_and_unix_forms() {
        let p = auto();
        assert_eq!(p.parse("19970101"), Ok(ymd(1997, 1, 1)));
        // 1700000000 s = 2023-11-14 22:13:20 UTC.
        let seconds = p.parse("1700000000").unwrap();
        assert_eq!(seconds, 1_700_000_000_000);
        assert_eq!(
            date_of_day(day_of(seconds)),
            NaiveDate::from_ymd_opt(2023, 11, 14).unwrap()
        );
        assert_eq!(p.parse("1700000000123"), Ok(1_700_000_000_123));
        assert_eq!(p.parse("123456"), Err(DateError::Unrecognised));
        assert_eq!(p.parse("12345678901"), Err(DateError::Unrecognised));
    }

    #[test]
    fn slashed_dates_need_an_order_unless_fields_agree() {
        let p = auto();
        assert_eq!(p.parse("3/4/2024"), Err(DateError::NeedsOrder));
        assert_eq!(p.parse("4/4/2024"), Ok(ymd(2024, 4, 4)));
        let dmy = DateParser::new(&DateFormat::Slash(SlashOrder::DayFirst), None);
        let mdy = DateParser::new(&DateFormat::Slash(SlashOrder::MonthFirst), None);
        assert_eq!(dmy.parse("3/4/2024"), Ok(ymd(2024, 4, 3)));
        assert_eq!(mdy.parse("3/4/2024"), Ok(ymd(2024, 3, 4)));
        assert_eq!(
            mdy.parse("12/1/2010 8:26"),
            Ok(ymd(2010, 12, 1) + 8 * HOUR + 26 * MINUTE)
        );
        assert_eq!(
            mdy.parse("12/1/2010 1:05 PM"),
            Ok(ymd(2010, 12, 1) + 13 * HOUR + 5 * MINUTE)
        );
        assert_eq!(
            mdy.parse("12/1/2010 12:05 AM"),
            Ok(ymd(2010, 12, 1) + 5 * MINUTE)
        );
        assert_eq!(dmy.parse("25/12/2024"), Ok(ymd(2024, 12, 25)));
        assert!(matches!(
            mdy.parse("25/12/2024"),
            Err(DateError::Impossible(_))
        ));
    }

    #[test]
    fn platform_date_forms() {
        let p = auto();
        let dmy = DateParser::new(&DateFormat::Slash(SlashOrder::DayFirst), None);
        let mdy = DateParser::new(&DateFormat::Slash(SlashOrder::MonthFirst), None);
        // Dashed and dotted day-month-year, 2-digit years (POSIX %y).
        assert_eq!(dmy.parse("21-07-2015"), Ok(ymd(2015, 7, 21)));
        assert_eq!(
            dmy.parse("16-05-2018 07:32:06"),
            Ok(ymd(2018, 5, 16) + 7 * HOUR + 32 * MINUTE + 6_000)
        );
        assert_eq!(dmy.parse("21.07.2015"), Ok(ymd(2015, 7, 21)));
        assert_eq!(mdy.parse("07/16/22"), Ok(ymd(2022, 7, 16)));
        assert_eq!(mdy.parse("12/31/68"), Ok(ymd(2068, 12, 31)));
        assert_eq!(mdy.parse("01/01/69"), Ok(ymd(1969, 1, 1)));
        assert_eq!(p.parse("3-4-2024"), Err(DateError::NeedsOrder));
        assert_eq!(p.parse("3/4.2024"), Err(DateError::Unrecognised));
        // Month names.
        assert_eq!(p.parse("11-Feb-13"), Ok(ymd(2013, 2, 11)));
        assert_eq!(p.parse("5-sep-2014"), Ok(ymd(2014, 9, 5)));
        assert_eq!(p.parse("3 March 2024"), Ok(ymd(2024, 3, 3)));
        assert_eq!(
            p.parse("3 Sept 2024 1:05 PM"),
            Ok(ymd(2024, 9, 3) + 13 * HOUR + 5 * MINUTE)
        );
        assert_eq!(p.parse("3 Mar 24"), Err(DateError::Unrecognised));
        assert_eq!(p.parse("22-F"), Err(DateError::Unrecognised));
        assert!(matches!(
            p.parse("30-Feb-13"),
            Err(DateError::Impossible(_))
        ));
        // An offset after a space, and UTC, keep the written date.
        assert_eq!(
            p.parse("2025-05-11 09:55:16 -0400"),
            Ok(ymd(2025, 5, 11) + 9 * HOUR + 55 * MINUTE + 16_000)
        );
        assert_eq!(
            p.parse("2023-08-28 20:18 UTC"),
            Ok(ymd(2023, 8, 28) + 20 * HOUR + 18 * MINUTE)
        );
        assert_eq!(slash_evidence("21-07-2015"), Some(SlashOrder::DayFirst));
        assert_eq!(slash_evidence("07/16/22"), Some(SlashOrder::MonthFirst));
        assert_eq!(slash_evidence("2015-07-21"), None);
    }

    #[test]
    fn slash_evidence_reads_the_fields() {
        assert_eq!(slash_evidence("25/12/2024"), Some(SlashOrder::DayFirst));
        assert_eq!(
            slash_evidence("12/25/2024 10:00"),
            Some(SlashOrder::MonthFirst)
        );
        assert_eq!(slash_evidence("12/11/2024"), None);
        assert_eq!(slash_evidence("2024-12-25"), None);
        assert!(is_slashed("1/2/2024"));
        assert!(!is_slashed("2024/01/02"));
    }

    #[test]
    fn impossible_and_malformed_values() {
        let p = auto();
        assert!(matches!(
            p.parse("2023-02-29"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(
            p.parse("2024-13-01"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(
            p.parse("2024-01-01 24:00"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(
            p.parse("2024-01-01 10:60"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(p.parse("20230229"), Err(DateError::Impossible(_))));
        for bad in [
            "",
            "yesterday",
            "2024-01",
            "2024-01-01x",
            "2024-01-01 10",
            "01.02.2024x",
            "2024-01-01 10:00 +25:00",
        ] {
            assert_eq!(p.parse(bad), Err(DateError::Unrecognised), "{bad:?}");
        }
    }

    #[test]
    fn strftime_patterns() {
        let p = DateParser::new(&DateFormat::parse("%d.%m.%Y %H:%M").unwrap(), None);
        assert_eq!(
            p.parse("05.03.2024 10:15"),
            Ok(ymd(2024, 3, 5) + 10 * HOUR + 15 * MINUTE)
        );
        let p = DateParser::new(&DateFormat::parse("%d.%m.%Y").unwrap(), None);
        assert_eq!(p.parse("05.03.2024"), Ok(ymd(2024, 3, 5)));
        assert_eq!(p.parse("2024-03-05"), Err(DateError::Unrecognised));
        assert!(DateFormat::parse("whatever").is_err());
    }

    #[test]
    fn zone_names_and_offsets() {
        assert_eq!(Zone::parse("UTC"), Ok(Zone::Fixed(0)));
        assert_eq!(Zone::parse("+05:30"), Ok(Zone::Fixed(19_800)));
        assert_eq!(Zone::parse("-0800"), Ok(Zone::Fixed(-28_800)));
        assert!(matches!(
            Zone::parse("America/New_York"),
            Ok(Zone::Named(_))
        ));
        assert!(Zone::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn years_outside_1900_to_2199_are_refused() {
        let p = auto();
        assert_eq!(
            p.parse("1900-01-01").and_then(check_range),
            Ok(ymd(1900, 1, 1))
        );
        assert_eq!(
            p.parse("2199-12-31 23:59:59").and_then(check_range),
            Ok(ymd(2199, 12, 31) + 86_399_000)
        );
        assert_eq!(
            p.parse("1899-12-31").and_then(check_range),
            Err(DateError::OutOfRange(1899))
        );
        assert_eq!(
            p.parse("2200-01-01").and_then(check_range),
            Err(DateError::OutOfRange(2200))
        );
        assert_eq!(
            p.parse("0001-01-01").and_then(check_range),
            Err(DateError::OutOfRange(1))
        );
        assert_eq!(
            p.parse("9999-12-31").and_then(check_range),
            Err(DateError::OutOfRange(9999))
        );
    }

    /// Found by fuzzing (tests/fuzz): a date of 22 digits overflowed the i64 its
    /// digits were folded into before its length was looked at (a panic where overflow
    /// is checked, a wrapped number elsewhere).
    #[test]
    fn a_long_run_of_digits_is_no_date_and_no_overflow() {
        let p = auto();
        assert_eq!(
            p.parse("7777777777771700000000"),
            Err(DateError::Unrecognised)
        );
        assert_eq!(p.parse(&"9".repeat(40)), Err(DateError::Unrecognised));
    }

    #[test]
    fn days_round_trip_before_the_epoch() {
        assert_eq!(day_of(-1), -1);
        assert_eq!(day_of(0), 0);
        assert_eq!(
            date_of_day(-1),
            NaiveDate::from_ymd_opt(1969, 12, 31).unwrap()
        );
    }

    mod round_trip {
        //! Every accepted form: format a random timestamp in it, read it back, same
        //! timestamp (minutes; the date alone for date-only forms).
        use super::*;
        use proptest::prelude::*;

        const MONTH_NAMES: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn every_date_form_round_trips(
                day in days::day_of_date(NaiveDate::from_ymd_opt(1969, 1, 1).unwrap())
                    ..days::day_of_date(NaiveDate::from_ymd_opt(2068, 12, 31).unwrap()),
                minute in 0i64..1440,
                form in 0usize..13,
            ) {
                let date = date_of_day(day);
                let (y, m, d) = (date.year(), date.month(), date.day());
                let (h, min) = (minute / 60, minute % 60);
                let (h12, meridiem) = match h { 0 => (12, "AM"), 1..=11 => (h, "AM"), 12 => (12, "PM"), _ => (h - 12, "PM") };
                let yy = y % 100;
                let mon = MONTH_NAMES[m as usize - 1];
                let (text, with_time) = match form {
                    0 => (format!("{y}-{m:02}-{d:02} {h:02}:{min:02}:00"), true),
                    1 => (format!("{y}-{m:02}-{d:02}T{h:02}:{min:02}:00Z"), true),
                    2 => (format!("{y}-{m:02}-{d:02} {h:02}:{min:02}:00 -0500"), true),
                    3 => (format!("{d}/{m}/{y} {h}:{min:02}"), true),
                    4 => (format!("{m}/{d}/{y} {h12}:{min:02} {meridiem}"), true),
                    5 => (format!("{d:02}-{m:02}-{y} {h:02}:{min:02}:00"), true),
                    6 => (format!("{d:02}.{m:02}.{y}"), false),
                    7 => (format!("{m:02}/{d:02}/{yy:02}"), false),
                    8 => (format!("{d:02}-{mon}-{yy:02}"), false),
                    9 => (format!("{d} {mon} {y} {h:02}:{min:02}"), true),
                    10 => (format!("{y}{m:02}{d:02}"), false),
                    11 => (format!("{d}-{}-{y}", MONTHS[m as usize - 1]), false),
                    _ => (format!("{y}/{m:02}/{d:02} {h12}:{min:02}:00 {meridiem} UTC"), true),
                };
                // Day-first forms are 3, 5, 6; month-first 4 and 7.
                let order = match form {
                    3 | 5 | 6 => SlashOrder::DayFirst,
                    _ => SlashOrder::MonthFirst,
                };
                let parser = DateParser::new(&DateFormat::Slash(order), None);
                let expected = i64::from(day) * MS_PER_DAY + if with_time { minute * 60_000 } else { 0 };
                prop_assert_eq!(parser.parse(&text), Ok(expected), "{}", text);
                // The evidence a value gives never contradicts how it was written.
                if let Some(seen) = slash_evidence(&text) {
                    prop_assert_eq!(seen, order, "{}", text);
                }
            }
        }
    }
}
