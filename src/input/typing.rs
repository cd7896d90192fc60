//! Typing one row's values (contract §1 steps 1–3), shared by CSV and Parquet rows:
//! the date with the file's day/month order as it is settled, the line amount in
//! fixed point, and a problem naming line, column and value where a value cannot be
//! read.

use super::columns::Role;
use super::dates::{
    self, is_slashed, slash_evidence, DateError, DateFormat, DateParser, SlashOrder,
};
use super::schema::ValueOptions;
use super::span::Span;
use crate::money::Money;

/// A value that cannot be read, and where.
pub(super) struct Problem {
    pub(super) line: u64,
    pub(super) role: Option<Role>,
    pub(super) value: String,
    pub(super) problem: String,
    pub(super) hint: String,
}

pub(super) const SKIP_HINT: &str = "pass --skip-invalid to drop such rows (they are counted)";
pub(super) const NEEDS_ORDER_HINT: &str = "no date in this file shows whether it is day/month or month/day; pass --date-format dmy (day first) or --date-format mdy (month first)";

/// Reads the dates of one file; the day/month order is settled as evidence comes.
#[derive(Clone)]
pub(super) struct DateReading {
    pub(super) parser: DateParser,
    pub(super) day_first: DateParser,
    pub(super) month_first: DateParser,
    /// Automatic format and no order decided yet.
    pub(super) undecided: bool,
}

impl DateReading {
    pub(super) fn new(options: &ValueOptions) -> DateReading {
        let slash = |order| DateParser::new(&DateFormat::Slash(order), options.zone);
        DateReading {
            parser: DateParser::new(&options.date_format, options.zone),
            day_first: slash(SlashOrder::DayFirst),
            month_first: slash(SlashOrder::MonthFirst),
            undecided: options.date_format == DateFormat::Auto,
        }
    }

    pub(super) fn decide(&mut self, order: SlashOrder) {
        self.parser.order = Some(order);
        self.undecided = false;
    }
}

/// The first line showing each day/month order.
#[derive(Default)]
pub(super) struct Evidence {
    pub(super) day_first: Option<(u64, String)>,
    pub(super) month_first: Option<(u64, String)>,
}

impl Evidence {
    pub(super) fn note(&mut self, order: SlashOrder, line: u64, text: &str) {
        let slot = match order {
            SlashOrder::DayFirst => &mut self.day_first,
            SlashOrder::MonthFirst => &mut self.month_first,
        };
        if slot.as_ref().is_none_or(|(seen, _)| *seen > line) {
            *slot = Some((line, text.to_string()));
        }
    }

    pub(super) fn merge(&mut self, other: Evidence) {
        for (order, found) in [
            (SlashOrder::DayFirst, other.day_first),
            (SlashOrder::MonthFirst, other.month_first),
        ] {
            if let Some((line, text)) = found {
                self.note(order, line, &text);
            }
        }
    }
}

/// The typed rows of one part of a block, with spans for the ids.
#[derive(Default)]
pub(super) struct Chunk {
    pub(super) customer: Vec<Span>,
    pub(super) order: Vec<Span>,
    pub(super) product: Vec<Span>,
    pub(super) category: Vec<Span>,
    pub(super) name: Vec<Span>,
    pub(super) ts: Vec<i64>,
    /// `NO_AMOUNT` where unknown.
    pub(super) amount: Vec<i64>,
    /// The sum of the absolute values of the known amounts (see `money::SUM_LIMIT`).
    pub(super) magnitude: u128,
    /// The line (a Parquet file's row) of each typed row, for messages.
    pub(super) line: Vec<u64>,
    pub(super) scratch: Vec<u8>,
    pub(super) rows: u64,
    pub(super) guest_rows: u64,
    pub(super) invalid_rows: u64,
    pub(super) problem: Option<Problem>,
    pub(super) evidence: Evidence,
    /// Rows read month-first for now, with their day-first timestamp.
    pub(super) pending: Vec<(usize, i64)>,
    pub(super) first_pending: Option<(u64, String)>,
}

/// A row's values, trimmed; empty means missing.
pub(super) struct RowValues<'a> {
    pub(super) date: DateValue<'a>,
    pub(super) amount: Number<'a>,
    pub(super) quantity: Number<'a>,
    pub(super) unit_price: Number<'a>,
}

/// A number as text to parse, or already in fixed point (typed Parquet columns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Number<'a> {
    Text(&'a [u8]),
    Fixed(Option<i64>),
}

impl Number<'_> {
    fn is_missing(&self) -> bool {
        matches!(self, Number::Text([]) | Number::Fixed(None))
    }
}

pub(super) enum DateValue<'a> {
    Text(&'a [u8]),
    Millis(Option<i64>),
}

pub(super) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Chunk {
    /// A chunk with room for `rows` typed rows, so its columns never grow by doubling.
    pub(super) fn with_capacity(rows: usize) -> Chunk {
        Chunk {
            customer: Vec::with_capacity(rows),
            order: Vec::with_capacity(rows),
            product: Vec::with_capacity(rows),
            category: Vec::with_capacity(rows),
            ts: Vec::with_capacity(rows),
            amount: Vec::with_capacity(rows),
            line: Vec::with_capacity(rows),
            ..Chunk::default()
        }
    }

    /// Types one non-guest row: its timestamp and amount, or the problem.
    pub(super) fn type_row(
        &mut self,
        line: u64,
        values: &RowValues,
        dates: &DateReading,
    ) -> std::result::Result<(i64, Option<i64>), Problem> {
        let (ts, day_first) = match values.date {
            DateValue::Millis(Some(ms)) => (ms, None),
            DateValue::Millis(None) => {
                return Err(date_problem(line, b"", &DateError::Unrecognised))
            }
            DateValue::Text(raw) => {
                let parsed = std::str::from_utf8(raw)
                    .map_err(|_| DateError::Unrecognised)
                    .and_then(|t| self.read_date(line, t, dates));
                parsed.map_err(|e| date_problem(line, raw, &e))?
            }
        };
        dates::check_range(ts).map_err(|e| {
            let shown = match values.date {
                DateValue::Text(raw) => text(raw),
                DateValue::Millis(_) => {
                    crate::days::date_of_day(crate::days::day_of(ts)).to_string()
                }
            };
            date_problem(line, shown.as_bytes(), &e)
        })?;
        let amount =
            line_amount(values.amount, values.quantity, values.unit_price).map_err(|error| {
                let (role, value, problem) = *error;
                Problem {
                    line,
                    role: Some(role),
                    value,
                    problem,
                    hint: format!(
                    "fix the value, {SKIP_HINT}, or choose another column with --map {role}=COLUMN"
                ),
                }
            })?;
        if let Some(alternative) = day_first {
            // Only a text date can be ambiguous.
            if let (None, DateValue::Text(raw)) = (&self.first_pending, &values.date) {
                self.first_pending = Some((line, text(raw)));
            }
            self.pending.push((self.ts.len(), alternative));
        }
        if let Some(amount) = amount {
            self.magnitude += u128::from(amount.0.unsigned_abs());
        }
        Ok((ts, amount.map(|m| m.0)))
    }

    /// A timestamp, and for an ambiguous slashed date read month-first for now, its
    /// day-first reading.
    fn read_date(
        &mut self,
        line: u64,
        text: &str,
        dates: &DateReading,
    ) -> std::result::Result<(i64, Option<i64>), DateError> {
        if !dates.undecided || !is_slashed(text) {
            return dates.parser.parse(text).map(|ts| (ts, None));
        }
        match slash_evidence(text) {
            Some(order) => {
                self.evidence.note(order, line, text);
                let parser = if order == SlashOrder::DayFirst {
                    &dates.day_first
                } else {
                    &dates.month_first
                };
                parser.parse(text).map(|ts| (ts, None))
            }
            None => {
                let month_first = dates.month_first.parse(text)?;
                let day_first = dates.day_first.parse(text)?;
                Ok((month_first, (day_first != month_first).then_some(day_first)))
            }
        }
    }

    pub(super) fn skip_or_stop(&mut self, problem: Problem, skip_invalid: bool) -> bool {
        if skip_invalid {
            self.invalid_rows += 1;
            true
        } else {
            self.problem = Some(problem);
            false
        }
    }
}

fn date_problem(line: u64, raw: &[u8], error: &DateError) -> Problem {
    let hint = match error {
        DateError::NeedsOrder => NEEDS_ORDER_HINT.to_string(),
        _ => format!("fix the value, {SKIP_HINT}, or --date-format PATTERN for another layout"),
    };
    Problem {
        line,
        role: Some(Role::Date),
        value: text(raw),
        problem: if raw.is_empty() {
            "the date is empty".to_string()
        } else {
            error.describe()
        },
        hint,
    }
}

/// A value that cannot be used for the amount: its role, its text and the problem.
/// Boxed, so that the common result (a known amount) stays small.
type AmountError = Box<(Role, String, String)>;

/// A number for `role` in fixed point, within the limit of a value.
#[inline(always)]
fn number(role: Role, value: Number) -> std::result::Result<Money, AmountError> {
    use crate::money::NumberError;
    match value {
        Number::Fixed(fixed) => {
            let fixed = fixed.unwrap_or(0);
            Money::checked(fixed).map_err(|e| {
                Box::new((
                    role,
                    Money(fixed).to_string(),
                    format!("the {role} is {}", e.describe()),
                ))
            })
        }
        Number::Text(raw) => std::str::from_utf8(raw)
            .map_err(|_| NumberError::NotANumber)
            .and_then(Money::parse)
            .map_err(|e| Box::new((role, text(raw), format!("the {role} is {}", e.describe())))),
    }
}

/// Line amount: `amount`, else `quantity × unit_price`, else unknown (contract §1 step 3).
fn line_amount(
    amount: Number,
    quantity: Number,
    unit_price: Number,
) -> std::result::Result<Option<Money>, AmountError> {
    if !amount.is_missing() {
        return number(Role::Amount, amount).map(Some);
    }
    if quantity.is_missing() || unit_price.is_missing() {
        return Ok(None);
    }
    let (quantity, unit_price) = (
        number(Role::Quantity, quantity)?,
        number(Role::UnitPrice, unit_price)?,
    );
    Money::times(quantity, unit_price).map(Some).map_err(|e| {
        Box::new((
            Role::UnitPrice,
            unit_price.to_string(),
            format!(
                "quantity {quantity} × unit price {unit_price} is {}",
                e.describe()
            ),
        ))
    })
}

#[cfg(test)]
mod tests {

    use super::*;

    fn m(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    #[test]
    fn amount_comes_first_then_quantity_times_price() {
        let t = |raw: &'static str| Number::Text(raw.as_bytes());
        assert_eq!(line_amount(t("9.99"), t("2"), t("1")), Ok(Some(m("9.99"))));
        assert_eq!(line_amount(t(""), t("2"), t("1.50")), Ok(Some(m("3"))));
        assert_eq!(line_amount(t(""), t("-3"), t("2.10")), Ok(Some(m("-6.3"))));
        assert_eq!(line_amount(t(""), t("2"), t("")), Ok(None));
        assert_eq!(line_amount(t(""), t(""), t("")), Ok(None));
        // Typed Parquet numbers arrive in fixed point already.
        let f = |v: Option<i64>| Number::Fixed(v);
        assert_eq!(
            line_amount(f(None), f(Some(20_000)), t("1.25")),
            Ok(Some(m("2.5")))
        );
        assert_eq!(
            line_amount(f(Some(-5_000)), f(None), f(None)),
            Ok(Some(m("-0.5")))
        );
    }

    #[test]
    fn a_value_used_for_the_amount_must_be_a_number() {
        let t = |raw: &'static str| Number::Text(raw.as_bytes());
        let (role, value, _) = *line_amount(t("12,50"), t(""), t("")).unwrap_err();
        assert_eq!((role, value.as_str()), (Role::Amount, "12,50"));
        let (role, value, _) = *line_amount(t(""), t("two"), t("1")).unwrap_err();
        assert_eq!((role, value.as_str()), (Role::Quantity, "two"));
        let (role, value, problem) =
            *line_amount(t(""), t("99999999999999"), t("99999999999999")).unwrap_err();
        assert_eq!((role, value.as_str()), (Role::UnitPrice, "99999999999999"));
        assert_eq!(
            problem,
            "quantity 99999999999999 × unit price 99999999999999 is too large for an amount (over 10^14)"
        );
        // A bad quantity is not used when the amount is there, so it is no error.
        assert_eq!(line_amount(t("5"), t("two"), t("")), Ok(Some(m("5"))));
    }
}
