//! From opened inputs to typed order lines (contract §1 steps 1–3): ids trimmed and
//! turned into integer codes, guest rows dropped and counted, dates read with each
//! file's day/month order, line amounts in fixed point. A row that cannot be read is
//! an error naming file, line, column and value, or with `--skip-invalid` is dropped
//! and counted.
//!
//! CSV blocks are typed in parallel, a batch of blocks at a time, one per thread of
//! rayon's pool; Parquet rows likewise, a range of rows per thread. Then, in the
//! order of the file, the ids become codes: customers on one thread and the other ids
//! on another. Results never depend on the number of threads.

use rayon::prelude::*;

use super::columns::Role;
use super::csv_scan::{split_fields, Records, Span};
use super::dates::{
    self, is_slashed, slash_evidence, DateError, DateFormat, DateParser, SlashOrder, Zone,
};
use super::intern::Interner;
use super::line_table::{flush_lines, LineTable, NO_AMOUNT};
use super::money::{Money, SUM_LIMIT};
use super::parquet_rows::type_parquet_frame;
use super::read::{Body, Encoding, Opened};
use crate::error::{Error, Location, Result};

/// Names of the columns of the typed line table.
pub mod col_name {
    pub const CUSTOMER: &str = "customer";
    /// One code per order: (customer, order id), or (customer, timestamp) for lines
    /// without an order id.
    pub const ORDER_KEY: &str = "order_key";
    /// The order id's code; `NO_CODE` without one.
    pub const ORDER: &str = "order";
    pub const TS: &str = "ts";
    pub const DAY: &str = "day";
    /// Fixed point; null where unknown.
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
    pub encoding: Encoding,
    /// Keep product and category codes (for cycles); off spares the work.
    pub products: bool,
    /// Keep the text of order ids (`--same-day keep` ranks them); off frees memory.
    pub order_ids: bool,
    /// Lines between folds into partial orders; 0 means `FLUSH_LINES`. Tests make it
    /// small.
    pub flush_lines: usize,
}

/// Distinct ids seen in all files, each with its code.
#[derive(Default)]
pub struct Dictionaries {
    pub customers: Interner,
    pub orders: Interner,
    pub products: Interner,
    pub categories: Interner,
    /// Each product code's name: the first one written beside it.
    pub product_names: Vec<Option<String>>,
    /// (customer, timestamp) of lines without an order id.
    timed_orders: hashbrown::HashMap<(u32, i64), u32>,
}

/// What reading one file found, besides its lines.
pub struct FileTally {
    pub rows: u64,
    pub loaded_rows: u64,
    pub guest_rows: u64,
    pub invalid_rows: u64,
    pub slash_order: Option<SlashOrder>,
    /// Some id was not UTF-8 and was read as Windows-1252.
    pub windows_1252: bool,
}

/// A value that cannot be read, and where.
pub(super) struct Problem {
    line: u64,
    role: Option<Role>,
    value: String,
    problem: String,
    hint: String,
}

const SKIP_HINT: &str = "pass --skip-invalid to drop such rows (they are counted)";
const NEEDS_ORDER_HINT: &str = "no date in this file shows whether it is day/month or month/day; pass --date-format dmy (day first) or --date-format mdy (month first)";

/// Reads the dates of one file; the day/month order is settled as evidence comes.
#[derive(Clone)]
pub(super) struct DateReading {
    parser: DateParser,
    day_first: DateParser,
    month_first: DateParser,
    /// Automatic format and no order decided yet.
    undecided: bool,
}

impl DateReading {
    fn new(options: &ValueOptions) -> DateReading {
        let slash = |order| DateParser::new(&DateFormat::Slash(order), options.zone);
        DateReading {
            parser: DateParser::new(&options.date_format, options.zone),
            day_first: slash(SlashOrder::DayFirst),
            month_first: slash(SlashOrder::MonthFirst),
            undecided: options.date_format == DateFormat::Auto,
        }
    }

    fn decide(&mut self, order: SlashOrder) {
        self.parser.order = Some(order);
        self.undecided = false;
    }
}

/// The first line showing each day/month order.
#[derive(Default)]
struct Evidence {
    day_first: Option<(u64, String)>,
    month_first: Option<(u64, String)>,
}

impl Evidence {
    fn note(&mut self, order: SlashOrder, line: u64, text: &str) {
        let slot = match order {
            SlashOrder::DayFirst => &mut self.day_first,
            SlashOrder::MonthFirst => &mut self.month_first,
        };
        if slot.as_ref().is_none_or(|(seen, _)| *seen > line) {
            *slot = Some((line, text.to_string()));
        }
    }

    fn merge(&mut self, other: Evidence) {
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
    /// The line (a Parquet file's row) of each typed row, for messages.
    pub(super) line: Vec<u64>,
    pub(super) scratch: Vec<u8>,
    pub(super) rows: u64,
    pub(super) guest_rows: u64,
    invalid_rows: u64,
    problem: Option<Problem>,
    evidence: Evidence,
    /// Rows read month-first for now, with their day-first timestamp.
    pending: Vec<(usize, i64)>,
    first_pending: Option<(u64, String)>,
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
                DateValue::Millis(_) => dates::date_of_day(dates::day_of(ts)).to_string(),
            };
            date_problem(line, shown.as_bytes(), &e)
        })?;
        let amount = line_amount(values.amount, values.quantity, values.unit_price).map_err(
            |(role, value, problem)| Problem {
                line,
                role: Some(role),
                value,
                problem,
                hint: format!(
                    "fix the value, {SKIP_HINT}, or choose another column with --map {role}=COLUMN"
                ),
            },
        )?;
        if let Some(alternative) = day_first {
            // Only a text date can be ambiguous.
            if let (None, DateValue::Text(raw)) = (&self.first_pending, &values.date) {
                self.first_pending = Some((line, text(raw)));
            }
            self.pending.push((self.ts.len(), alternative));
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

/// Line amount: `amount`, else `quantity × unit_price`, else unknown (contract §1 step 3).
/// A value that cannot be used names its role, its text and the problem.
fn line_amount<'a>(
    amount: Number<'a>,
    quantity: Number<'a>,
    unit_price: Number<'a>,
) -> std::result::Result<Option<Money>, (Role, String, String)> {
    use super::money::NumberError;
    let number = |role: Role, value: Number<'a>| match value {
        Number::Fixed(fixed) => {
            let fixed = fixed.unwrap_or(0);
            Money::checked(fixed).map_err(|e| {
                (
                    role,
                    Money(fixed).to_string(),
                    format!("the {role} is {}", e.describe()),
                )
            })
        }
        Number::Text(raw) => std::str::from_utf8(raw)
            .map_err(|_| NumberError::NotANumber)
            .and_then(Money::parse)
            .map_err(|e| (role, text(raw), format!("the {role} is {}", e.describe()))),
    };
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
        (
            Role::UnitPrice,
            unit_price.to_string(),
            format!(
                "quantity {quantity} × unit price {unit_price} is {}",
                e.describe()
            ),
        )
    })
}

/// Where each role's field is in a CSV record.
#[derive(Clone, Copy, Default)]
struct Positions {
    customer: usize,
    date: usize,
    order: Option<usize>,
    amount: Option<usize>,
    quantity: Option<usize>,
    unit_price: Option<usize>,
    product: Option<usize>,
    category: Option<usize>,
    name: Option<usize>,
}

impl Positions {
    fn of(opened: &Opened, products: bool) -> Positions {
        let find = |role: Role| {
            opened
                .positions
                .iter()
                .find(|(r, _)| *r == role && (products || !role.describes_products()))
                .map(|(_, i)| *i)
        };
        Positions {
            // `columns::detect` refuses a header without these two.
            customer: find(Role::Customer).unwrap_or(0),
            date: find(Role::Date).unwrap_or(0),
            order: find(Role::Order),
            amount: find(Role::Amount),
            quantity: find(Role::Quantity),
            unit_price: find(Role::UnitPrice),
            product: find(Role::Product),
            category: find(Role::Category),
            name: find(Role::ProductName),
        }
    }
}

/// Everything a worker needs to type CSV records.
struct CsvContext<'a> {
    delimiter: u8,
    columns: usize,
    positions: Positions,
    dates: &'a DateReading,
    skip_invalid: bool,
    strict_utf8: bool,
}

/// Types the records of a block, which starts on line `first_line`.
fn type_csv(block: &[u8], first_line: u64, context: &CsvContext) -> Chunk {
    let mut chunk = Chunk::default();
    let mut fields = Vec::with_capacity(context.columns);
    // Apart from the chunk, so field spans can borrow it while the chunk grows.
    let mut scratch = Vec::new();
    let p = context.positions;
    for record in Records::new(block, first_line, context.delimiter) {
        if let Some(line) = record.unclosed {
            chunk.problem = Some(Problem {
                line,
                role: None,
                value: text(&record.text[..record.text.len().min(80)]),
                problem: "a quoted field opens on this line and is never closed: the rest of the file would be one value".to_string(),
                hint: "a value that starts with a quote must end with one (a quote inside it is written twice, \"\"); fix the export".to_string(),
            });
            break;
        }
        chunk.rows += 1;
        split_fields(&record, context.delimiter, &mut fields, &mut scratch);
        if fields.len() != context.columns {
            let problem = Problem {
                line: record.line,
                role: None,
                value: text(&record.text[..record.text.len().min(80)]),
                problem: format!(
                    "this row has {} fields; the header has {}",
                    fields.len(),
                    context.columns
                ),
                hint: format!(
                    "quote values that contain the delimiter {:?}, or {SKIP_HINT}",
                    context.delimiter as char
                ),
            };
            if chunk.skip_or_stop(problem, context.skip_invalid) {
                continue;
            }
            break;
        }
        let span = |i: Option<usize>| i.map_or(Span::NONE, |i| fields[i].trim(block, &scratch));
        let value = |i: Option<usize>| span(i).get(block, &scratch);
        let customer = span(Some(p.customer));
        if customer.get(block, &scratch).is_empty() {
            chunk.guest_rows += 1;
            continue;
        }
        if context.strict_utf8 {
            let ids = [
                (Role::Customer, Some(p.customer)),
                (Role::Order, p.order),
                (Role::Product, p.product),
                (Role::Category, p.category),
            ];
            if let Some((role, raw)) = ids
                .iter()
                .map(|&(r, i)| (r, value(i)))
                .find(|(_, raw)| std::str::from_utf8(raw).is_err())
            {
                chunk.problem = Some(Problem {
                    line: record.line,
                    role: Some(role),
                    value: text(raw),
                    problem: "this value is not UTF-8".to_string(),
                    hint: "pass --encoding windows-1252 (also right for Latin-1 files), or save the file as UTF-8".to_string(),
                });
                break;
            }
        }
        let values = RowValues {
            date: DateValue::Text(value(Some(p.date))),
            amount: Number::Text(value(p.amount)),
            quantity: Number::Text(value(p.quantity)),
            unit_price: Number::Text(value(p.unit_price)),
        };
        match chunk.type_row(record.line, &values, context.dates) {
            Ok((ts, amount)) => {
                chunk.customer.push(customer);
                chunk.order.push(span(p.order));
                chunk.product.push(span(p.product));
                chunk.category.push(span(p.category));
                if p.name.is_some() {
                    chunk.name.push(span(p.name));
                }
                chunk.ts.push(ts);
                chunk.amount.push(amount.unwrap_or(NO_AMOUNT));
                chunk.line.push(record.line);
            }
            Err(problem) => {
                if !chunk.skip_or_stop(problem, context.skip_invalid) {
                    break;
                }
            }
        }
    }
    chunk.scratch = scratch;
    chunk
}

/// Reads one opened file into the table; returns what it found.
pub fn read_file(
    opened: Opened,
    options: &ValueOptions,
    table: &mut LineTable,
    dictionaries: &mut Dictionaries,
) -> Result<FileTally> {
    let mut file = FileReader {
        name: &opened.name,
        roles: &opened.roles,
        dates: DateReading::new(options),
        evidence: Evidence::default(),
        pending: Vec::new(),
        first_pending: None,
        tally: FileTally {
            rows: 0,
            loaded_rows: 0,
            guest_rows: 0,
            invalid_rows: 0,
            slash_order: None,
            windows_1252: options.encoding == Encoding::Windows1252,
        },
        is_row: matches!(opened.body, Body::Parquet(_)),
    };
    let positions = Positions::of(&opened, options.products);
    match opened.body {
        Body::Csv(mut blocks) => {
            let columns = opened.header.len();
            let threads = rayon::current_num_threads();
            loop {
                let batch = blocks.next_blocks(threads).map_err(|e| {
                    Error::file(
                        &opened.name,
                        format!("cannot read the file: {e}"),
                        "the file may be truncated; export it again",
                    )
                })?;
                if batch.is_empty() {
                    break;
                }
                let context = CsvContext {
                    delimiter: opened.delimiter.unwrap_or(b','),
                    columns,
                    positions,
                    dates: &file.dates,
                    skip_invalid: options.skip_invalid,
                    strict_utf8: options.encoding == Encoding::Utf8,
                };
                let chunks: Vec<Chunk> = batch
                    .par_iter()
                    .map(|block| type_csv(&block.bytes, block.first_line, &context))
                    .collect();
                if let (Some(size), true) = (opened.size, table.is_empty()) {
                    // Room for the whole file at the first batch's bytes per row.
                    let rows: u64 = chunks.iter().map(|c| c.rows).sum();
                    let bytes: usize = batch.iter().map(|b| b.bytes.len()).sum();
                    let per_row = (bytes as u64 / rows.max(1)).max(1);
                    table.reserve(((size / per_row) as usize).min(flush_lines(options)));
                }
                for (chunk, block) in chunks.into_iter().zip(batch) {
                    file.take(chunk, &block.bytes, options, table, dictionaries)?;
                    blocks.recycle(block.bytes);
                }
            }
        }
        Body::Parquet(ref frame) => {
            let chunks =
                type_parquet_frame(frame, &file.dates, options.zone, options.skip_invalid)?;
            for chunk in chunks {
                file.take(chunk, &[], options, table, dictionaries)?;
            }
        }
    }
    file.finish()
}

/// Notes the name of every product seen for the first time (or so far without one).
fn name_products(
    names: &mut Vec<Option<String>>,
    products: &[u32],
    spans: &[Span],
    block: &[u8],
    scratch: &[u8],
    encoding: super::read::Encoding,
) {
    for (&code, span) in products.iter().zip(spans) {
        if code == NO_CODE {
            continue;
        }
        let code = code as usize;
        if names.len() <= code {
            names.resize(code + 1, None);
        }
        if names[code].is_none() {
            let bytes = span.get(block, scratch);
            if !bytes.is_empty() {
                names[code] = Some(super::read::decode_text(bytes, encoding).into_owned());
            }
        }
    }
}

/// The code of an absent id.
pub const NO_CODE: u32 = u32::MAX;

impl Dictionaries {
    /// Order ids came in ascending order and every line had one (see `LineTable::finish`).
    pub fn ascending_order_ids(&self) -> bool {
        self.orders.is_ascending() && self.timed_orders.is_empty()
    }
}

/// The codes of one role's ids (`NO_CODE` where empty), and whether a new id was not
/// UTF-8. Consecutive lines of an order repeat their ids, so the previous id is
/// remembered and costs no lookup.
fn codes(
    interner: &mut Interner,
    spans: &[Span],
    block: &[u8],
    scratch: &[u8],
) -> (Vec<u32>, bool) {
    let mut out = Vec::with_capacity(spans.len());
    let mut windows_1252 = false;
    let mut last: (&[u8], u32) = (&[], NO_CODE);
    for span in spans {
        let bytes = span.get(block, scratch);
        if bytes.is_empty() {
            out.push(NO_CODE);
            continue;
        }
        if bytes != last.0 {
            let (code, new) = interner.intern(bytes);
            windows_1252 |= new && std::str::from_utf8(bytes).is_err();
            last = (bytes, code);
        }
        out.push(last.1);
    }
    (out, windows_1252)
}

/// One file's state between blocks.
struct FileReader<'a> {
    name: &'a str,
    roles: &'a super::columns::ColumnRoles,
    dates: DateReading,
    evidence: Evidence,
    /// Rows of the table read month-first for now, with their day-first timestamp.
    pending: Vec<(usize, i64)>,
    first_pending: Option<(u64, String)>,
    tally: FileTally,
    is_row: bool,
}

impl FileReader<'_> {
    fn location(&self, line: u64, role: Option<Role>, value: Option<String>) -> Location {
        Location {
            file: self.name.to_string(),
            line: Some(line),
            is_row: self.is_row,
            column: role.and_then(|r| self.roles.column(r)).map(str::to_string),
            value,
        }
    }

    /// Adds a typed chunk to the table: ids become codes, evidence is weighed.
    fn take(
        &mut self,
        mut chunk: Chunk,
        block: &[u8],
        options: &ValueOptions,
        table: &mut LineTable,
        dictionaries: &mut Dictionaries,
    ) -> Result<()> {
        self.tally.rows += chunk.rows;
        self.tally.loaded_rows += chunk.ts.len() as u64;
        self.tally.guest_rows += chunk.guest_rows;
        self.tally.invalid_rows += chunk.invalid_rows;
        if let Some(p) = chunk.problem {
            return Err(Error::input(
                self.location(p.line, p.role, Some(p.value)),
                p.problem,
                p.hint,
            ));
        }
        self.evidence.merge(std::mem::take(&mut chunk.evidence));
        if let (Some((line, value)), Some((other_line, other))) =
            (&self.evidence.day_first, &self.evidence.month_first)
        {
            return Err(Error::input(
                self.location(*line, Some(Role::Date), Some(value.clone())),
                format!("this date is day-first, but line {other_line} ({other:?}) is month-first"),
                "one file must use one order; pass --date-format dmy or mdy, or fix the odd rows",
            ));
        }
        self.add_amounts(&chunk, table)?;
        let base = table.len();
        self.pending
            .extend(chunk.pending.iter().map(|&(row, ts)| (base + row, ts)));
        if self.first_pending.is_none() {
            self.first_pending = chunk.first_pending.take();
        }
        self.intern(&chunk, block, options, table, dictionaries);
        if self.dates.undecided {
            let decided = match (&self.evidence.day_first, &self.evidence.month_first) {
                (Some(_), _) => Some(SlashOrder::DayFirst),
                (_, Some(_)) => Some(SlashOrder::MonthFirst),
                _ => None,
            };
            if let Some(order) = decided {
                self.dates.decide(order);
                self.tally.slash_order = Some(order);
            }
        }
        // Rows typed before the order was known (in this block's other half, too).
        if let Some(order) = self.tally.slash_order {
            if order == SlashOrder::DayFirst {
                for &(row, ts) in &self.pending {
                    table.ts[row] = ts;
                }
            }
            self.pending.clear();
        }
        // Rows still waiting for the day/month order must stay lines until it comes.
        if table.len() >= flush_lines(options) && self.pending.is_empty() {
            table.flush(options.products, true)?;
        }
        Ok(())
    }

    /// Adds the chunk's amounts to the input's sum of absolute amounts, which bounds
    /// every sum of money made later; past `SUM_LIMIT` a sum could wrap, so the input
    /// is refused at the value that crosses it.
    fn add_amounts(&self, chunk: &Chunk, table: &mut LineTable) -> Result<()> {
        for (i, &amount) in chunk.amount.iter().enumerate() {
            if amount == NO_AMOUNT {
                continue;
            }
            table.amount_magnitude += u128::from(amount.unsigned_abs());
            if table.amount_magnitude > u128::from(SUM_LIMIT.0.unsigned_abs()) {
                return Err(Error::input(
                    self.location(chunk.line[i], Some(Role::Amount), Some(Money(amount).to_string())),
                    format!(
                        "the amounts read so far add up (ignoring their signs) past {SUM_LIMIT}, the largest sum rebuy keeps exact"
                    ),
                    "check that the amount column holds money (rebuy inspect shows the roles), or split the input into smaller files",
                ));
            }
        }
        Ok(())
    }

    fn intern(
        &mut self,
        chunk: &Chunk,
        block: &[u8],
        options: &ValueOptions,
        table: &mut LineTable,
        dictionaries: &mut Dictionaries,
    ) {
        let scratch = &chunk.scratch[..];
        let Dictionaries {
            customers,
            orders,
            products,
            categories,
            product_names,
            timed_orders,
        } = dictionaries;
        // Customers on one thread, the other ids on this one: the tables are apart.
        let ((customer, customer_1252), ((order, order_1252), other)) = rayon::join(
            || codes(customers, &chunk.customer, block, scratch),
            || {
                let order = codes(orders, &chunk.order, block, scratch);
                let other = options.products.then(|| {
                    (
                        codes(products, &chunk.product, block, scratch),
                        codes(categories, &chunk.category, block, scratch),
                    )
                });
                (order, other)
            },
        );
        self.tally.windows_1252 |= customer_1252 || order_1252;
        for (i, (&customer, &order)) in customer.iter().zip(&order).enumerate() {
            let key = if order == NO_CODE {
                let next = timed_orders.len() as u32;
                let timed = *timed_orders.entry((customer, chunk.ts[i])).or_insert(next);
                timed | (1 << 31)
            } else {
                order
            };
            table
                .order_key
                .push((u64::from(customer) << 32) | u64::from(key));
        }
        table.customer.extend_from_slice(&customer);
        table.order.extend_from_slice(&order);
        table.ts.extend_from_slice(&chunk.ts);
        table.amount.extend_from_slice(&chunk.amount);
        if let Some(((product, product_1252), (category, category_1252))) = other {
            self.tally.windows_1252 |= product_1252 || category_1252;
            if !chunk.name.is_empty() {
                let encoding = options.encoding;
                name_products(
                    product_names,
                    &product,
                    &chunk.name,
                    block,
                    scratch,
                    encoding,
                );
            }
            table.product.extend_from_slice(&product);
            table.category.extend_from_slice(&category);
        }
    }

    fn finish(self) -> Result<FileTally> {
        if let (Some((line, value)), false) = (self.first_pending.clone(), self.pending.is_empty())
        {
            return Err(Error::input(
                self.location(line, Some(Role::Date), Some(value)),
                "a slashed date whose day/month order is unknown",
                NEEDS_ORDER_HINT,
            ));
        }
        Ok(self.tally)
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
        let (role, value, _) = line_amount(t("12,50"), t(""), t("")).unwrap_err();
        assert_eq!((role, value.as_str()), (Role::Amount, "12,50"));
        let (role, value, _) = line_amount(t(""), t("two"), t("1")).unwrap_err();
        assert_eq!((role, value.as_str()), (Role::Quantity, "two"));
        let (role, value, problem) =
            line_amount(t(""), t("99999999999999"), t("99999999999999")).unwrap_err();
        assert_eq!((role, value.as_str()), (Role::UnitPrice, "99999999999999"));
        assert_eq!(
            problem,
            "quantity 99999999999999 × unit price 99999999999999 is too large for an amount (over 10^14)"
        );
        // A bad quantity is not used when the amount is there, so it is no error.
        assert_eq!(line_amount(t("5"), t("two"), t("")), Ok(Some(m("5"))));
    }
}
