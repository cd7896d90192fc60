//! Typing one row's values (contract §1 steps 1–3), shared by CSV and Parquet rows:
//! the date with the file's day/month order as it is settled, the line amount in
//! fixed point, and a problem naming line, column and value where a value cannot be
//! read.

use super::columns::Role;
use super::dates::{
    self, is_slashed, slash_evidence, DateError, DateFormat, DateParser, SlashOrder,
};
use super::numbers::{self, Decimal, Shape};
use super::schema::{ValueOptions, NO_AMOUNT};
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

/// Reads the values of one file: the day/month order of its dates and the decimal
/// separator of each money column are settled as evidence comes.
#[derive(Clone)]
pub(super) struct Reading {
    pub(super) parser: DateParser,
    pub(super) day_first: DateParser,
    pub(super) month_first: DateParser,
    /// Automatic format and no order decided yet.
    pub(super) undecided: bool,
    /// The decimal separator of each money column (`MONEY_ROLES`), as decided so far.
    pub(super) decimals: [Decimal; 4],
    /// The file's separator for columns that show none.
    pub(super) default_decimal: Decimal,
    /// Columns still on `default_decimal` for want of evidence (bit per column).
    pub(super) decimal_undecided: u8,
    /// `--decimal` settles every column.
    pub(super) decimal_forced: bool,
    pub(super) amount_rule: AmountRule,
}

/// How a file's line amount is made of its columns (platforms §2).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct AmountRule {
    /// 1: amount + adjust, -1: amount − adjust, 0: no adjusting column.
    pub(super) adjust_sign: i8,
    /// An empty amount is 0 rather than unknown (order fields on the first line only).
    pub(super) empty_is_zero: bool,
}

/// The money columns whose decimal separator is decided, in the order of
/// `Reading::decimals`: amount, quantity, unit price and the amount's adjusting column.
pub(super) const MONEY_ROLES: [Role; 4] =
    [Role::Amount, Role::Quantity, Role::UnitPrice, Role::Amount];

impl Reading {
    pub(super) fn new(
        options: &ValueOptions,
        default_decimal: Decimal,
        amount_rule: AmountRule,
    ) -> Reading {
        let slash = |order| DateParser::new(&DateFormat::Slash(order), options.zone);
        let decimal = options.decimal.unwrap_or(default_decimal);
        Reading {
            parser: DateParser::new(&options.date_format, options.zone),
            day_first: slash(SlashOrder::DayFirst),
            month_first: slash(SlashOrder::MonthFirst),
            undecided: options.date_format == DateFormat::Auto,
            decimals: [decimal; 4],
            default_decimal: decimal,
            decimal_undecided: if options.decimal.is_some() { 0 } else { 0b1111 },
            decimal_forced: options.decimal.is_some(),
            amount_rule,
        }
    }

    pub(super) fn decide(&mut self, order: SlashOrder) {
        self.parser.order = Some(order);
        self.undecided = false;
    }

    pub(super) fn decide_decimal(&mut self, column: usize, decimal: Decimal) {
        self.decimals[column] = decimal;
        self.decimal_undecided &= !(1 << column);
    }
}

/// The first line showing each decimal separator, per money column.
#[derive(Default)]
pub(super) struct DecimalEvidence {
    /// `[column][0 point, 1 comma]`: (line, value).
    pub(super) shows: [[Option<(u64, String)>; 2]; 4],
}

impl DecimalEvidence {
    fn note(&mut self, column: usize, decimal: Decimal, line: u64, raw: &[u8]) {
        let slot = &mut self.shows[column][decimal as usize];
        if slot.as_ref().is_none_or(|(seen, _)| *seen > line) {
            *slot = Some((line, text(raw)));
        }
    }

    pub(super) fn merge(&mut self, other: DecimalEvidence) {
        for (column, found) in other.shows.into_iter().enumerate() {
            for (decimal, first) in found.into_iter().enumerate() {
                if let Some((line, value)) = first {
                    let decimal = if decimal == 0 {
                        Decimal::Point
                    } else {
                        Decimal::Comma
                    };
                    self.note(column, decimal, line, value.as_bytes());
                }
            }
        }
    }
}

pub(super) const NO_COLUMN: u8 = u8::MAX;

/// A row whose amount depends on the separator of columns not yet decided: its
/// amount for each way they may be decided (bit k of the index: `columns[k]` read
/// with the other separator than the file's default).
#[derive(Clone, Copy, Debug)]
pub(super) struct MoneyPending {
    /// Indexes into `MONEY_ROLES`; `NO_COLUMN` where the amount waits for one only.
    pub(super) row: usize,
    pub(super) columns: [u8; 2],
    pub(super) amounts: [i64; 4],
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
    /// Each row's status (empty where the row has none), with status columns only.
    pub(super) status: Vec<Span>,
    pub(super) decimal_evidence: DecimalEvidence,
    pub(super) money_pending: Vec<MoneyPending>,
    /// Bit `2 × column + decimal`: this chunk noted that evidence already (its first
    /// line is the chunk's earliest, so later ones need no look).
    pub(super) noted: u8,
}

/// A row's values, trimmed; empty means missing.
pub(super) struct RowValues<'a> {
    pub(super) date: DateValue<'a>,
    pub(super) amount: Number<'a>,
    pub(super) quantity: Number<'a>,
    pub(super) unit_price: Number<'a>,
    /// The column a platform adds to or takes from the amount (`AmountRule`).
    pub(super) adjust: Number<'a>,
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
    /// Room for `rows` more typed rows in the columns every row fills.
    pub(super) fn reserve(&mut self, rows: usize) {
        self.customer.reserve(rows);
        self.order.reserve(rows);
        self.product.reserve(rows);
        self.category.reserve(rows);
        self.ts.reserve(rows);
        self.amount.reserve(rows);
        self.line.reserve(rows);
    }

    /// An empty chunk that keeps this one's buffers: chunks are made for every block,
    /// and memory given back and asked for again costs the kernel a zeroing each time.
    pub(super) fn recycled(self) -> Chunk {
        fn empty<T>(mut values: Vec<T>) -> Vec<T> {
            values.clear();
            values
        }
        Chunk {
            customer: empty(self.customer),
            order: empty(self.order),
            product: empty(self.product),
            category: empty(self.category),
            name: empty(self.name),
            ts: empty(self.ts),
            amount: empty(self.amount),
            line: empty(self.line),
            scratch: empty(self.scratch),
            status: empty(self.status),
            pending: empty(self.pending),
            money_pending: empty(self.money_pending),
            ..Chunk::default()
        }
    }

    /// Types one non-guest row: its timestamp and amount, or the problem.
    pub(super) fn type_row(
        &mut self,
        line: u64,
        values: &RowValues,
        dates: &Reading,
    ) -> std::result::Result<(i64, Option<i64>), Problem> {
        let (ts, day_first) = match values.date {
            DateValue::Millis(Some(ms)) => (ms, None),
            DateValue::Millis(None) => {
                return Err(date_problem(line, b"", &DateError::Unrecognised))
            }
            DateValue::Text(raw) => match dates.parser.parse_iso(raw) {
                Some(ts) => (ts, None),
                None => {
                    let parsed = std::str::from_utf8(raw)
                        .map_err(|_| DateError::Unrecognised)
                        .and_then(|t| self.read_date(line, t, dates));
                    parsed.map_err(|e| date_problem(line, raw, &e))?
                }
            },
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
        let amount = self.read_amount(line, values, dates)?;
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

    /// The row's line amount under the columns' decimal separators as decided so far;
    /// notes what each value shows about its column's separator, and for values that
    /// could be read either way in columns not yet decided, the amount each way.
    fn read_amount(
        &mut self,
        line: u64,
        values: &RowValues,
        reading: &Reading,
    ) -> std::result::Result<Option<Money>, Problem> {
        let mut shapes = [None; 4];
        let amount = line_amount(values, reading.amount_rule, reading.decimals, &mut shapes)
            .map_err(|error| amount_problem(line, *error))?;
        let raws = [
            values.amount,
            values.quantity,
            values.unit_price,
            values.adjust,
        ];
        let mut ambiguous = [NO_COLUMN; 2];
        let mut count = 0;
        for (column, shape) in shapes.iter().enumerate() {
            let raw = match raws[column] {
                Number::Text(raw) => raw,
                Number::Fixed(_) => continue,
            };
            match *shape {
                Some(Shape::Shows(d))
                    if reading.decimal_forced && d != reading.decimals[column] =>
                {
                    let role = MONEY_ROLES[column];
                    return Err(Problem {
                        line,
                        role: Some(role),
                        value: text(raw),
                        problem: format!(
                            "this {role} is written with a decimal {}, but --decimal {} was given",
                            separator_name(d),
                            reading.decimals[column].char()
                        ),
                        hint: format!("pass --decimal {} or fix the value; {SKIP_HINT}", d.char()),
                    });
                }
                Some(Shape::Shows(d)) if !reading.decimal_forced => {
                    let bit = 1 << (2 * column + d as usize);
                    if self.noted & bit == 0 {
                        self.noted |= bit;
                        self.decimal_evidence.note(column, d, line, raw);
                    }
                }
                // At most two money columns make one amount.
                Some(Shape::Ambiguous(_))
                    if reading.decimal_undecided & (1 << column) != 0 && count < 2 =>
                {
                    ambiguous[count] = column as u8;
                    count += 1;
                }
                _ => {}
            }
        }
        if count > 0 {
            let mut amounts = [amount.map_or(NO_AMOUNT, |m| m.0); 4];
            for (index, slot) in amounts.iter_mut().enumerate().take(1 << count).skip(1) {
                let mut decimals = reading.decimals;
                for (k, &column) in ambiguous[..count].iter().enumerate() {
                    if index & (1 << k) != 0 {
                        decimals[column as usize] = reading.default_decimal.other();
                    }
                }
                // A reading the values do not allow keeps the default's amount.
                if let Ok(other) =
                    line_amount(values, reading.amount_rule, decimals, &mut [None; 4])
                {
                    *slot = other.map_or(NO_AMOUNT, |m| m.0);
                }
            }
            // The bound on every sum (see `magnitude`) holds whichever way is decided.
            let largest = amounts[1..]
                .iter()
                .filter(|&&a| a != NO_AMOUNT)
                .map(|a| a.unsigned_abs())
                .max();
            self.magnitude += u128::from(largest.unwrap_or(0));
            self.money_pending.push(MoneyPending {
                row: self.ts.len(),
                columns: ambiguous,
                amounts,
            });
        }
        Ok(amount)
    }

    /// A timestamp, and for an ambiguous slashed date read month-first for now, its
    /// day-first reading.
    fn read_date(
        &mut self,
        line: u64,
        text: &str,
        dates: &Reading,
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

/// A customer id made only of `#`: Excel's "column too narrow" (platforms §1 rule 3).
pub(super) fn hashes_problem(line: u64, raw: &[u8]) -> Problem {
    Problem {
        line,
        role: Some(Role::Customer),
        value: text(raw),
        problem: "the customer id is only # signs: a spreadsheet wrote a column too narrow for it"
            .to_string(),
        hint: format!(
            "export the file again from the shop, not from a spreadsheet, or {SKIP_HINT}"
        ),
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

fn separator_name(decimal: Decimal) -> &'static str {
    match decimal {
        Decimal::Point => "point",
        Decimal::Comma => "comma",
    }
}

fn amount_problem(line: u64, (role, value, problem): (Role, String, String)) -> Problem {
    Problem {
        line,
        role: Some(role),
        value,
        problem,
        hint: format!(
            "fix the value, {SKIP_HINT}, or choose another column with --map {role}=COLUMN"
        ),
    }
}

/// A value that cannot be used for the amount: its role, its text and the problem.
/// Boxed, so that the common result (a known amount) stays small.
type AmountError = Box<(Role, String, String)>;

/// The number in money column `column` in fixed point, within the limit of a value;
/// notes its shape.
#[inline(always)]
fn number(
    column: usize,
    value: Number,
    decimal: Decimal,
    shapes: &mut [Option<Shape>; 4],
) -> std::result::Result<Money, AmountError> {
    let role = MONEY_ROLES[column];
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
        Number::Text(raw) => match numbers::read(raw, decimal) {
            Ok((money, shape)) => {
                shapes[column] = Some(shape);
                Ok(money)
            }
            Err(e) => Err(Box::new((
                role,
                text(raw),
                format!("the {role} is {}", e.describe()),
            ))),
        },
    }
}

/// Line amount (contract §1 step 3): `amount` (adjusted by a platform's column),
/// else `quantity × unit_price`, else unknown; under each money column's decimal
/// separator.
#[inline(always)]
fn line_amount(
    values: &RowValues,
    rule: AmountRule,
    decimals: [Decimal; 4],
    shapes: &mut [Option<Shape>; 4],
) -> std::result::Result<Option<Money>, AmountError> {
    if !values.amount.is_missing() {
        let amount = number(0, values.amount, decimals[0], shapes)?;
        if rule.adjust_sign == 0 || values.adjust.is_missing() {
            return Ok(Some(amount));
        }
        let adjust = number(3, values.adjust, decimals[3], shapes)?;
        // Both are within 10^18 ten-thousandths, so neither sum wraps.
        let total = if rule.adjust_sign < 0 {
            amount.0 - adjust.0
        } else {
            amount.0 + adjust.0
        };
        return Money::checked(total).map(Some).map_err(|e| {
            Box::new((
                Role::Amount,
                Money(total).to_string(),
                format!("the amount is {}", e.describe()),
            ))
        });
    }
    if rule.empty_is_zero {
        return Ok(Some(Money(0)));
    }
    if values.quantity.is_missing() || values.unit_price.is_missing() {
        return Ok(None);
    }
    let (quantity, unit_price) = (
        number(1, values.quantity, decimals[1], shapes)?,
        number(2, values.unit_price, decimals[2], shapes)?,
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

    fn amount(
        amount: Number,
        quantity: Number,
        unit_price: Number,
    ) -> std::result::Result<Option<Money>, AmountError> {
        let values = RowValues {
            date: DateValue::Text(b""),
            amount,
            quantity,
            unit_price,
            adjust: Number::Text(b""),
        };
        line_amount(
            &values,
            AmountRule::default(),
            [Decimal::Point; 4],
            &mut [None; 4],
        )
    }

    #[test]
    fn amount_comes_first_then_quantity_times_price() {
        let t = |raw: &'static str| Number::Text(raw.as_bytes());
        assert_eq!(amount(t("9.99"), t("2"), t("1")), Ok(Some(m("9.99"))));
        assert_eq!(amount(t(""), t("2"), t("1.50")), Ok(Some(m("3"))));
        assert_eq!(amount(t(""), t("-3"), t("2.10")), Ok(Some(m("-6.3"))));
        assert_eq!(amount(t(""), t("2"), t("")), Ok(None));
        assert_eq!(amount(t(""), t(""), t("")), Ok(None));
        // Typed Parquet numbers arrive in fixed point already.
        let f = |v: Option<i64>| Number::Fixed(v);
        assert_eq!(
            amount(f(None), f(Some(20_000)), t("1.25")),
            Ok(Some(m("2.5")))
        );
        assert_eq!(
            amount(f(Some(-5_000)), f(None), f(None)),
            Ok(Some(m("-0.5")))
        );
    }

    #[test]
    fn a_value_used_for_the_amount_must_be_a_number() {
        let t = |raw: &'static str| Number::Text(raw.as_bytes());
        let (role, value, _) = *amount(t("12%"), t(""), t("")).unwrap_err();
        assert_eq!((role, value.as_str()), (Role::Amount, "12%"));
        let (role, value, _) = *amount(t(""), t("two"), t("1")).unwrap_err();
        assert_eq!((role, value.as_str()), (Role::Quantity, "two"));
        let (role, value, problem) =
            *amount(t(""), t("99999999999999"), t("99999999999999")).unwrap_err();
        assert_eq!((role, value.as_str()), (Role::UnitPrice, "99999999999999"));
        assert_eq!(
            problem,
            "quantity 99999999999999 × unit price 99999999999999 is too large for an amount (over 10^14)"
        );
        // A bad quantity is not used when the amount is there, so it is no error.
        assert_eq!(amount(t("5"), t("two"), t("")), Ok(Some(m("5"))));
    }

    #[test]
    fn platform_amount_rules() {
        let t = |raw: &'static str| Number::Text(raw.as_bytes());
        let values = |a: &'static str, adjust: &'static str| RowValues {
            date: DateValue::Text(b""),
            amount: t(a),
            quantity: t("1"),
            unit_price: t("10.00"),
            adjust: t(adjust),
        };
        let minus_first_line = AmountRule {
            adjust_sign: -1,
            empty_is_zero: true,
        };
        let run = |v: &RowValues, rule| line_amount(v, rule, [Decimal::Point; 4], &mut [None; 4]);
        // Shopify: Total − Refunded Amount on the first line, 0 on the others.
        assert_eq!(
            run(&values("750.00", "195.00"), minus_first_line),
            Ok(Some(m("555")))
        );
        assert_eq!(run(&values("", ""), minus_first_line), Ok(Some(m("0"))));
        // Olist: price + freight; an empty freight counts 0; no price falls back.
        let plus = AmountRule {
            adjust_sign: 1,
            empty_is_zero: false,
        };
        assert_eq!(run(&values("29.99", "8.72"), plus), Ok(Some(m("38.71"))));
        assert_eq!(run(&values("29.99", ""), plus), Ok(Some(m("29.99"))));
        assert_eq!(run(&values("", "8.72"), plus), Ok(Some(m("10"))));
    }
}
