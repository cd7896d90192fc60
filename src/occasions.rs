//! The tables every metric reads: purchase occasions (contract §1 steps 6–8), with
//! what was dropped on the way, and the lines of purchase orders with their items
//! (contract §5). `input` builds them; metrics and render read them without knowing
//! about files.

use std::sync::Arc;

use polars::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::intern::Interner;

/// Names of the columns of the occasion table.
pub mod col_name {
    pub const CUSTOMER: &str = "customer";
    pub const DAY: &str = "day";
    pub const TS: &str = "ts";
    pub const AMOUNT: &str = "amount";
    pub const ORDERS: &str = "orders";
    pub const ORDER: &str = "order";
}

/// What was left out, and why (contract §1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Dropped {
    pub guest_rows: u64,
    pub invalid_rows: u64,
    pub non_purchase_orders: u64,
    /// Orders whose status says they were not bought: cancelled, refunded, failed…
    pub non_purchase_status: u64,
    pub occasions_after_as_of: u64,
}

/// Purchase occasions on or before as-of: one row per (customer, day), or per order
/// with `--same-day keep`; columns `customer` (a code), `day`, `ts`, `amount` (null
/// where no amount is known) and `orders`, sorted by customer, then time (with `keep`,
/// orders at the same time by the text of their ids).
#[derive(Clone)]
pub struct Occasions {
    /// Parts with no customer in common, in customer order, each sorted by customer,
    /// then time; parts of some millions of occasions (see `input::occasions`).
    pub parts: Vec<DataFrame>,
    /// The customer id of each code.
    pub customers: Arc<Interner>,
    pub as_of: i32,
    pub dropped: Dropped,
    /// Orders of any amount, over the whole input.
    pub all_orders: u64,
}

impl Occasions {
    /// Purchase orders in the occasions, over all parts.
    pub fn orders(&self) -> Result<u64> {
        let mut orders = 0;
        for part in &self.parts {
            let counts = crate::frames::codes(part, col_name::ORDERS)?;
            orders += counts.iter().map(|&n| u64::from(n)).sum::<u64>();
        }
        Ok(orders)
    }

    /// How many occasions, over all parts.
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.height()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each customer code's 1st and 2nd occasion day (`NO_DAY` where there is none),
    /// for `customers` codes.
    pub fn first_two_days(&self, customers: usize) -> Result<(Vec<i32>, Vec<i32>)> {
        let (mut first, mut second) = (vec![NO_DAY; customers], vec![NO_DAY; customers]);
        for part in &self.parts {
            let customer = crate::frames::codes(part, col_name::CUSTOMER)?;
            let day = crate::frames::days(part, col_name::DAY)?;
            for i in 0..customer.len() {
                let c = customer[i] as usize;
                if c >= customers {
                    return Err(crate::error::Error::internal(
                        "an occasion's customer has no code",
                    ));
                }
                if i == 0 || customer[i - 1] != customer[i] {
                    first[c] = day[i];
                } else if i == 1 || customer[i - 2] != customer[i] {
                    second[c] = day[i];
                }
            }
        }
        Ok((first, second))
    }

    /// Each customer code's purchase orders, for `customers` codes.
    pub fn orders_by_customer(&self, customers: usize) -> Result<Vec<u64>> {
        let mut orders = vec![0u64; customers];
        for part in &self.parts {
            let customer = crate::frames::codes(part, col_name::CUSTOMER)?;
            let counts = crate::frames::codes(part, col_name::ORDERS)?;
            for (&c, &n) in customer.iter().zip(counts) {
                if let Some(o) = orders.get_mut(c as usize) {
                    *o += u64::from(n);
                }
            }
        }
        Ok(orders)
    }

    /// Calls `visit` once per customer, in the parts' order, with the customer's code
    /// and the days and amounts (`None` where unknown) of their occasions, in time order.
    pub fn each_customer(&self, mut visit: impl FnMut(u32, &[i32], &[Option<i64>])) -> Result<()> {
        let mut amounts: Vec<Option<i64>> = Vec::new();
        for part in &self.parts {
            let customer = crate::frames::codes(part, col_name::CUSTOMER)?;
            let day = crate::frames::days(part, col_name::DAY)?;
            let amount = part
                .column(col_name::AMOUNT)
                .and_then(|c| c.i64())
                .map_err(crate::error::Error::internal)?;
            amounts.clear();
            amounts.extend(amount.iter());
            let mut start = 0;
            for end in 1..=customer.len() {
                if end == customer.len() || customer[end] != customer[start] {
                    visit(customer[start], &day[start..end], &amounts[start..end]);
                    start = end;
                }
            }
        }
        Ok(())
    }

    /// The occasions of the customers whose code is marked in `keep`.
    pub fn only(&self, keep: &[bool]) -> Result<Occasions> {
        let mut parts = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            let customer = crate::frames::codes(part, col_name::CUSTOMER)?;
            let mask: BooleanChunked = customer
                .iter()
                .map(|&c| keep.get(c as usize).copied().unwrap_or(false))
                .collect();
            let kept = part.filter(&mask).map_err(crate::error::Error::internal)?;
            if kept.height() > 0 {
                parts.push(kept);
            }
        }
        Ok(Occasions {
            parts,
            customers: self.customers.clone(),
            as_of: self.as_of,
            dropped: self.dropped,
            all_orders: self.all_orders,
        })
    }
}

/// No such day: a customer without a 1st (or 2nd) occasion.
pub const NO_DAY: i32 = i32::MIN;

/// Names of the columns of `PurchaseLines`.
pub mod line_col {
    pub const CUSTOMER: &str = "customer";
    /// `intern::NO_CODE` where the line names none.
    pub const PRODUCT: &str = "product";
    pub const CATEGORY: &str = "category";
    /// The day of the line's order (its earliest line's day).
    pub const DAY: &str = "day";
    /// The time of the line's order (its earliest line's), where asked for
    /// (`ProductNeeds::times`).
    pub const TS: &str = "ts";
}

/// Every line of a purchase order (contract §1 step 5), of any day, with its customer,
/// product and category codes and its order's day: what purchase cycles are measured
/// on (contract §5). Built only where a command reads products.
pub struct PurchaseLines {
    /// Columns `line_col`.
    pub frame: DataFrame,
    pub products: Interner,
    /// Each product code's name, where the export has a name column.
    pub product_names: Vec<Option<String>>,
    pub categories: Interner,
    /// How many customer codes there are.
    pub customers: usize,
    /// The day of the first order of any amount, if any.
    pub first_day: Option<i32>,
}
