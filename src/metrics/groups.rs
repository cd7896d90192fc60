//! `--by`: customers grouped by their first occasion (contract §9). By an order-level
//! column, each customer is in one group; by first product or category, in every
//! item of their first occasion.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::frames;
use crate::intern::NO_CODE;
use crate::occasions::{line_col, Occasions, PurchaseLines};

/// The group of customers whose value is empty.
pub const NONE_GROUP: &str = "(none)";
/// The groups past `--top`, together.
pub const OTHER_GROUP: &str = "(other)";

/// What customers are grouped by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// The value of this column (read as each line's category) on the first occasion.
    Column(String),
    /// Every product of the first occasion.
    FirstProduct,
    /// Every category of the first occasion.
    FirstCategory,
}

impl GroupBy {
    /// `--by` as written: `first-product`, `first-category`, or a column's name.
    pub fn parse(text: &str) -> GroupBy {
        match text {
            "first-product" => GroupBy::FirstProduct,
            "first-category" => GroupBy::FirstCategory,
            column => GroupBy::Column(column.to_string()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            GroupBy::Column(column) => column,
            GroupBy::FirstProduct => "first-product",
            GroupBy::FirstCategory => "first-category",
        }
    }

    /// A customer can be in several groups: their shares do not add up.
    pub fn overlapping(&self) -> bool {
        !matches!(self, GroupBy::Column(_))
    }

    /// What a reader needs to know of the groups: how a customer's group is chosen, and
    /// for gateway groups that they overlap.
    pub fn note(&self) -> String {
        match self {
            GroupBy::Column(column) => format!(
                "Each customer is in one group: the value of {column} on their first purchase (its earliest order; of several values, the smallest). {NONE_GROUP}: empty."
            ),
            GroupBy::FirstProduct | GroupBy::FirstCategory => format!(
                "A customer counts in every {} of their first purchase: the groups overlap, and their shares add up to more than 100%.",
                if *self == GroupBy::FirstProduct { "product" } else { "category" }
            ),
        }
    }

    /// The column of the purchase lines the values come from.
    fn column(&self) -> &'static str {
        match self {
            GroupBy::FirstProduct => line_col::PRODUCT,
            _ => line_col::CATEGORY,
        }
    }
}

/// A group's JSON object: `group` (its value) first, then `fields`.
pub fn group_object(
    name: &str,
    fields: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert("group".into(), serde_json::Value::String(name.to_string()));
    object.extend(fields);
    serde_json::Value::Object(object)
}

/// One group: its value and which customer codes are in it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub name: String,
    /// The product's name, for a first product where the export names its products.
    pub label: Option<String>,
    pub customers: u64,
    /// The customer codes in the group, ascending (held as codes, not as a flag per
    /// customer: thousands of groups of millions of customers stay small).
    #[serde(skip)]
    pub members: Vec<u32>,
}

impl Group {
    /// A flag per customer code, `customers` of them: in the group or not.
    pub fn mask(&self, customers: usize) -> Vec<bool> {
        let mut mask = vec![false; customers];
        for &c in &self.members {
            if let Some(m) = mask.get_mut(c as usize) {
                *m = true;
            }
        }
        mask
    }
}

/// The largest `top` groups by customers (ties by value), then `(other)` holding the
/// customers of the rest (in gateway groups, those with any item outside the top).
pub fn groups(
    occasions: &Occasions,
    lines: &PurchaseLines,
    by: &GroupBy,
    top: usize,
) -> Result<Vec<Group>> {
    let customers = lines.customers;
    let (first_day, _) = occasions.first_two_days(customers)?;
    let customer = frames::codes(&lines.frame, line_col::CUSTOMER)?;
    let value = frames::codes(&lines.frame, by.column())?;
    let day = frames::days(&lines.frame, line_col::DAY)?;
    let ids = match by {
        GroupBy::FirstProduct => &lines.products,
        _ => &lines.categories,
    };
    // Each customer's values on their first occasion, as (customer, value) pairs;
    // NO_CODE where the customer has none.
    let mut pairs: Vec<(u32, u32)> = match by {
        GroupBy::Column(_) => {
            let ts = lines
                .frame
                .column(line_col::TS)
                .and_then(|c| c.i64().cloned())
                .map_err(Error::internal)?;
            let ts = ts.cont_slice().map_err(Error::internal)?;
            let ranks = ids.ranks();
            // The earliest order's value; of several at that time, the smallest.
            let mut best: Vec<(i64, u32)> = vec![(i64::MAX, u32::MAX); customers];
            for i in 0..customer.len() {
                let c = customer[i] as usize;
                if value[i] == NO_CODE || day[i] != first_day[c] {
                    continue;
                }
                let candidate = (ts[i], ranks[value[i] as usize]);
                if candidate < best[c] {
                    best[c] = candidate;
                }
            }
            let by_rank = ids.sorted();
            (0..customers)
                .filter(|&c| first_day[c] != crate::occasions::NO_DAY)
                .map(|c| {
                    let rank = best[c].1;
                    let code = if rank == u32::MAX {
                        NO_CODE
                    } else {
                        by_rank[rank as usize]
                    };
                    (c as u32, code)
                })
                .collect()
        }
        _ => {
            let mut pairs: Vec<(u32, u32)> = (0..customer.len())
                .filter(|&i| day[i] == first_day[customer[i] as usize])
                .map(|i| (customer[i], value[i]))
                .collect();
            pairs.sort_unstable();
            pairs.dedup();
            // An empty item beside a named one is no item.
            let mut kept: Vec<(u32, u32)> = Vec::with_capacity(pairs.len());
            for run in pairs.chunk_by(|a, b| a.0 == b.0) {
                let named = run.iter().filter(|p| p.1 != NO_CODE);
                if named.clone().next().is_some() {
                    kept.extend(named);
                } else {
                    kept.push((run[0].0, NO_CODE));
                }
            }
            kept
        }
    };
    // By value, then customer: each value's customers are a run, in code order.
    pairs.sort_unstable_by_key(|&(c, v)| (v, c));
    let name = |code: u32| {
        if code == NO_CODE {
            NONE_GROUP.to_string()
        } else {
            String::from_utf8_lossy(ids.bytes(code)).into_owned()
        }
    };
    // (value, its run in `pairs`, its name), largest first, ties by name.
    let mut runs: Vec<(u32, std::ops::Range<usize>, String)> = Vec::new();
    let mut start = 0;
    for run in pairs.chunk_by(|a, b| a.1 == b.1) {
        runs.push((run[0].1, start..start + run.len(), name(run[0].1)));
        start += run.len();
    }
    runs.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.2.cmp(&b.2)));
    let kept = top.min(runs.len());
    let mut groups = Vec::with_capacity(kept + 1);
    for (code, run, name) in runs.drain(..kept) {
        let label = match by {
            GroupBy::FirstProduct if code != NO_CODE => {
                lines.product_names.get(code as usize).cloned().flatten()
            }
            _ => None,
        };
        groups.push(Group {
            name,
            label,
            customers: run.len() as u64,
            members: pairs[run].iter().map(|&(c, _)| c).collect(),
        });
    }
    if !runs.is_empty() {
        let mut members: Vec<u32> = runs
            .iter()
            .flat_map(|(_, run, _)| pairs[run.clone()].iter().map(|&(c, _)| c))
            .collect();
        members.sort_unstable();
        members.dedup();
        groups.push(Group {
            name: OTHER_GROUP.to_string(),
            label: None,
            customers: members.len() as u64,
            members,
        });
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::ProductNeeds;
    use crate::input::occasions::OccasionOptions;
    use crate::input::read::ReadOptions;
    use crate::input::schema::ValueOptions;

    /// See fixtures/README.md: A's first day has DE and US at 09:00 and FR at 10:00.
    const ORDERS: &str = include_str!("../../fixtures/first_orders.csv");

    fn grouped(by: &str, top: usize) -> Vec<(String, u64, Vec<String>)> {
        let by = GroupBy::parse(by);
        let read = ReadOptions {
            group: match &by {
                GroupBy::Column(c) => Some(c.clone()),
                _ => None,
            },
            ..ReadOptions::default()
        };
        let needs = ProductNeeds {
            categories: true,
            names: false,
            times: true,
        };
        let (occasions, lines) = crate::input::testing::purchases_with(
            &[ORDERS],
            &read,
            &ValueOptions::default(),
            OccasionOptions::default(),
            needs,
        )
        .unwrap();
        groups(&occasions, &lines, &by, top)
            .unwrap()
            .into_iter()
            .map(|g| {
                let mut members: Vec<String> = g
                    .members
                    .iter()
                    .map(|&c| String::from_utf8_lossy(occasions.customers.bytes(c)).into_owned())
                    .collect();
                members.sort();
                (g.name, g.customers, members)
            })
            .collect()
    }

    fn group(name: &str, members: &[&str]) -> (String, u64, Vec<String>) {
        (
            name.to_string(),
            members.len() as u64,
            members.iter().map(|m| m.to_string()).collect(),
        )
    }

    #[test]
    fn a_column_partitions_by_the_earliest_order_then_the_smallest_value() {
        assert_eq!(
            grouped("country", 20),
            vec![
                group("DE", &["A", "D"]),
                group("(none)", &["B"]),
                group("FR", &["C"]),
            ]
        );
        // Top 1: the rest folded together.
        assert_eq!(
            grouped("Country", 1),
            vec![group("DE", &["A", "D"]), group("(other)", &["B", "C"])]
        );
    }

    #[test]
    fn first_products_count_a_customer_in_each() {
        // A's first occasion (Jan 1, both orders) holds beans and grinder.
        assert_eq!(
            grouped("first-product", 20),
            vec![
                group("beans", &["A", "C"]),
                group("grinder", &["A", "D"]),
                group("cups", &["B"]),
            ]
        );
        assert_eq!(
            grouped("first-product", 1),
            vec![
                group("beans", &["A", "C"]),
                group("(other)", &["A", "B", "D"])
            ]
        );
    }
}
