//! The rows of a Parquet file, typed like CSV rows (see `typing`): text columns, typed
//! dates, and numeric amounts taken as numbers. A batch at a time, a range of rows per
//! thread of rayon's pool, so the typed rows held at once stay a few per thread.

use std::ops::Range;
use std::sync::Arc;

use polars::prelude::*;

use super::columns::Role;
use super::dates::Zone;
use super::schema::NO_AMOUNT;
use super::span::Span;
use super::typing::{hashes_problem, Chunk, DateValue, Number, Reading, RowValues};
use crate::days;
use crate::error::{Error, Result};

/// The role columns of a Parquet file, ready to be read row by row.
struct ParquetColumns {
    customer: Option<StringChunked>,
    order: Option<StringChunked>,
    product: Option<StringChunked>,
    category: Option<StringChunked>,
    name: Option<StringChunked>,
    status: Option<StringChunked>,
    date: ParquetDates,
    amount: NumberColumn,
    quantity: NumberColumn,
    unit_price: NumberColumn,
    /// Keep each row's product name (beside its use for an empty product id).
    keep_names: bool,
    /// Where row 0 of these columns is in the shared numeric vectors (a slice's
    /// text columns are cut; its numbers are not copied).
    offset: usize,
}

enum ParquetDates {
    Text(StringChunked),
    /// A typed date or timestamp, in milliseconds; `MISSING` where null.
    Millis(Arc<Vec<i64>>),
}

/// A number column: text to parse, or numbers in fixed point (`MISSING` where null).
enum NumberColumn {
    Missing,
    Text(StringChunked),
    Fixed(Arc<Vec<i64>>),
}

/// A null in a typed Parquet column, converted (8 bytes a value, not 16).
const MISSING: i64 = i64::MIN;

fn present(value: i64) -> Option<i64> {
    (value != MISSING).then_some(value)
}

impl ParquetColumns {
    /// `zone` is `--tz`: where a timestamp carries a time zone (an instant), its day is
    /// taken there; without `--tz`, in the timestamp's own zone, as its wall clock reads.
    /// Timestamps without a zone and dates are taken as written.
    fn of(frame: &DataFrame, zone: Option<Zone>) -> Result<ParquetColumns> {
        let text = |role: Role| -> Result<Option<StringChunked>> {
            match frame.column(role.name()) {
                Ok(c) => Ok(Some(c.str().map_err(Error::internal)?.clone())),
                Err(_) => Ok(None),
            }
        };
        let number = |role: Role| -> Result<NumberColumn> {
            let Ok(column) = frame.column(role.name()) else {
                return Ok(NumberColumn::Missing);
            };
            let dtype = column.dtype();
            if dtype == &DataType::String {
                return Ok(NumberColumn::Text(
                    column.str().map_err(Error::internal)?.clone(),
                ));
            }
            let as_f64 = column.cast(&DataType::Float64).map_err(Error::internal)?;
            let values = as_f64.f64().map_err(Error::internal)?;
            // Floats to ten-thousandths, rounded; a NaN or infinity counts as unknown.
            let scale = crate::money::SCALE as f64;
            let fixed = if dtype.is_float() {
                values
                    .iter()
                    .map(|v| {
                        v.filter(|x| x.is_finite())
                            .map_or(MISSING, |x| rounded(x * scale).max(-i64::MAX))
                    })
                    .collect()
            } else {
                let as_i64 = column.cast(&DataType::Int64).map_err(Error::internal)?;
                let ints = as_i64.i64().map_err(Error::internal)?;
                ints.iter()
                    .map(|v| {
                        v.map_or(MISSING, |x| {
                            // Never MISSING: a value this large is refused as too large.
                            x.saturating_mul(crate::money::SCALE).max(-i64::MAX)
                        })
                    })
                    .collect()
            };
            Ok(NumberColumn::Fixed(Arc::new(fixed)))
        };
        let date_column = frame.column(Role::Date.name()).map_err(Error::internal)?;
        let per_ms = match date_column.dtype() {
            DataType::Date => Some(-1),
            DataType::Datetime(TimeUnit::Nanoseconds, _) => Some(1_000_000),
            DataType::Datetime(TimeUnit::Microseconds, _) => Some(1_000),
            DataType::Datetime(TimeUnit::Milliseconds, _) => Some(1),
            _ => None,
        };
        let date = match per_ms {
            None => ParquetDates::Text(date_column.str().map_err(Error::internal)?.clone()),
            Some(per_ms) => {
                let physical = date_column
                    .to_physical_repr()
                    .cast(&DataType::Int64)
                    .map_err(Error::internal)?;
                let values = physical.i64().map_err(Error::internal)?;
                // Dates count days; timestamps count units smaller than a millisecond.
                let to_ms = |v: i64| {
                    if per_ms < 0 {
                        v * days::MS_PER_DAY
                    } else {
                        v.div_euclid(per_ms)
                    }
                };
                let own_zone = match date_column.dtype() {
                    DataType::Datetime(_, Some(tz)) => {
                        Some(Zone::parse(&tz.to_string()).map_err(Error::internal)?)
                    }
                    _ => None,
                };
                // An instant with a zone: its wall clock in --tz, else in its own zone.
                let wall = |utc: i64| match zone.or(own_zone) {
                    Some(z) if own_zone.is_some() => utc + z.offset_ms(utc),
                    _ => utc,
                };
                ParquetDates::Millis(Arc::new(
                    values
                        .iter()
                        .map(|v| v.map_or(MISSING, |v| wall(to_ms(v))))
                        .collect(),
                ))
            }
        };
        Ok(ParquetColumns {
            customer: text(Role::Customer)?,
            order: text(Role::Order)?,
            product: text(Role::Product)?,
            category: text(Role::Category)?,
            name: text(Role::ProductName)?,
            status: text(Role::Status)?,
            date,
            amount: number(Role::Amount)?,
            quantity: number(Role::Quantity)?,
            unit_price: number(Role::UnitPrice)?,
            keep_names: true,
            offset: 0,
        })
    }
}

impl ParquetColumns {
    /// The same columns over `rows` only (text columns share their buffers).
    fn slice(&self, rows: &Range<usize>) -> ParquetColumns {
        let cut = |c: &StringChunked| c.slice(rows.start as i64, rows.len());
        let text = |c: &Option<StringChunked>| c.as_ref().map(cut);
        let number = |n: &NumberColumn| match n {
            NumberColumn::Missing => NumberColumn::Missing,
            NumberColumn::Text(c) => NumberColumn::Text(cut(c)),
            NumberColumn::Fixed(values) => NumberColumn::Fixed(values.clone()),
        };
        ParquetColumns {
            customer: text(&self.customer),
            order: text(&self.order),
            product: text(&self.product),
            category: text(&self.category),
            name: text(&self.name),
            status: text(&self.status),
            date: match &self.date {
                ParquetDates::Text(c) => ParquetDates::Text(cut(c)),
                ParquetDates::Millis(values) => ParquetDates::Millis(values.clone()),
            },
            amount: number(&self.amount),
            quantity: number(&self.quantity),
            unit_price: number(&self.unit_price),
            keep_names: self.keep_names,
            offset: self.offset + rows.start,
        }
    }
}

/// `y.round() as i64` (halves away from zero), without the call into libm that
/// `round` is on processors without SSE4.1: truncating is one instruction, and below
/// 2^52 both the truncation and the fraction left are exact.
#[inline(always)]
fn rounded(y: f64) -> i64 {
    if y.abs() >= (1u64 << 52) as f64 {
        return y.round() as i64;
    }
    let whole = y as i64;
    let fraction = y - whole as f64;
    if fraction >= 0.5 {
        whole + 1
    } else if fraction <= -0.5 {
        whole - 1
    } else {
        whole
    }
}

/// The values of an optional text column over `rows`, trimmed, empty when missing.
fn text_values<'a>(
    column: &'a Option<StringChunked>,
    rows: &Range<usize>,
) -> Box<dyn Iterator<Item = &'a [u8]> + 'a> {
    match column {
        Some(c) => Box::new(text_values_of(c, rows)),
        None => Box::new(std::iter::repeat_n(&b""[..], rows.len())),
    }
}

fn number_values<'a>(
    column: &'a NumberColumn,
    rows: &Range<usize>,
    offset: usize,
) -> Box<dyn Iterator<Item = Number<'a>> + 'a> {
    match column {
        NumberColumn::Missing => Box::new(std::iter::repeat_n(Number::Fixed(None), rows.len())),
        NumberColumn::Fixed(values) => Box::new(
            values[offset + rows.start..offset + rows.end]
                .iter()
                .map(|&v| Number::Fixed(present(v))),
        ),
        NumberColumn::Text(c) => Box::new(text_values_of(c, rows).map(Number::Text)),
    }
}

fn text_values_of<'a>(
    column: &'a StringChunked,
    rows: &Range<usize>,
) -> impl Iterator<Item = &'a [u8]> + 'a {
    column
        .downcast_iter()
        .flat_map(|array| array.iter())
        .skip(rows.start)
        .take(rows.len())
        .map(|v| v.map_or(&b""[..], trimmed))
}

/// The text without its leading and trailing white space; most ids have none, and
/// one look at their ends says so.
#[inline(always)]
fn trimmed(text: &str) -> &[u8] {
    let bytes = text.as_bytes();
    let plain = |b: &u8| b.is_ascii() && !b.is_ascii_whitespace();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) if plain(first) && plain(last) => bytes,
        _ => text.trim().as_bytes(),
    }
}

/// Types the Parquet rows in `rows` of `columns`, whose first row is row
/// `first_row` of the file (1-based row numbers in messages).
fn type_parquet(
    columns: &ParquetColumns,
    rows: Range<usize>,
    first_row: usize,
    dates: &Reading,
    skip_invalid: bool,
    mut chunk: Chunk,
) -> Chunk {
    chunk.reserve(rows.len());
    let mut scratch = std::mem::take(&mut chunk.scratch);
    let mut store = |bytes: &[u8]| {
        if bytes.is_empty() {
            return Span::NONE;
        }
        let start = scratch.len();
        scratch.extend_from_slice(bytes);
        Span::scratch(start, scratch.len())
    };
    let mut customer = text_values(&columns.customer, &rows);
    let mut order = text_values(&columns.order, &rows);
    let mut product = text_values(&columns.product, &rows);
    let mut category = text_values(&columns.category, &rows);
    let mut name = columns
        .name
        .as_ref()
        .map(|_| text_values(&columns.name, &rows));
    let mut status = columns
        .status
        .as_ref()
        .map(|_| text_values(&columns.status, &rows));
    let mut amount = number_values(&columns.amount, &rows, columns.offset);
    let mut quantity = number_values(&columns.quantity, &rows, columns.offset);
    let mut unit_price = number_values(&columns.unit_price, &rows, columns.offset);
    let mut date_text = match &columns.date {
        ParquetDates::Text(c) => Some(text_values_of(c, &rows)),
        ParquetDates::Millis(_) => None,
    };
    for row in rows.clone() {
        let (customer_id, order_id, product_id, category_id) = (
            customer.next().unwrap_or_default(),
            order.next().unwrap_or_default(),
            product.next().unwrap_or_default(),
            category.next().unwrap_or_default(),
        );
        let product_name = name.as_mut().map(|n| n.next().unwrap_or_default());
        let status_text = status.as_mut().map(|s| s.next().unwrap_or_default());
        let (amount, quantity, unit_price) = (
            amount.next().unwrap_or(Number::Fixed(None)),
            quantity.next().unwrap_or(Number::Fixed(None)),
            unit_price.next().unwrap_or(Number::Fixed(None)),
        );
        let date = match (&columns.date, &mut date_text) {
            (ParquetDates::Millis(values), _) => {
                DateValue::Millis(present(values[columns.offset + row]))
            }
            (_, Some(text)) => DateValue::Text(text.next().unwrap_or_default()),
            (_, None) => DateValue::Millis(None),
        };
        chunk.rows += 1;
        if customer_id.is_empty() {
            chunk.guest_rows += 1;
            continue;
        }
        let number = (first_row + row) as u64 + 1;
        if customer_id.iter().all(|&b| b == b'#') {
            if !chunk.skip_or_stop(hashes_problem(number, customer_id), skip_invalid) {
                break;
            }
            continue;
        }
        // An e-mail is one person whatever its case (platforms §1 rule 3).
        let lowered;
        let customer_id =
            if customer_id.contains(&b'@') && customer_id.iter().any(u8::is_ascii_uppercase) {
                lowered = customer_id.to_ascii_lowercase();
                &lowered[..]
            } else {
                customer_id
            };
        let values = RowValues {
            date,
            amount,
            quantity,
            unit_price,
            adjust: Number::Fixed(None),
        };
        match chunk.type_row(number, &values, dates) {
            Ok((ts, amount)) => {
                chunk.customer.push(store(customer_id));
                chunk.order.push(store(order_id));
                // The product key is the product, else the product name (§1 rule 7).
                chunk.product.push(store(match product_name {
                    Some(name) if product_id.is_empty() => name,
                    _ => product_id,
                }));
                chunk.category.push(store(category_id));
                if let (Some(product_name), true) = (product_name, columns.keep_names) {
                    chunk.name.push(store(product_name));
                }
                chunk.ts.push(ts);
                chunk.amount.push(amount.unwrap_or(NO_AMOUNT));
                chunk.line.push(number);
                if let Some(status_text) = status_text {
                    chunk.status.push(store(status_text));
                }
            }
            Err(problem) => {
                if !chunk.skip_or_stop(problem, skip_invalid) {
                    break;
                }
            }
        }
    }
    chunk.scratch = scratch;
    chunk
}

/// Rows typed per thread in one batch: about 100 bytes each while they are held.
const BATCH_ROWS: usize = 1 << 19;

/// A Parquet file's rows, typed a batch at a time.
pub(super) struct ParquetRows {
    columns: ParquetColumns,
    height: usize,
    next: usize,
    /// Rows per thread in a batch: `BATCH_ROWS`; tests make it small.
    batch_rows: usize,
    /// The file's row of the frame's first row (the frame is a slice of the file).
    first_row: usize,
}

impl ParquetRows {
    pub(super) fn new(frame: &DataFrame, zone: Option<Zone>) -> Result<ParquetRows> {
        Ok(ParquetRows {
            columns: ParquetColumns::of(frame, zone)?,
            height: frame.height(),
            next: 0,
            batch_rows: BATCH_ROWS,
            first_row: 0,
        })
    }

    /// The rows of a frame that is the slice of the file from row `first_row` on.
    pub(super) fn starting_at(mut self, first_row: usize) -> ParquetRows {
        self.first_row = first_row;
        self
    }

    /// Without `keep`, the rows keep no product names.
    pub(super) fn keeping_names(mut self, keep: bool) -> ParquetRows {
        self.columns.keep_names = keep;
        self
    }

    /// The next rows typed in parallel, one range per thread of rayon's pool; the
    /// chunks come in the order of the rows. `None` once every row is typed.
    /// `spare` holds chunks taken before, emptied: their buffers are filled again.
    pub(super) fn next_batch(
        &mut self,
        dates: &Reading,
        skip_invalid: bool,
        spare: &mut Vec<Chunk>,
    ) -> Option<Vec<Chunk>> {
        use rayon::prelude::*;
        if self.next >= self.height {
            return None;
        }
        let threads = rayon::current_num_threads();
        let left = self.height - self.next;
        let parts = threads.clamp(1, left.div_ceil(256));
        let per_part = left.div_ceil(parts).min(self.batch_rows);
        let ranges: Vec<Range<usize>> = (0..parts)
            .map(|i| self.next + i * per_part..(self.next + (i + 1) * per_part).min(self.height))
            .filter(|r| !r.is_empty())
            .collect();
        self.next = ranges.last().map_or(self.height, |r| r.end);
        let (columns, first_row) = (&self.columns, self.first_row);
        let chunks: Vec<(Range<usize>, Chunk)> = ranges
            .into_iter()
            .map(|rows| (rows, spare.pop().unwrap_or_default()))
            .collect();
        Some(
            chunks
                .into_par_iter()
                .map(|(rows, chunk)| {
                    let part = columns.slice(&rows);
                    let first = first_row + rows.start;
                    type_parquet(&part, 0..rows.len(), first, dates, skip_invalid, chunk)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::schema::ValueOptions;

    /// (row, time, amount) of every typed row, and the guest and invalid counts.
    fn typed(
        frame: &DataFrame,
        threads: usize,
        batch_rows: usize,
    ) -> (Vec<(u64, i64, i64)>, u64, u64) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut rows = ParquetRows::new(frame, None).unwrap();
            rows.batch_rows = batch_rows;
            let dates = Reading::new(
                &ValueOptions::default(),
                crate::input::schema::Decimal::Point,
                Default::default(),
            );
            let (mut out, mut guests, mut invalid) = (Vec::new(), 0, 0);
            while let Some(chunks) = rows.next_batch(&dates, true, &mut Vec::new()) {
                for chunk in chunks {
                    guests += chunk.guest_rows;
                    invalid += chunk.invalid_rows;
                    for i in 0..chunk.ts.len() {
                        out.push((chunk.line[i], chunk.ts[i], chunk.amount[i]));
                    }
                }
            }
            (out, guests, invalid)
        })
    }

    #[test]
    fn rounded_is_round_half_away_from_zero() {
        let cases = [
            0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            -0.5,
            -1.5,
            -2.4999,
            12_345.5,
            -99_999.49,
            4_503_599_627_370_495.0,
            4_503_599_627_370_497.0,
            1e17,
            -1e17,
        ];
        for y in cases {
            assert_eq!(rounded(y), y.round() as i64, "{y}");
        }
        for i in -20_000..20_000 {
            let y = i as f64 * 0.25 + 0.125 * (i % 3) as f64;
            assert_eq!(rounded(y), y.round() as i64, "{y}");
        }
    }

    #[test]
    fn batches_and_threads_give_the_same_rows_numbered_from_one() {
        let n = 3000;
        let customer: Vec<&str> = (0..n).map(|i| if i % 7 == 0 { "" } else { "C" }).collect();
        let date: Vec<String> = (0..n)
            .map(|i| {
                if i % 11 == 0 {
                    "bad".to_string()
                } else {
                    format!("2024-01-{:02}", i % 28 + 1)
                }
            })
            .collect();
        let amount: Vec<f64> = (0..n).map(|i| i as f64 / 4.0).collect();
        let frame = DataFrame::new_infer_height(vec![
            Column::new("customer".into(), customer),
            Column::new("date".into(), date),
            Column::new("amount".into(), amount),
        ])
        .unwrap();
        let whole = typed(&frame, 1, BATCH_ROWS);
        // Row 1 is a guest (i = 0); row 2 (i = 1) is the first typed, amount 0.25.
        assert_eq!(whole.0[0], (2, 1_704_153_600_000, 2_500));
        let guests = (0..n).filter(|i| i % 7 == 0).count() as u64;
        let invalid = (0..n).filter(|i| i % 11 == 0 && i % 7 != 0).count() as u64;
        assert_eq!((whole.1, whole.2), (guests, invalid));
        assert_eq!(whole.0.len() as u64 + guests + invalid, n as u64);
        for (threads, batch_rows) in [(1, 100), (4, 100), (3, 999), (2, 1)] {
            assert_eq!(
                typed(&frame, threads, batch_rows),
                whole,
                "{threads} threads, {batch_rows} rows"
            );
        }
    }
}
