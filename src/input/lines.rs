//! From a file's text columns to typed order lines (contract §1 steps 1–3): ids trimmed,
//! guest rows dropped and counted, dates read with the file's day/month order, line
//! amounts in fixed point. Invalid rows are an error naming file, line, column and
//! value, or with `--skip-invalid` dropped and counted.

use polars::prelude::*;

use super::columns::Role;
use super::dates::{self, DateError, DateFormat, DateParser, SlashOrder, Zone};
use super::money::Money;
use super::read::RawFile;
use crate::error::{Error, Result};

/// Names of the columns of the typed line table.
pub mod col_name {
    pub const CUSTOMER: &str = "customer";
    pub const ORDER: &str = "order";
    /// Groups lines into orders: the timestamp for lines without an order id, else 0.
    pub const ORDER_TS: &str = "order_ts";
    pub const TS: &str = "ts";
    pub const DAY: &str = "day";
    pub const AMOUNT: &str = "amount";
    pub const PRODUCT: &str = "product";
    pub const CATEGORY: &str = "category";
}

/// How to read the values of every file.
#[derive(Clone, Debug, Default)]
pub struct ValueOptions {
    pub date_format: DateFormat,
    pub zone: Option<Zone>,
    pub skip_invalid: bool,
}

/// One file's typed lines and what was dropped on the way.
pub struct FileLines {
    pub frame: DataFrame,
    pub guest_rows: u64,
    pub invalid_rows: u64,
    pub slash_order: Option<SlashOrder>,
}

/// Trimmed text, empty as missing.
fn clean(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn text_column(raw: &RawFile, role: Role) -> Result<Option<&StringChunked>> {
    match raw.frame.column(role.name()) {
        Ok(column) => column.str().map(Some).map_err(|e| {
            Error::file(
                &raw.name,
                format!("column for {role} is not text: {e}"),
                "report this as a bug",
            )
        }),
        Err(_) => Ok(None),
    }
}

/// Reads the dates of a file: text, or a typed Parquet column already in milliseconds.
enum DateValues<'a> {
    Text(&'a StringChunked),
    Millis(Vec<Option<i64>>),
}

fn date_values(raw: &RawFile) -> Result<DateValues<'_>> {
    let column = raw
        .frame
        .column(Role::Date.name())
        .map_err(Error::internal)?;
    let physical = |c: &Column| -> Result<Vec<Option<i64>>> {
        let as_i64 = c
            .to_physical_repr()
            .cast(&DataType::Int64)
            .map_err(Error::internal)?;
        let values = as_i64.i64().map_err(Error::internal)?;
        Ok(values.iter().collect())
    };
    Ok(match column.dtype() {
        DataType::Date => DateValues::Millis(
            physical(column)?
                .into_iter()
                .map(|d| d.map(|d| d * dates::MS_PER_DAY))
                .collect(),
        ),
        DataType::Datetime(unit, _) => {
            let per_ms = match unit {
                TimeUnit::Nanoseconds => 1_000_000,
                TimeUnit::Microseconds => 1_000,
                TimeUnit::Milliseconds => 1,
            };
            DateValues::Millis(
                physical(column)?
                    .into_iter()
                    .map(|v| v.map(|v| v.div_euclid(per_ms)))
                    .collect(),
            )
        }
        _ => DateValues::Text(column.str().map_err(Error::internal)?),
    })
}

/// Decides the day/month order of a file's slashed dates from the values themselves.
fn decide_slash_order(
    raw: &RawFile,
    dates: &StringChunked,
    customers: &StringChunked,
) -> Result<Option<SlashOrder>> {
    let mut day_first: Option<(usize, &str)> = None;
    let mut month_first: Option<(usize, &str)> = None;
    for (row, (date, customer)) in dates.iter().zip(customers.iter()).enumerate() {
        let (Some(date), Some(_)) = (date, clean(customer)) else {
            continue;
        };
        match dates::slash_evidence(date) {
            Some(SlashOrder::DayFirst) if day_first.is_none() => day_first = Some((row, date)),
            Some(SlashOrder::MonthFirst) if month_first.is_none() => {
                month_first = Some((row, date))
            }
            _ => {}
        }
        if day_first.is_some() && month_first.is_some() {
            break;
        }
    }
    match (day_first, month_first) {
        (Some((row, value)), Some((other_row, other))) => {
            let other_line = raw.locate(other_row, Role::Date, None).line.unwrap_or(0);
            Err(Error::input(
                raw.locate(row, Role::Date, Some(value)),
                format!("this date is day-first, but line {other_line} ({other:?}) is month-first"),
                "one file must use one order; pass --date-format dmy or mdy, or fix the odd rows",
            ))
        }
        (Some(_), None) => Ok(Some(SlashOrder::DayFirst)),
        (None, Some(_)) => Ok(Some(SlashOrder::MonthFirst)),
        (None, None) => Ok(None),
    }
}

/// Types one file's lines.
pub fn type_lines(raw: &RawFile, options: &ValueOptions) -> Result<FileLines> {
    // `columns::detect` refuses a file without a customer column, so it is here.
    let customers = text_column(raw, Role::Customer)?.expect("the customer role is required");
    let orders = text_column(raw, Role::Order)?;
    let amounts = text_column(raw, Role::Amount)?;
    let quantities = text_column(raw, Role::Quantity)?;
    let prices = text_column(raw, Role::UnitPrice)?;
    let products = text_column(raw, Role::Product)?;
    let categories = text_column(raw, Role::Category)?;
    let date_values = date_values(raw)?;

    let mut parser = DateParser::new(&options.date_format, options.zone);
    if let (DateFormat::Auto, DateValues::Text(dates)) = (&options.date_format, &date_values) {
        parser.order = decide_slash_order(raw, dates, customers)?;
    }

    let height = raw.frame.height();
    let mut keep = Vec::with_capacity(height);
    let mut ts_values = Vec::with_capacity(height);
    let mut amount_values: Vec<Option<i64>> = Vec::with_capacity(height);
    let (mut guest_rows, mut invalid_rows) = (0u64, 0u64);

    let mut date_text = match &date_values {
        DateValues::Text(ca) => Some(ca.iter()),
        DateValues::Millis(_) => None,
    };
    let (mut amount_iter, mut quantity_iter, mut price_iter) = (
        amounts.map(|c| c.iter()),
        quantities.map(|c| c.iter()),
        prices.map(|c| c.iter()),
    );

    for (row, customer) in customers.iter().enumerate() {
        let date_text_value = date_text.as_mut().and_then(|it| it.next().flatten());
        let amount_text = amount_iter.as_mut().and_then(|it| it.next().flatten());
        let quantity_text = quantity_iter.as_mut().and_then(|it| it.next().flatten());
        let price_text = price_iter.as_mut().and_then(|it| it.next().flatten());

        if clean(customer).is_none() {
            guest_rows += 1;
            keep.push(false);
            continue;
        }
        let parsed = match &date_values {
            DateValues::Millis(values) => values[row].ok_or(DateError::Unrecognised),
            DateValues::Text(_) => match clean(date_text_value) {
                Some(text) => parser.parse(text),
                None => Err(DateError::Unrecognised),
            },
        };
        let ts = match parsed {
            Ok(ts) => ts,
            Err(_) if options.skip_invalid => {
                invalid_rows += 1;
                keep.push(false);
                continue;
            }
            Err(e) => return Err(date_error(raw, row, date_text_value, &e)),
        };
        let amount = match line_amount(amount_text, quantity_text, price_text) {
            Ok(amount) => amount,
            Err(_) if options.skip_invalid => {
                invalid_rows += 1;
                keep.push(false);
                continue;
            }
            Err((role, value, problem)) => {
                return Err(Error::input(
                    raw.locate(row, role, Some(value)),
                    problem,
                    format!("fix the value, pass --skip-invalid to drop such rows (they are counted), or choose another column with --map {role}=COLUMN"),
                ))
            }
        };
        keep.push(true);
        ts_values.push(ts);
        amount_values.push(amount.map(|m| m.0));
    }

    let rows = ts_values.len();
    let mask = BooleanChunked::from_slice("keep".into(), &keep);
    let kept = |ca: Option<&StringChunked>, name: &str| -> Result<Column> {
        let column = match ca {
            Some(ca) => {
                let filtered = ca.filter(&mask).map_err(Error::internal)?;
                filtered.iter().map(clean).collect::<StringChunked>()
            }
            None => StringChunked::full_null(name.into(), rows),
        };
        Ok(column.with_name(name.into()).into_column())
    };
    let customer_column = kept(Some(customers), col_name::CUSTOMER)?;
    let order_column = kept(orders, col_name::ORDER)?;
    let order_ts: Vec<i64> = order_column
        .str()
        .map_err(Error::internal)?
        .iter()
        .zip(&ts_values)
        .map(|(order, &ts)| if order.is_some() { 0 } else { ts })
        .collect();
    let days: Vec<i32> = ts_values.iter().map(|&ts| dates::day_of(ts)).collect();
    let frame = DataFrame::new(
        rows,
        vec![
            customer_column,
            order_column,
            Column::new(col_name::ORDER_TS.into(), order_ts),
            Column::new(col_name::TS.into(), ts_values),
            Column::new(col_name::DAY.into(), days),
            Column::new(col_name::AMOUNT.into(), amount_values),
            kept(products, col_name::PRODUCT)?,
            kept(categories, col_name::CATEGORY)?,
        ],
    )
    .map_err(Error::internal)?;
    Ok(FileLines {
        frame,
        guest_rows,
        invalid_rows,
        slash_order: parser.order,
    })
}

fn date_error(raw: &RawFile, row: usize, value: Option<&str>, error: &DateError) -> Error {
    let hint = match error {
        DateError::NeedsOrder => {
            "no date in this file shows whether it is day/month or month/day; pass --date-format dmy (day first) or --date-format mdy (month first)".to_string()
        }
        _ => "fix the value, pass --skip-invalid to drop such rows (they are counted), or --date-format PATTERN for another layout".to_string(),
    };
    let problem = match value.and_then(|v| clean(Some(v))) {
        None => "the date is empty".to_string(),
        Some(_) => error.describe(),
    };
    Error::input(raw.locate(row, Role::Date, value), problem, hint)
}

type AmountError<'a> = (Role, &'a str, String);

/// Line amount: `amount`, else `quantity × unit_price`, else unknown (contract §1 step 3).
fn line_amount<'a>(
    amount: Option<&'a str>,
    quantity: Option<&'a str>,
    price: Option<&'a str>,
) -> std::result::Result<Option<Money>, AmountError<'a>> {
    let number = |role: Role, text: &'a str| {
        Money::parse(text).map_err(|e| (role, text, format!("the {role} is {}", e.describe())))
    };
    if let Some(text) = clean(amount) {
        return number(Role::Amount, text).map(Some);
    }
    match (clean(quantity), clean(price)) {
        (Some(q), Some(p)) => Ok(Some(Money::times(
            number(Role::Quantity, q)?,
            number(Role::UnitPrice, p)?,
        ))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    #[test]
    fn amount_comes_first_then_quantity_times_price() {
        assert_eq!(
            line_amount(Some("9.99"), Some("2"), Some("1")),
            Ok(Some(m("9.99")))
        );
        assert_eq!(
            line_amount(Some(" "), Some("2"), Some("1.50")),
            Ok(Some(m("3")))
        );
        assert_eq!(
            line_amount(None, Some("-3"), Some("2.10")),
            Ok(Some(m("-6.3")))
        );
        assert_eq!(line_amount(None, Some("2"), None), Ok(None));
        assert_eq!(line_amount(None, None, None), Ok(None));
    }

    #[test]
    fn a_value_used_for_the_amount_must_be_a_number() {
        let (role, value, _) = line_amount(Some("12,50"), None, None).unwrap_err();
        assert_eq!((role, value), (Role::Amount, "12,50"));
        let (role, value, _) = line_amount(None, Some("two"), Some("1")).unwrap_err();
        assert_eq!((role, value), (Role::Quantity, "two"));
        // A bad quantity is not used when the amount is there, so it is no error.
        assert_eq!(line_amount(Some("5"), Some("two"), None), Ok(Some(m("5"))));
    }
}
