//! `rebuy sql`: the contract as one SQL query, for orders that live in a warehouse.
//!
//! The query reads a relation whose columns are typed (a DATE or TIMESTAMP date,
//! numeric amounts, text or integer ids) and follows contract §1 step by step, one CTE
//! a step, then the metric. Its result has the columns and rows of `rebuy COMMAND
//! --format csv`. What differs between engines is in `dialect`.

mod cohorts;
mod cycles;
pub mod dialect;
mod rfm;
mod summary;

use chrono::NaiveDate;

use crate::input::columns::Role;
use crate::input::occasions::SameDay;
use crate::input::platforms::{status_key, DEFAULT_NON_PURCHASE};
use dialect::Dialect;

/// The lines of one order (contract §1 step 4): the same customer and order id, or
/// the same customer and timestamp where there is no order id.
const ORDER_KEY: &str = "customer, order_id, CASE WHEN order_id IS NULL THEN ts END";

/// What the query is built from.
#[derive(Clone, Debug)]
pub struct Query {
    pub dialect: &'static Dialect,
    /// Anything the engine accepts after FROM: a table, a view, `read_parquet('…')`.
    pub from: String,
    /// The column of each role: `--map`, else the role's name for customer and date.
    pub columns: Vec<(Role, String)>,
    pub as_of: Option<NaiveDate>,
    pub same_day: SameDay,
    /// `--tz`: the zone a TIMESTAMP WITH TIME ZONE date is read in.
    pub tz: Option<String>,
    pub non_purchase_status: Option<Vec<String>>,
}

impl Query {
    fn column(&self, role: Role) -> Option<String> {
        self.columns
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, c)| self.dialect.ident(c))
    }

    /// A role's column trimmed as text, empty as NULL (contract §1 step 1).
    fn id(&self, role: Role) -> String {
        match self.column(role) {
            Some(c) => format!("NULLIF(TRIM({}), '')", self.dialect.as_text(&c)),
            None => format!("CAST(NULL AS {})", self.dialect.text),
        }
    }

    /// §1 step 3: amount, else quantity × unit price rounded to 4 decimals, else NULL.
    fn amount(&self) -> String {
        let d = self.dialect;
        let amount = self.column(Role::Amount).map(|c| d.as_money(&c));
        let product = match (self.column(Role::Quantity), self.column(Role::UnitPrice)) {
            (Some(q), Some(p)) => Some(d.as_money(&format!(
                "ROUND({} * {}, 4)",
                d.as_money(&q),
                d.as_money(&p)
            ))),
            _ => None,
        };
        match (amount, product) {
            (Some(a), Some(p)) => format!("COALESCE({a}, {p})"),
            (Some(a), None) => a,
            (None, Some(p)) => p,
            (None, None) => format!("CAST(NULL AS {})", d.money),
        }
    }

    /// Platforms §1 rule 4: TRUE where an order's `status` says it was bought.
    fn bought(&self, status: &str) -> String {
        if self.column(Role::Status).is_none() {
            return "TRUE".to_string();
        }
        let default: Vec<String> = DEFAULT_NON_PURCHASE.iter().map(|s| s.to_string()).collect();
        let list = self.non_purchase_status.as_ref().unwrap_or(&default);
        let mut keys: Vec<String> = list
            .iter()
            .flat_map(|s| {
                let key = status_key(s);
                [key.clone(), format!("wc{key}")]
            })
            .map(|k| self.dialect.literal(&k))
            .collect();
        keys.dedup();
        format!(
            "({status} IS NULL OR REPLACE(REPLACE(REPLACE(LOWER({status}), ' ', ''), '_', ''), '-', '') NOT IN ({}))",
            keys.join(", ")
        )
    }

    /// Contract §1 as CTEs, ending with `kept` (the occasions on or before as-of, each
    /// with its number `k` in the customer's order) and `as_of`. With `item`, the
    /// rows carry that role's id as `item` (for cycles).
    fn occasions(&self, item: Option<Role>) -> String {
        let d = self.dialect;
        let date = self.column(Role::Date).unwrap_or_else(|| d.ident("date"));
        let date = match &self.tz {
            Some(zone) => d.in_zone(&date, zone),
            None => date,
        };
        let status = self.id(Role::Status);
        let given = self
            .as_of
            .map(|day| date_day(d, day))
            .unwrap_or_else(|| "NULL".to_string());
        let occasions = match self.same_day {
            SameDay::Merge => "SELECT customer, day, MIN(ts) AS ts, MIN(order_id) AS order_id, SUM(amount) AS amount, COUNT(*) AS orders
    FROM purchases
    GROUP BY customer, day",
            SameDay::Keep => "SELECT customer, day, ts, order_id, amount, 1 AS orders
    FROM purchases",
        };
        format!(
            "WITH
-- Every row, its ids trimmed as text (empty is NULL), its date as a timestamp and its
-- line amount: the amount, else quantity × unit price (contract §1 steps 1-3).
rows_read AS (
    SELECT {customer} AS customer,
           {order} AS order_id,
           CAST({date} AS TIMESTAMP) AS ts,
           {amount} AS amount,
           {status} AS status{item}
    FROM {from}
),
-- Rows without a customer are guest rows; rows without a date are invalid.
lines AS (
    SELECT * FROM rows_read WHERE customer IS NOT NULL AND ts IS NOT NULL
),
-- Step 4: an order is (customer, order id), or (customer, timestamp) without one.
orders AS (
    SELECT customer, order_id, MIN(ts) AS ts, SUM(amount) AS amount, MIN(status) AS status
    FROM lines
    GROUP BY {order_key}
),
-- Orders whose status says they were not bought are left out (platforms §1 rule 4).
orders_bought AS (
    SELECT orders.*, CASE WHEN {bought} THEN 1 ELSE 0 END AS bought FROM orders
),
-- Step 5: a purchase is an order of amount above 0, or of unknown amount.
purchases AS (
    SELECT customer, order_id, ts, {day} AS day, amount
    FROM orders_bought
    WHERE bought = 1 AND (amount IS NULL OR amount > 0)
),
-- Step 6: an occasion is a customer's calendar day with a purchase.
occasions AS (
    {occasions}
),
-- Step 7: as-of, given or the latest occasion's day.
as_of AS (
    SELECT COALESCE({given}, MAX(day)) AS day FROM occasions
),
-- Occasions on or before as-of, numbered in each customer's order.
kept AS (
    SELECT o.*, a.day AS as_of_day,
           ROW_NUMBER() OVER (PARTITION BY o.customer ORDER BY o.ts, o.order_id) AS k
    FROM occasions o CROSS JOIN as_of a
    WHERE o.day <= a.day
)",
            customer = self.id(Role::Customer),
            order = self.id(Role::Order),
            amount = self.amount(),
            from = self.from,
            bought = self.bought("status"),
            order_key = ORDER_KEY,
            item = item
                .map(|role| format!(",\n           {} AS item", self.id(role)))
                .unwrap_or_default(),
            day = d.day_number("ts"),
        )
    }
}

/// The type-7 quantile `p` of `value` within a group, from rows numbered `i` = 0, 1, …
/// in order of `value`, `n` of them: linear between the order statistics around
/// (n − 1) p.
fn quantile(p: f64, value: &str) -> String {
    let h = format!("((n - 1) * {p})");
    format!(
        "SUM(CASE WHEN i = FLOOR({h}) THEN {value} * (1 - ({h} - FLOOR({h}))) ELSE 0 END
               + CASE WHEN i = FLOOR({h}) + 1 THEN {value} * ({h} - FLOOR({h})) ELSE 0 END)"
    )
}

/// A mean of money as rebuy gives it: in currency units, rounded to the 4th decimal
/// half away from zero, exactly (in integer ten-thousandths: `(2t + n) div 2n`; the
/// sums here are positive); NULL over nothing.
fn money_mean(d: &Dialect, total: &str, count: &str) -> String {
    // Both integers: PostgreSQL's SUM of integers is NUMERIC, whose `/` has decimals.
    let ten_thousandths = format!("CAST({total} * 10000 AS BIGINT)");
    let n = format!("CAST({count} AS BIGINT)");
    let rounded = d.int_div(&format!("2 * {ten_thousandths} + {n}"), &format!("2 * {n}"));
    format!(
        "CASE WHEN {count} > 0 THEN {} / 10000 END",
        d.as_float(&rounded)
    )
}

/// A fraction `part / whole` as a float; NULL where `whole` is 0.
fn share(d: &Dialect, part: &str, whole: &str) -> String {
    format!("{} / NULLIF({whole}, 0)", d.as_float(part))
}

/// A day number as the text `YYYY-MM-DD` (cast to DATE first: date arithmetic gives a
/// TIMESTAMP in some engines).
fn date_text(d: &Dialect, day: &str) -> String {
    d.as_text(&format!("CAST({} AS DATE)", d.date_of_day(day)))
}

/// The day number of a date.
fn date_day(d: &Dialect, date: NaiveDate) -> String {
    d.day_number(&format!("DATE '{date}'"))
}
