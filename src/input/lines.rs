//! From opened inputs to order lines (contract §1 steps 1–3): the sources type the
//! rows in parallel (`csv_rows`, `parquet_rows`); here, in the order of the file, each
//! typed chunk is counted (rows = loaded + guest + invalid), its problem reported, its
//! day/month evidence weighed (rows read before the order was known are fixed), its
//! amounts added to the bound on every sum, and its ids turned into integer codes:
//! customers on one thread and the other ids on another. Results never depend on the
//! number of threads. The lines go into a `LineTable`, which hands them on in batches.

use super::columns::Role;
use super::csv_rows::{type_blocks, CsvContext, Positions};
use super::dates::SlashOrder;
use super::line_table::{flush_lines, LineSink, LineTable};
use super::numbers::Decimal;
use super::parquet_rows::ParquetRows;
use super::platforms::Platform;
use super::read::{Body, Opened};
use super::schema::{Encoding, ValueOptions, NO_AMOUNT};
use super::span::Span;
use super::typing::{
    AmountRule, Chunk, DecimalEvidence, Evidence, MoneyPending, Reading, MONEY_ROLES,
    NEEDS_ORDER_HINT, NO_COLUMN,
};
use crate::error::{Error, Location, Result};
use crate::intern::{Interner, NO_CODE};
use crate::money::{Money, SUM_LIMIT};
use crate::progress::Extent;

/// Distinct ids seen in all files, each with its code.
#[derive(Default)]
pub struct Dictionaries {
    pub customers: Interner,
    pub orders: Interner,
    pub products: Interner,
    pub categories: Interner,
    /// Order statuses (and platform flags such as `Cancelled at set`).
    pub statuses: Interner,
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
    /// What decided the day/month order: a value and its line, or the platform.
    pub slash_decided_by: Option<String>,
    /// Some id was not UTF-8 and was read as Windows-1252.
    pub windows_1252: bool,
    pub platform: Option<&'static Platform>,
    /// Each money column's decimal separator, and what decided it.
    pub decimals: Vec<DecimalDecision>,
}

/// How one money column's numbers were read.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DecimalDecision {
    pub column: String,
    pub decimal: Decimal,
    pub decided_by: String,
}

/// Rows of a Parquet file read at a time: a few row groups as writers size them, about
/// 100 MB of columns while typed.
const PARQUET_SLICE_ROWS: usize = 1 << 20;

/// Reads one opened file into the table, which hands full batches of lines to `sink`;
/// returns what it found.
pub fn read_file(
    opened: Opened,
    options: &ValueOptions,
    table: &mut LineTable,
    dictionaries: &mut Dictionaries,
    sink: &mut LineSink,
) -> Result<FileTally> {
    let delimiter = opened.delimiter.unwrap_or(b',');
    let rules = opened.rules;
    let amount_rule = AmountRule {
        adjust_sign: rules.adjust.map_or(0, |_| rules.adjust_sign),
        empty_is_zero: rules.empty_is_zero,
    };
    let column_name = |role: Role| opened.roles.column(role).map(str::to_string);
    let money_columns = [
        column_name(Role::Amount),
        column_name(Role::Quantity),
        column_name(Role::UnitPrice),
        rules.adjust.map(|i| opened.header[i].clone()),
    ];
    let mut file = FileReader {
        name: &opened.name,
        roles: &opened.roles,
        reading: Reading::new(options, Decimal::default_for(delimiter), amount_rule),
        evidence: Evidence::default(),
        pending: Vec::new(),
        first_pending: None,
        decimal_evidence: DecimalEvidence::default(),
        money_pending: Vec::new(),
        money_columns,
        delimiter: opened.delimiter,
        month_first_default: rules.platform.is_some_and(|p| p.month_first),
        tally: FileTally {
            rows: 0,
            loaded_rows: 0,
            guest_rows: 0,
            invalid_rows: 0,
            slash_order: None,
            slash_decided_by: None,
            windows_1252: options.encoding == Encoding::Windows1252,
            platform: rules.platform,
            decimals: Vec::new(),
        },
        is_row: matches!(opened.body, Body::Parquet(_)),
    };
    let positions = Positions::of(
        &opened,
        options.products,
        !options.skip_categories,
        !options.skip_names,
    );
    match opened.body {
        Body::Csv(mut blocks) => {
            let extent = opened.size.map_or(Extent::Unknown, Extent::Bytes);
            crate::progress::begin_file(&opened.name, extent);
            let columns = opened.header.len();
            let threads = rayon::current_num_threads();
            let (spare, recycled) = std::sync::mpsc::channel::<(Vec<u8>, Chunk)>();
            let mut spare_chunks = Vec::new();
            let name = &opened.name;
            let delimiter = opened.delimiter.unwrap_or(b',');
            let produce = move |reading: &Reading| {
                while let Ok((bytes, chunk)) = recycled.try_recv() {
                    blocks.recycle(bytes);
                    spare_chunks.push(chunk);
                }
                let batch = blocks.next_blocks(threads).map_err(|e| {
                    Error::file(
                        name,
                        format!("cannot read the file: {e}"),
                        "the file may be truncated; export it again",
                    )
                })?;
                if batch.is_empty() {
                    return Ok(None);
                }
                let context = CsvContext {
                    delimiter,
                    columns,
                    positions,
                    dates: reading,
                    skip_invalid: options.skip_invalid,
                    strict_utf8: options.encoding == Encoding::Utf8,
                };
                let chunks = type_blocks(&batch, &context, &mut spare_chunks);
                Ok(Some(chunks.into_iter().zip(batch).collect::<Vec<_>>()))
            };
            in_turn(&mut file, produce, |file, batch| {
                if let (Some(size), true) = (opened.size, table.is_empty()) {
                    // Room for the whole file at the first batch's bytes per row.
                    let rows: u64 = batch.iter().map(|(c, _)| c.rows).sum();
                    let bytes: usize = batch.iter().map(|(_, b)| b.bytes.len()).sum();
                    let per_row = (bytes as u64 / rows.max(1)).max(1);
                    let lines = (size / per_row) as usize;
                    table.reserve(lines.min(flush_lines(options)));
                    table.expected_lines += lines;
                }
                let rows: u64 = batch.iter().map(|(c, _)| c.rows).sum();
                let bytes: usize = batch.iter().map(|(_, b)| b.bytes.len()).sum();
                crate::progress::advance(bytes as u64, rows);
                for (chunk, block) in batch {
                    let chunk =
                        file.take(chunk, &block.bytes, options, table, dictionaries, sink)?;
                    // The reading side may be gone after an error of its own.
                    let _ = spare.send((block.bytes, chunk.recycled()));
                }
                Ok(())
            })?;
        }
        Body::Parquet(ref body) => {
            crate::progress::begin_file(&opened.name, Extent::Rows(body.rows as u64));
            let mut next = 0;
            let mut slice: Option<ParquetRows> = None;
            table.expected_lines += body.rows;
            if table.is_empty() {
                table.reserve(body.rows.min(flush_lines(options)));
            }
            let (spare, recycled) = std::sync::mpsc::channel::<Chunk>();
            let mut spare_chunks = Vec::new();
            let produce = move |reading: &Reading| loop {
                spare_chunks.extend(recycled.try_iter());
                if let Some(chunks) = slice.as_mut().and_then(|rows| {
                    rows.next_batch(reading, options.skip_invalid, &mut spare_chunks)
                }) {
                    return Ok(Some(chunks));
                }
                if next >= body.rows {
                    return Ok(None);
                }
                let rows = PARQUET_SLICE_ROWS.min(body.rows - next);
                let frame = body.slice(next, rows)?;
                slice = Some(
                    ParquetRows::new(&frame, options.zone)?
                        .starting_at(next)
                        .keeping_names(!options.skip_names),
                );
                next += rows;
            };
            in_turn(&mut file, produce, |file, chunks| {
                crate::progress::advance(0, chunks.iter().map(|c| c.rows).sum());
                for chunk in chunks {
                    let chunk = file.take(chunk, &[], options, table, dictionaries, sink)?;
                    // The reading side may be gone after an error of its own.
                    let _ = spare.send(chunk.recycled());
                }
                Ok(())
            })?;
        }
    }
    file.finish(table)
}

/// Types batch after batch (`produce`, on a thread of its own, which types on rayon's
/// pool) while this thread takes the batch before (`consume`): reading, typing and
/// interning overlap. Each batch is typed with the file's day/month order and decimal
/// separators as decided when it starts; rows typed before a decision wait in
/// `pending` and `money_pending` as they would on one thread, so the results are the
/// same.
fn in_turn<T: Send>(
    file: &mut FileReader,
    produce: impl FnMut(&Reading) -> Result<Option<T>> + Send,
    mut consume: impl FnMut(&mut FileReader, T) -> Result<()>,
) -> Result<()> {
    let mut produce = produce;
    let decided = std::sync::Mutex::new(file.reading.clone());
    let decided = &decided;
    std::thread::scope(|scope| {
        // One batch typed ahead while one is taken.
        let (typed, batches) = std::sync::mpsc::sync_channel::<Result<T>>(1);
        scope.spawn(move || loop {
            let reading = decided.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let batch = match produce(&reading) {
                Ok(Some(batch)) => Ok(batch),
                Ok(None) => break,
                Err(e) => Err(e),
            };
            let failed = batch.is_err();
            // The taking side stops at an error of its own, and drops `batches`.
            if typed.send(batch).is_err() || failed {
                break;
            }
        });
        for batch in batches {
            consume(file, batch?)?;
            *decided.lock().unwrap_or_else(|e| e.into_inner()) = file.reading.clone();
        }
        Ok(())
    })
}

/// Notes the name of every product seen for the first time (or so far without one).
fn name_products(
    names: &mut Vec<Option<String>>,
    products: &[u32],
    spans: &[Span],
    block: &[u8],
    scratch: &[u8],
    encoding: Encoding,
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

/// Appends the codes of one role's ids to `out` (`NO_CODE` where empty); says whether
/// a new id was not UTF-8.
fn codes(
    interner: &mut Interner,
    spans: &[Span],
    block: &[u8],
    scratch: &[u8],
    out: &mut Vec<u32>,
    expected_lines: usize,
) -> bool {
    if interner.is_empty() && expected_lines > spans.len() && !spans.is_empty() {
        // At most one id a line, about as long as the first chunk's.
        let bytes: usize = spans.iter().map(|s| s.get(block, scratch).len()).sum();
        interner.reserve(expected_lines, bytes.div_ceil(spans.len()) * expected_lines);
    }
    let mut windows_1252 = false;
    interner.intern_all(
        spans.len(),
        |i| spans[i].get(block, scratch),
        out,
        &mut |key| {
            windows_1252 |= std::str::from_utf8(key).is_err();
        },
    );
    windows_1252
}

/// One file's state between blocks.
struct FileReader<'a> {
    name: &'a str,
    roles: &'a super::columns::ColumnRoles,
    /// The file's day/month order and decimal separators, as decided so far.
    reading: Reading,
    evidence: Evidence,
    /// Rows of the table read month-first for now, with their day-first timestamp.
    pending: Vec<(usize, i64)>,
    first_pending: Option<(u64, String)>,
    decimal_evidence: DecimalEvidence,
    /// Rows of the table whose amount waits for a column's decimal separator.
    money_pending: Vec<MoneyPending>,
    /// The column of each money column of `typing::MONEY_ROLES`, where there is one.
    money_columns: [Option<String>; 4],
    delimiter: Option<u8>,
    /// The platform writes dates month first where the file shows no order.
    month_first_default: bool,
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
        sink: &mut LineSink,
    ) -> Result<Chunk> {
        self.tally.rows += chunk.rows;
        self.tally.loaded_rows += chunk.ts.len() as u64;
        self.tally.guest_rows += chunk.guest_rows;
        self.tally.invalid_rows += chunk.invalid_rows;
        if let Some(p) = chunk.problem.take() {
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
        self.weigh_decimals(&mut chunk)?;
        self.add_amounts(&chunk, table)?;
        let base = table.len();
        self.money_pending
            .extend(chunk.money_pending.iter().map(|p| MoneyPending {
                row: base + p.row,
                ..*p
            }));
        self.pending
            .extend(chunk.pending.iter().map(|&(row, ts)| (base + row, ts)));
        if self.first_pending.is_none() {
            self.first_pending = chunk.first_pending.take();
        }
        self.intern(&chunk, block, options, table, dictionaries);
        if self.reading.undecided {
            let decided = match (&self.evidence.day_first, &self.evidence.month_first) {
                (Some(_), _) => Some(SlashOrder::DayFirst),
                (_, Some(_)) => Some(SlashOrder::MonthFirst),
                _ => None,
            };
            if let Some(order) = decided {
                self.reading.decide(order);
                self.tally.slash_order = Some(order);
                let (line, value) = match order {
                    SlashOrder::DayFirst => self.evidence.day_first.clone(),
                    SlashOrder::MonthFirst => self.evidence.month_first.clone(),
                }
                .unwrap_or_default();
                self.tally.slash_decided_by = Some(format!("line {line}: {value}"));
            }
        }
        // Rows typed before the order was known (in the batch's other chunks, too).
        if let Some(order) = self.tally.slash_order {
            if order == SlashOrder::DayFirst {
                for &(row, ts) in &self.pending {
                    table.ts[row] = ts;
                }
            }
            self.pending.clear();
        }
        self.settle_amounts(table);
        // Rows still waiting for the day/month order or a decimal separator must stay
        // lines until it comes.
        if table.len() >= flush_lines(options)
            && self.pending.is_empty()
            && self.money_pending.is_empty()
        {
            table.flush(sink)?;
        }
        Ok(chunk)
    }

    /// Adds the chunk's amounts to the input's sum of absolute amounts, which bounds
    /// every sum of money made later; past `SUM_LIMIT` a sum could wrap, so the input
    /// is refused at the value that crosses it.
    fn add_amounts(&self, chunk: &Chunk, table: &mut LineTable) -> Result<()> {
        let limit = u128::from(SUM_LIMIT.0.unsigned_abs());
        if table.amount_magnitude + chunk.magnitude <= limit {
            table.amount_magnitude += chunk.magnitude;
            return Ok(());
        }
        // Some row of this chunk crosses the limit: find it, to name it.
        for (i, &amount) in chunk.amount.iter().enumerate() {
            if amount == NO_AMOUNT {
                continue;
            }
            table.amount_magnitude += u128::from(amount.unsigned_abs());
            if table.amount_magnitude > limit {
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
            statuses,
            product_names,
            timed_orders,
        } = dictionaries;
        if !chunk.status.is_empty() {
            if !table.status_seen {
                table.status_seen = true;
                table.status.resize(table.len(), NO_CODE);
            }
            codes(
                statuses,
                &chunk.status,
                block,
                scratch,
                &mut table.status,
                0,
            );
        } else if table.status_seen {
            table.status.resize(table.len() + chunk.ts.len(), NO_CODE);
        }
        let base = table.len();
        // Customers on one thread, the other ids on this one: the tables are apart.
        let LineTable {
            customer: customer_codes,
            order: order_codes,
            product: product_codes,
            category: category_codes,
            expected_lines,
            ..
        } = table;
        let expected = *expected_lines;
        let (customer_1252, (order_1252, other_1252)) = rayon::join(
            || {
                codes(
                    customers,
                    &chunk.customer,
                    block,
                    scratch,
                    customer_codes,
                    expected,
                )
            },
            || {
                let order = codes(orders, &chunk.order, block, scratch, order_codes, expected);
                let other = options.products
                    && (codes(products, &chunk.product, block, scratch, product_codes, 0)
                        | codes(
                            categories,
                            &chunk.category,
                            block,
                            scratch,
                            category_codes,
                            0,
                        ));
                (order, other)
            },
        );
        self.tally.windows_1252 |= customer_1252 || order_1252 || other_1252;
        let (customer, order) = (&table.customer[base..], &table.order[base..]);
        for (i, (&customer, &order)) in customer.iter().zip(order).enumerate() {
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
        table.ts.extend_from_slice(&chunk.ts);
        table.amount.extend_from_slice(&chunk.amount);
        if options.products && !chunk.name.is_empty() {
            name_products(
                product_names,
                &table.product[base..],
                &chunk.name,
                block,
                scratch,
                options.encoding,
            );
        }
    }

    /// Weighs what the chunk's values show about each money column's decimal
    /// separator: a column showing both is an error; one showing one is decided.
    fn weigh_decimals(&mut self, chunk: &mut Chunk) -> Result<()> {
        self.decimal_evidence
            .merge(std::mem::take(&mut chunk.decimal_evidence));
        for (column, role) in MONEY_ROLES.iter().enumerate() {
            match &self.decimal_evidence.shows[column] {
                [Some((point_line, point)), Some((comma_line, comma))] => {
                    let mut location = self.location(*comma_line, Some(*role), Some(comma.clone()));
                    location.column = self.money_columns[column].clone();
                    return Err(Error::input(
                        location,
                        format!("this value has a decimal comma, but line {point_line} ({point:?}) has a decimal point"),
                        "one column must use one decimal separator; pass --decimal . or --decimal , to read it one way",
                    ));
                }
                [Some(_), None] if self.reading.decimal_undecided & (1 << column) != 0 => {
                    self.reading.decide_decimal(column, Decimal::Point);
                }
                [None, Some(_)] if self.reading.decimal_undecided & (1 << column) != 0 => {
                    self.reading.decide_decimal(column, Decimal::Comma);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Sets the amount of every row waiting for separators that are now decided.
    fn settle_amounts(&mut self, table: &mut LineTable) {
        let reading = &self.reading;
        self.money_pending.retain(|pending| {
            let columns = pending
                .columns
                .iter()
                .filter(|&&c| c != NO_COLUMN)
                .map(|&c| usize::from(c));
            if columns
                .clone()
                .any(|c| reading.decimal_undecided & (1 << c) != 0)
            {
                return true;
            }
            let index = columns
                .enumerate()
                .filter(|&(_, c)| reading.decimals[c] != reading.default_decimal)
                .fold(0, |index, (k, _)| index | (1 << k));
            // `read_amount` counted the larger reading in the bound on every sum.
            table.amount[pending.row] = pending.amounts[index];
            false
        });
    }

    /// How each money column was read, for `inspect`.
    fn decimal_decisions(&self) -> Vec<DecimalDecision> {
        let mut decisions = Vec::new();
        for (column, name) in self.money_columns.iter().enumerate() {
            let Some(name) = name else { continue };
            let decimal = self.reading.decimals[column];
            let decided_by = if self.reading.decimal_forced {
                format!("--decimal {}", decimal.char())
            } else if let Some((line, value)) =
                &self.decimal_evidence.shows[column][decimal as usize]
            {
                format!("line {line}: {value}")
            } else {
                match self.delimiter {
                    Some(d) => format!(
                        "no value read shows one; files separated by {:?} take a decimal {}",
                        char::from(d),
                        if decimal == Decimal::Comma {
                            "comma"
                        } else {
                            "point"
                        }
                    ),
                    None => "no value read shows one".to_string(),
                }
            };
            decisions.push(DecimalDecision {
                column: name.clone(),
                decimal,
                decided_by,
            });
        }
        decisions
    }

    fn finish(mut self, table: &mut LineTable) -> Result<FileTally> {
        // Columns that never showed their separator keep the file's default.
        self.reading.decimal_undecided = 0;
        self.settle_amounts(table);
        if let (Some((line, value)), false) = (self.first_pending.clone(), self.pending.is_empty())
        {
            if !self.month_first_default {
                return Err(Error::input(
                    self.location(line, Some(Role::Date), Some(value)),
                    "a slashed date whose day/month order is unknown",
                    NEEDS_ORDER_HINT,
                ));
            }
            // Read month first already; the platform writes dates that way.
            self.tally.slash_order = Some(SlashOrder::MonthFirst);
            self.tally.slash_decided_by = self
                .tally
                .platform
                .map(|p| format!("no value shows it; {} writes month first", p.name));
        }
        self.tally.decimals = self.decimal_decisions();
        Ok(self.tally)
    }
}
