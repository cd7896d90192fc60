//! CSV rows to typed chunks: the records of each block split into fields, the role
//! fields typed, a batch of blocks in parallel, one per thread of rayon's pool.

use rayon::prelude::*;

use super::columns::Role;
use super::csv_scan::{split_fields, Block, Records};
use super::read::Opened;
use super::schema::NO_AMOUNT;
use super::span::Span;
use super::typing::{text, Chunk, DateReading, DateValue, Number, Problem, RowValues, SKIP_HINT};

/// Where each role's field is in a CSV record.
#[derive(Clone, Copy, Default)]
pub(super) struct Positions {
    pub(super) customer: usize,
    pub(super) date: usize,
    pub(super) order: Option<usize>,
    pub(super) amount: Option<usize>,
    pub(super) quantity: Option<usize>,
    pub(super) unit_price: Option<usize>,
    pub(super) product: Option<usize>,
    pub(super) category: Option<usize>,
    pub(super) name: Option<usize>,
}

impl Positions {
    pub(super) fn of(opened: &Opened, products: bool) -> Positions {
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
pub(super) struct CsvContext<'a> {
    pub(super) delimiter: u8,
    pub(super) columns: usize,
    pub(super) positions: Positions,
    pub(super) dates: &'a DateReading,
    pub(super) skip_invalid: bool,
    pub(super) strict_utf8: bool,
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

/// Types a batch of blocks in parallel; the chunks come back in the blocks' order.
pub(super) fn type_blocks(blocks: &[Block], context: &CsvContext) -> Vec<Chunk> {
    blocks
        .par_iter()
        .map(|block| type_csv(&block.bytes, block.first_line, context))
        .collect()
}
