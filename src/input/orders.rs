//! Lines to orders (contract §1 step 4), and which orders are purchases (step 5).
//!
//! Lines arrive in batches (`line_table::LineTable` hands them on every `FLUSH_LINES`
//! lines, so memory follows the orders rather than the lines); `OrderFolds` adds each
//! line to its order as it comes.

use polars::prelude::*;

use super::line_table::LineBatch;
use super::platforms::StatusRule;
use super::schema::NO_AMOUNT;
use crate::days;
use crate::error::{Error, Result};
use crate::intern::NO_CODE;
use crate::occasions::{line_col, PurchaseLines};

/// How many orders had one status, and whether they count as purchases.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StatusCount {
    pub status: String,
    pub orders: u64,
    pub purchase: bool,
}

/// Every order of the input, of any amount, column by column, in the order orders
/// first appear: its customer, its order id's code (`NO_CODE` without one), the
/// earliest time of its lines and the sum of their amounts (`NO_AMOUNT` where no
/// line's amount is known).
pub struct Orders {
    pub(super) customer: Vec<u32>,
    pub(super) order: Vec<u32>,
    pub(super) ts: Vec<i64>,
    pub(super) amount: Vec<i64>,
    /// The first status among each order's lines (`NO_CODE` where none); `None`
    /// when no line had a status column.
    status: Option<Vec<u32>>,
}

impl Orders {
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// A purchase: an order of amount above 0, or of unknown amount (contract §1
    /// step 5).
    pub(super) fn is_purchase(&self, i: usize) -> bool {
        let amount = self.amount[i];
        amount == NO_AMOUNT || amount > 0
    }

    /// Day numbers of the first and the last order.
    pub fn days(&self) -> Option<(i32, i32)> {
        let first = self.ts.iter().min()?;
        let last = self.ts.iter().max()?;
        Some((days::day_of(*first), days::day_of(*last)))
    }

    /// Leaves out the orders whose status says they were not bought (platforms §1
    /// rule 4, after step 4 and before step 5); returns the orders per status value
    /// and each order's new place (`NO_CODE` where left out), `None` when no line had
    /// a status column.
    pub(super) fn leave_out_statuses(
        &mut self,
        statuses: &crate::intern::Interner,
        rule: &StatusRule,
    ) -> Option<(Vec<StatusCount>, Vec<u32>)> {
        let codes = self.status.take()?;
        // Orders per status code; the last slot counts orders without a status.
        let slot_of = |code: u32| {
            if code == NO_CODE {
                statuses.len()
            } else {
                code as usize
            }
        };
        let mut counts = vec![0u64; statuses.len() + 1];
        for &code in &codes {
            counts[slot_of(code)] += 1;
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
        let mut places = Vec::with_capacity(codes.len());
        let mut kept = 0;
        for (i, &code) in codes.iter().enumerate() {
            if bought[slot_of(code)] {
                self.customer[kept] = self.customer[i];
                self.order[kept] = self.order[i];
                self.ts[kept] = self.ts[i];
                self.amount[kept] = self.amount[i];
                places.push(kept as u32);
                kept += 1;
            } else {
                places.push(NO_CODE);
            }
        }
        self.customer.truncate(kept);
        self.order.truncate(kept);
        self.ts.truncate(kept);
        self.amount.truncate(kept);
        table.sort_by(|a, b| {
            b.orders
                .cmp(&a.orders)
                .then_with(|| a.status.cmp(&b.status))
        });
        Some((table, places))
    }
}

/// The columns of the lines that purchase cycles need, kept as they are read.
#[derive(Default)]
pub(super) struct KeptLines {
    customer: Vec<u32>,
    /// The line's order: its place in `Orders` (`NO_CODE` once left out).
    order: Vec<u32>,
    product: Vec<u32>,
    category: Vec<u32>,
}

impl KeptLines {
    pub(super) fn push(&mut self, lines: &LineBatch, orders: &[u32]) {
        if self.customer.is_empty() {
            let room = lines.expected_lines.max(lines.customer.len());
            self.customer.reserve(room);
            self.order.reserve(room);
            self.product.reserve(room);
            self.category.reserve(room);
        }
        self.customer.extend_from_slice(lines.customer);
        self.order.extend_from_slice(orders);
        self.product.extend_from_slice(lines.product);
        self.category.extend_from_slice(lines.category);
    }

    /// Follows the orders to their new places after some were left out.
    pub(super) fn move_orders(&mut self, places: &[u32]) {
        for order in &mut self.order {
            *order = places[*order as usize];
        }
    }
}

/// The product lines the reader kept, and the ids behind their codes.
pub struct ProductLines {
    pub(super) lines: KeptLines,
    pub(super) products: crate::intern::Interner,
    pub(super) product_names: Vec<Option<String>>,
    pub(super) categories: crate::intern::Interner,
}

/// What `ProductLines::purchased` needs of the orders, taken before they go on to be
/// occasions: each order's day (`NOT_BOUGHT` where it is no purchase), the first
/// order's day, and where asked each order's time.
pub struct OrderDays {
    day: Vec<i32>,
    first: Option<i32>,
    ts: Option<Vec<i64>>,
}

const NOT_BOUGHT: i32 = i32::MIN;

impl Orders {
    /// With `times`, each order's time too (its earliest line's).
    pub fn order_days(&self, times: bool) -> OrderDays {
        OrderDays {
            ts: times.then(|| self.ts.clone()),
            day: (0..self.len())
                .map(|i| {
                    if self.is_purchase(i) {
                        days::day_of(self.ts[i])
                    } else {
                        NOT_BOUGHT
                    }
                })
                .collect(),
            first: self.days().map(|(first, _)| first),
        }
    }
}

impl ProductLines {
    /// Each line of a purchase order with its order's day (contract §5), in the
    /// order of the input.
    pub fn purchased(self, orders: &OrderDays, customers: usize) -> Result<PurchaseLines> {
        let lines = self.lines;
        // Room for every line: what purchases do not fill is address space only.
        let room = lines.order.len();
        let mut kept = KeptLines {
            customer: Vec::with_capacity(room),
            order: Vec::new(),
            product: Vec::with_capacity(room),
            category: Vec::with_capacity(room),
        };
        let mut day = Vec::with_capacity(room);
        let mut ts = Vec::with_capacity(if orders.ts.is_some() { room } else { 0 });
        for i in 0..lines.order.len() {
            let order = lines.order[i];
            if order == NO_CODE {
                continue;
            }
            let order_day = orders.day[order as usize];
            if order_day != NOT_BOUGHT {
                kept.customer.push(lines.customer[i]);
                kept.product.push(lines.product[i]);
                kept.category.push(lines.category[i]);
                day.push(order_day);
                if let Some(times) = &orders.ts {
                    ts.push(times[order as usize]);
                }
            }
        }
        drop(lines);
        let mut columns = vec![
            Column::new(line_col::CUSTOMER.into(), kept.customer),
            Column::new(line_col::PRODUCT.into(), kept.product),
            Column::new(line_col::CATEGORY.into(), kept.category),
            Column::new(line_col::DAY.into(), day),
        ];
        if orders.ts.is_some() {
            columns.push(Column::new(line_col::TS.into(), ts));
        }
        let frame = DataFrame::new_infer_height(columns).map_err(Error::internal)?;
        Ok(PurchaseLines {
            frame,
            products: self.products,
            product_names: self.product_names,
            categories: self.categories,
            customers,
            first_day: orders.first,
        })
    }
}

/// Lines folded into orders as they come: one slot per order, in the order orders
/// first appear, found without hashing by its order id's code (or, without an order
/// id, by the number of its customer and timestamp).
#[derive(Default)]
pub(super) struct OrderFolds {
    customer: Vec<u32>,
    order: Vec<u32>,
    /// Earliest timestamp of the order's lines.
    ts: Vec<i64>,
    /// Sum of the known amounts; `NO_AMOUNT` while none is known.
    amount: Vec<i64>,
    /// The first status among the order's lines (`NO_CODE`: none yet); empty until
    /// some line has a status column.
    status: Vec<u32>,
    status_seen: bool,
    /// The slot of each order id's code, for the first customer seen with it
    /// (`NO_CODE`: not seen).
    by_order: Vec<u32>,
    /// The slot of each (customer, timestamp) number of lines without an order id.
    by_timed: Vec<u32>,
    /// Slots of order ids seen with more than one customer, by order key: the same id
    /// under two customers is two orders.
    others: hashbrown::HashMap<u64, u32>,
}

impl OrderFolds {
    /// Lines to orders (step 4): each line's order takes the earliest time, and the
    /// sum and count of the known amounts.
    /// With `slots`, each line's order (its place in `Orders`) is pushed there.
    pub(super) fn add(&mut self, lines: &LineBatch, mut slots: Option<&mut Vec<u32>>) {
        if lines.status.is_some() && !self.status_seen {
            self.status_seen = true;
            self.status.resize(self.customer.len(), NO_CODE);
        }
        if self.customer.is_empty() {
            // Orders are at most the lines.
            let room = lines.expected_lines;
            self.customer.reserve(room);
            self.order.reserve(room);
            self.ts.reserve(room);
            self.amount.reserve(room);
            if self.status_seen {
                self.status.reserve(room);
            }
            self.by_order.reserve(room);
        }
        // Consecutive lines of an order find its slot once.
        let mut last: (u64, usize) = (u64::MAX, 0);
        for i in 0..lines.ts.len() {
            let key = lines.order_key[i];
            let slot = if key == last.0 {
                last.1
            } else {
                let slot = self.slot_of(key, lines.customer[i], lines.order[i]);
                last = (key, slot);
                slot
            };
            if let Some(slots) = slots.as_deref_mut() {
                slots.push(slot as u32);
            }
            self.ts[slot] = self.ts[slot].min(lines.ts[i]);
            let amount = lines.amount[i];
            if amount != NO_AMOUNT {
                let sum = &mut self.amount[slot];
                *sum = if *sum == NO_AMOUNT {
                    amount
                } else {
                    *sum + amount
                };
            }
            if let Some(status) = lines.status {
                if self.status[slot] == NO_CODE {
                    self.status[slot] = status[i];
                }
            }
        }
    }

    /// The slot of an order, made on its first line.
    fn slot_of(&mut self, key: u64, customer: u32, order: u32) -> usize {
        let low = key as u32;
        let (index, timed) = if order == NO_CODE {
            ((low & !(1 << 31)) as usize, true)
        } else {
            (low as usize, false)
        };
        let table = self.by_code(timed);
        if table.len() <= index {
            table.resize(index + 1, NO_CODE);
        }
        let found = table[index];
        if found == NO_CODE {
            let slot = self.push(customer, order);
            self.by_code(timed)[index] = slot as u32;
            return slot;
        }
        if self.customer[found as usize] == customer {
            return found as usize;
        }
        if let Some(&slot) = self.others.get(&key) {
            return slot as usize;
        }
        let slot = self.push(customer, order);
        self.others.insert(key, slot as u32);
        slot
    }

    /// The slots by order id's code, or by the number of a customer and timestamp.
    fn by_code(&mut self, timed: bool) -> &mut Vec<u32> {
        if timed {
            &mut self.by_timed
        } else {
            &mut self.by_order
        }
    }

    fn push(&mut self, customer: u32, order: u32) -> usize {
        self.customer.push(customer);
        self.order.push(order);
        self.ts.push(i64::MAX);
        self.amount.push(NO_AMOUNT);
        if self.status_seen {
            self.status.push(NO_CODE);
        }
        self.customer.len() - 1
    }

    /// The orders: an order's amount is unknown when none of its lines had one.
    pub(super) fn finish(self) -> Orders {
        Orders {
            customer: self.customer,
            order: self.order,
            ts: self.ts,
            amount: self.amount,
            status: self.status_seen.then_some(self.status),
        }
    }
}
