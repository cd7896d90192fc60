//! CSV rows to typed chunks: the records of each block split into fields, the role
//! fields typed, a batch of blocks in parallel, one per thread of rayon's pool.

use rayon::prelude::*;

use super::columns::Role;
use super::csv_scan::{Block, Tokens};
use super::platforms::username;
use super::read::{Opened, RowRules};
use super::schema::NO_AMOUNT;
use super::span::Span;
use super::typing::{
    hashes_problem, text, Chunk, DateValue, Number, Problem, Reading, RowValues, SKIP_HINT,
};

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
    pub(super) status: Option<usize>,
    /// Keep each row's product name (beside its use for an empty product id).
    pub(super) keep_names: bool,
    /// The platform's rules: other columns of the customer, amount and status.
    pub(super) rules: RowRules,
}

impl Positions {
    /// The columns of the roles read: the product columns only with `products`, and
    /// neither the category without `categories` nor names to keep without `names`.
    pub(super) fn of(opened: &Opened, products: bool, categories: bool, names: bool) -> Positions {
        let find = |role: Role| {
            opened
                .positions
                .iter()
                .find(|(r, _)| *r == role && (products || !role.describes_products()))
                .filter(|_| categories || role != Role::Category)
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
            status: find(Role::Status),
            keep_names: names,
            rules: opened.rules,
        }
    }
}

/// Everything a worker needs to type CSV records.
pub(super) struct CsvContext<'a> {
    pub(super) delimiter: u8,
    pub(super) columns: usize,
    pub(super) positions: Positions,
    pub(super) dates: &'a Reading,
    pub(super) skip_invalid: bool,
    pub(super) strict_utf8: bool,
}

/// Types the records of a block, which starts on line `first_line`.
fn type_csv(block: &[u8], first_line: u64, context: &CsvContext, mut chunk: Chunk) -> Chunk {
    let mut fields = Vec::with_capacity(context.columns);
    // Apart from the chunk, so field spans can borrow it while the chunk grows.
    let mut scratch = std::mem::take(&mut chunk.scratch);
    let p = context.positions;
    // ASCII is UTF-8: one look at the block spares a check of every id.
    let ascii = block.is_ascii();
    let mut tokens = Tokens::new(block, first_line, context.delimiter);
    while let Some(record) = tokens.next_record(&mut fields, &mut scratch) {
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
        // Short records are padded; extra cells must be empty (platforms §1 rule 1).
        if fields.len() < context.columns {
            fields.resize(context.columns, Span::NONE);
        }
        if fields.len() > context.columns
            && fields[context.columns..]
                .iter()
                .any(|f| !f.trim(block, &scratch).get(block, &scratch).is_empty())
        {
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
        let span = |i: Option<usize>, scratch: &[u8]| field(&fields, i, block, scratch);
        let Some(customer) = customer_of(&p, &fields, block, &mut scratch) else {
            chunk.guest_rows += 1;
            continue;
        };
        if customer.get(block, &scratch)[0] == b'#'
            && customer.get(block, &scratch).iter().all(|&b| b == b'#')
        {
            let problem = hashes_problem(record.line, customer.get(block, &scratch));
            if chunk.skip_or_stop(problem, context.skip_invalid) {
                continue;
            }
            break;
        }
        if context.strict_utf8 && !ascii {
            let ids = [
                (Role::Customer, Some(p.customer)),
                (Role::Order, p.order),
                (Role::Product, p.product),
                (Role::Category, p.category),
            ];
            if let Some((role, raw)) = ids
                .iter()
                .map(|&(r, i)| (r, span(i, &scratch).get(block, &scratch)))
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
            date: DateValue::Text(span(Some(p.date), &scratch).get(block, &scratch)),
            amount: Number::Text(span(p.amount, &scratch).get(block, &scratch)),
            quantity: Number::Text(span(p.quantity, &scratch).get(block, &scratch)),
            unit_price: Number::Text(span(p.unit_price, &scratch).get(block, &scratch)),
            adjust: Number::Text(span(p.rules.adjust, &scratch).get(block, &scratch)),
        };
        match chunk.type_row(record.line, &values, context.dates) {
            Ok((ts, amount)) => {
                chunk.customer.push(customer);
                chunk.order.push(span(p.order, &scratch));
                // The product key is the product, else the product name (§1 rule 7).
                let product = span(p.product, &scratch);
                chunk
                    .product
                    .push(match (product.get(block, &scratch).is_empty(), p.name) {
                        (true, Some(_)) => span(p.name, &scratch),
                        _ => product,
                    });
                chunk.category.push(span(p.category, &scratch));
                if p.name.is_some() && p.keep_names {
                    chunk.name.push(span(p.name, &scratch));
                }
                chunk.ts.push(ts);
                chunk.amount.push(amount.unwrap_or(NO_AMOUNT));
                chunk.line.push(record.line);
                if p.status.is_some() || p.rules.flag.is_some() {
                    chunk
                        .status
                        .push(status_of(&p, &fields, block, &mut scratch));
                }
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

/// Field `i` of a record, trimmed; `Span::NONE` for a role without a column.
#[inline(always)]
fn field(fields: &[Span], i: Option<usize>, block: &[u8], scratch: &[u8]) -> Span {
    i.map_or(Span::NONE, |i| fields[i].trim(block, scratch))
}

/// The customer of a row under the platform's rules, `None` for a guest: the customer
/// column, else the platform's other column; Etsy's username; an e-mail in lower case.
#[inline(always)]
fn customer_of(
    p: &Positions,
    fields: &[Span],
    block: &[u8],
    scratch: &mut Vec<u8>,
) -> Option<Span> {
    let span = |i: Option<usize>, scratch: &[u8]| field(fields, i, block, scratch);
    let mut customer = span(Some(p.customer), scratch);
    let mut bytes = customer.get(block, scratch);
    let rules = &p.rules;
    if rules.customer_else.is_some() && (bytes.is_empty() || (rules.zero_is_guest && bytes == b"0"))
    {
        customer = span(rules.customer_else, scratch);
        bytes = customer.get(block, scratch);
    }
    if bytes.is_empty() {
        return None;
    }
    if rules.username {
        let name = username(bytes);
        let from = name.as_ptr() as usize - bytes.as_ptr() as usize;
        customer = customer.narrow(from, from + name.len());
        bytes = name;
    }
    if bytes.contains(&b'@') && bytes.iter().any(u8::is_ascii_uppercase) {
        // An e-mail is one person whatever its case (platforms §1 rule 3).
        let lower = bytes.to_ascii_lowercase();
        let start = scratch.len();
        scratch.extend_from_slice(&lower);
        customer = Span::scratch(start, scratch.len());
    }
    Some(customer)
}

/// The status of a row: the platform's flag when its column says so, else the status.
fn status_of(p: &Positions, fields: &[Span], block: &[u8], scratch: &mut Vec<u8>) -> Span {
    let span = |i: Option<usize>, scratch: &[u8]| field(fields, i, block, scratch);
    if let Some((column, flag)) = p.rules.flag {
        let cell = span(Some(column), scratch).get(block, scratch);
        let set = if flag.when_filled {
            !cell.is_empty()
        } else {
            cell.eq_ignore_ascii_case(b"false")
        };
        if set {
            let start = scratch.len();
            scratch.extend_from_slice(flag.value.as_bytes());
            return Span::scratch(start, scratch.len());
        }
    }
    span(p.status, scratch)
}

/// Types a batch of blocks in parallel, in empty chunks taken from `spare` where
/// there are some; the chunks come back in the blocks' order.
pub(super) fn type_blocks(
    blocks: &[Block],
    context: &CsvContext,
    spare: &mut Vec<Chunk>,
) -> Vec<Chunk> {
    let empty: Vec<Chunk> = (0..blocks.len())
        .map(|_| spare.pop().unwrap_or_default())
        .collect();
    blocks
        .par_iter()
        .zip(empty)
        .map(|(block, chunk)| type_csv(&block.bytes, block.first_line, context, chunk))
        .collect()
}
