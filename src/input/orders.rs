//! Lines to orders (contract §1 step 4), and which orders are purchases (step 5).
//!
//! Lines arrive in batches (`lines::LineTable` folds every `FLUSH_LINES` lines, so
//! memory follows the orders rather than the lines); each batch becomes partial orders
//! here, and `OrderFolds::finish` puts an order split between batches together again.

use polars::prelude::*;

use super::platforms::StatusRule;
use super::schema::col_name as line;
use crate::error::{Error, Result};
use crate::frames::collect;
use crate::occasions::{line_col, PurchaseLines};

/// After aggregating `sum` and `count` (as `known`): null where no value was known,
/// as SQL's `SUM` gives. Plain aggregations keep polars on its fast group-by path.
pub(super) fn null_unless_known(name: &str) -> Expr {
    when(col(KNOWN).gt(lit(0)))
        .then(col(name))
        .otherwise(lit(NULL).cast(DataType::Int64))
        .alias(name)
}

pub(super) const KNOWN: &str = "known";

/// An order's customer, order id, earliest time and day, and the sum of its amounts;
/// `known` counts the amounts that were known (from lines, or from partial orders);
/// with statuses, the first status among its lines (platforms §1 rule 4).
fn order_aggregates(known: Expr, status: bool) -> Vec<Expr> {
    let mut aggregates = vec![
        col(line::CUSTOMER).first(),
        col(line::ORDER).first(),
        col(line::TS).min(),
        col(line::DAY).min(),
        col(line::AMOUNT).sum(),
        known,
    ];
    if status {
        aggregates.push(col(line::STATUS).drop_nulls().first());
    }
    aggregates
}

/// How many orders had one status, and whether they count as purchases.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StatusCount {
    pub status: String,
    pub orders: u64,
    pub purchase: bool,
}

/// A purchase: an order of amount above 0, or of unknown amount (contract §1 step 5).
pub(super) fn is_purchase() -> Expr {
    col(line::AMOUNT)
        .is_null()
        .or(col(line::AMOUNT).gt(lit(0i64)))
}

/// Every order of the input, of any amount: one row per order, `customer`, `order`
/// (the order id's code), `ts` (earliest), `day` (of the earliest) and `amount` (null
/// where no line's amount is known); with products also `order_key`, which ties the
/// lines to their order.
pub struct Orders {
    pub(super) frame: DataFrame,
}

impl Orders {
    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }

    /// Day numbers of the first and the last order.
    pub fn days(&self) -> Result<Option<(i32, i32)>> {
        let days = self
            .frame
            .column(line::DAY)
            .and_then(|c| c.cast(&DataType::Int32))
            .map_err(Error::internal)?;
        let days = days.i32().map_err(Error::internal)?;
        Ok(days.min().zip(days.max()))
    }

    /// Leaves out the orders whose status says they were not bought (platforms §1
    /// rule 4, after step 4 and before step 5); returns the orders per status value,
    /// `None` when no line had a status column.
    pub(super) fn leave_out_statuses(
        &mut self,
        statuses: &crate::intern::Interner,
        rule: &StatusRule,
    ) -> Result<Option<Vec<StatusCount>>> {
        if !self.frame.schema().contains(line::STATUS) {
            return Ok(None);
        }
        let codes = self
            .frame
            .column(line::STATUS)
            .and_then(|c| c.u32().cloned())
            .map_err(Error::internal)?;
        // Orders per status code; the last slot counts orders without a status.
        let mut counts = vec![0u64; statuses.len() + 1];
        for code in codes.iter() {
            counts[code.map_or(statuses.len(), |c| c as usize)] += 1;
        }
        let mut bought = vec![true; statuses.len() + 1];
        let mut table = Vec::new();
        for (slot, &orders) in counts.iter().enumerate().filter(|(_, &n)| n > 0) {
            let status = if slot == statuses.len() {
                String::new()
            } else {
                String::from_utf8_lossy(statuses.bytes(slot as u32)).into_owned()
            };
            bought[slot] = rule.is_purchase(&status);
            table.push(StatusCount {
                status,
                orders,
                purchase: bought[slot],
            });
        }
        let kept: BooleanChunked = codes
            .iter()
            .map(|code| bought[code.map_or(statuses.len(), |c| c as usize)])
            .collect();
        self.frame = self
            .frame
            .filter(&kept)
            .and_then(|f| f.drop(line::STATUS))
            .map_err(Error::internal)?;
        table.sort_by(|a, b| {
            b.orders
                .cmp(&a.orders)
                .then_with(|| a.status.cmp(&b.status))
        });
        Ok(Some(table))
    }

    /// The lines of purchase orders, each with its order's day (contract §5 reads
    /// them): `lines` as kept by the reader, joined to the purchase orders.
    pub(super) fn purchase_lines(&self, lines: &DataFrame) -> Result<DataFrame> {
        let purchases = self
            .frame
            .clone()
            .lazy()
            .filter(is_purchase())
            .select([col(line::ORDER_KEY), col(line::DAY).alias(line_col::DAY)]);
        collect(
            lines
                .clone()
                .lazy()
                .select([
                    col(line::ORDER_KEY),
                    col(line::CUSTOMER).alias(line_col::CUSTOMER),
                    col(line::PRODUCT).alias(line_col::PRODUCT),
                    col(line::CATEGORY).alias(line_col::CATEGORY),
                ])
                .inner_join(purchases, col(line::ORDER_KEY), col(line::ORDER_KEY))
                .select([
                    col(line_col::CUSTOMER),
                    col(line_col::PRODUCT),
                    col(line_col::CATEGORY),
                    col(line_col::DAY),
                ]),
        )
    }
}

/// The product lines the reader kept, and the ids behind their codes.
pub struct ProductLines {
    /// Columns `customer, order_key, product, category` (see `schema::col_name`).
    pub(super) lines: DataFrame,
    pub(super) products: crate::intern::Interner,
    pub(super) product_names: Vec<Option<String>>,
    pub(super) categories: crate::intern::Interner,
}

impl ProductLines {
    /// Each line of a purchase order with its order's day (contract §5).
    pub fn purchased(self, orders: &Orders, customers: usize) -> Result<PurchaseLines> {
        Ok(PurchaseLines {
            frame: orders.purchase_lines(&self.lines)?,
            products: self.products,
            product_names: self.product_names,
            categories: self.categories,
            customers,
            first_day: orders.days()?.map(|(first, _)| first),
        })
    }
}

/// Batches of lines folded into partial orders as they come.
#[derive(Default)]
pub(super) struct OrderFolds {
    partials: Vec<DataFrame>,
}

impl OrderFolds {
    /// Lines to orders (step 4) for one batch of lines: per order key its customer,
    /// order id, earliest time and day, and the sum and count of its known amounts.
    pub(super) fn add(&mut self, lines: &DataFrame) -> Result<()> {
        let status = lines.schema().contains(line::STATUS);
        self.partials.push(collect(
            lines
                .clone()
                .lazy()
                .group_by([col(line::ORDER_KEY)])
                .agg(order_aggregates(
                    col(line::AMOUNT).count().cast(DataType::Int64).alias(KNOWN),
                    status,
                )),
        )?);
        Ok(())
    }

    /// The orders of all batches: an order whose lines fell in several batches is put
    /// together again (unless `regroup` is false: no order was split); its amount is
    /// null when none of its lines had one. `keep_keys` keeps each order's key.
    pub(super) fn finish(self, regroup: bool, keep_keys: bool) -> Result<Orders> {
        let single = self.partials.len() == 1 || !regroup;
        // Batches read before the first status have none.
        let status = self
            .partials
            .iter()
            .any(|p| p.schema().contains(line::STATUS));
        let all = concat(
            self.partials
                .into_iter()
                .map(|p| {
                    if status && !p.schema().contains(line::STATUS) {
                        p.lazy()
                            .with_column(lit(NULL).cast(DataType::UInt32).alias(line::STATUS))
                    } else {
                        p.lazy()
                    }
                })
                .collect::<Vec<_>>(),
            UnionArgs::default(),
        )
        .map_err(Error::internal)?;
        let combined = if single {
            all
        } else {
            all.group_by([col(line::ORDER_KEY)])
                .agg(order_aggregates(col(KNOWN).sum(), status))
        };
        let mut columns = vec![
            col(line::CUSTOMER),
            col(line::ORDER),
            col(line::TS),
            col(line::DAY),
            col(line::AMOUNT),
        ];
        if keep_keys {
            columns.push(col(line::ORDER_KEY));
        }
        if status {
            columns.push(col(line::STATUS));
        }
        Ok(Orders {
            frame: collect(
                combined
                    .with_column(null_unless_known(line::AMOUNT))
                    .select(columns),
            )?,
        })
    }
}
