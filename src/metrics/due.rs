//! Contract §5, second half: for every customer and product with trigger days, the
//! stage of the reminder sequence reached.

use serde::Serialize;

use super::cycles::{Cycle, PurchaseDays};
use crate::error::Result;

/// Where a customer is in a product's reminder sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    None,
    Remind,
    Nudge,
    Offer,
    Lapsed,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::None => "none",
            Stage::Remind => "remind",
            Stage::Nudge => "nudge",
            Stage::Offer => "offer",
            Stage::Lapsed => "lapsed",
        }
    }

    /// The stage `days` after the last purchase: none before remind; remind, nudge,
    /// offer from their day on; lapsed once past offer + (offer − nudge).
    pub fn after(days: i32, triggers: Triggers) -> Stage {
        let Triggers {
            remind,
            nudge,
            offer,
        } = triggers;
        if days > offer + (offer - nudge) {
            Stage::Lapsed
        } else if days >= offer {
            Stage::Offer
        } else if days >= nudge {
            Stage::Nudge
        } else if days >= remind {
            Stage::Remind
        } else {
            Stage::None
        }
    }
}

/// A product's trigger days, counted from the last purchase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Triggers {
    pub remind: i32,
    pub nudge: i32,
    pub offer: i32,
}

/// One (customer, product) row of the reminder list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DueRow {
    pub customer: u32,
    /// The product (or category) code.
    pub item: u32,
    pub last_day: i32,
    /// Days from the last purchase to as-of (or to the `--fires-on` day).
    pub days_since: i32,
    pub triggers: Triggers,
    pub stage: Stage,
}

impl DueRow {
    pub fn remind_on(&self) -> i32 {
        self.last_day + self.triggers.remind
    }
    pub fn nudge_on(&self) -> i32 {
        self.last_day + self.triggers.nudge
    }
    pub fn offer_on(&self) -> i32 {
        self.last_day + self.triggers.offer
    }
}

/// Every (customer, item with triggers) of `days` (as `cycles::purchase_days` gives
/// them: pair, day, sorted), with the stage reached on `on` (as-of, or the
/// `--fires-on` day). With `fires_on`, only the rows with a trigger date on `on`; and
/// only the rows whose stage is in `stages`.
pub fn due(
    days: &PurchaseDays,
    cycles: &[Cycle],
    on: i32,
    fires_on: bool,
    stages: &[Stage],
) -> Result<Vec<DueRow>> {
    let highest = cycles
        .iter()
        .map(|c| c.code as usize + 1)
        .max()
        .unwrap_or(0);
    let mut triggers: Vec<Option<Triggers>> = vec![None; highest];
    for c in cycles {
        if let (Some(remind), Some(nudge), Some(offer)) = (c.remind, c.nudge, c.offer) {
            triggers[c.code as usize] = Some(Triggers {
                remind: remind as i32,
                nudge: nudge as i32,
                offer: offer as i32,
            });
        }
    }
    let (pairs, day) = (&days.pair, &days.day);
    let mut rows = Vec::new();
    for i in 0..pairs.len() {
        // Sorted by pair, then day: the last row of a pair is its last purchase.
        if pairs.get(i + 1) == Some(&pairs[i]) {
            continue;
        }
        let item = (pairs[i] >> 32) as u32;
        let Some(Some(t)) = triggers.get(item as usize) else {
            continue;
        };
        let last_day = day[i];
        let days_since = on - last_day;
        let mut row = DueRow {
            customer: (pairs[i] & 0xFFFF_FFFF) as u32,
            item,
            last_day,
            days_since,
            triggers: *t,
            stage: Stage::after(days_since, *t),
        };
        if fires_on {
            // The stage that fires on the day: the last trigger dated on it.
            let fired = [
                (row.offer_on(), Stage::Offer),
                (row.nudge_on(), Stage::Nudge),
                (row.remind_on(), Stage::Remind),
            ]
            .into_iter()
            .find(|&(date, _)| date == on);
            match fired {
                Some((_, stage)) => row.stage = stage,
                None => continue,
            }
        }
        if stages.contains(&row.stage) {
            rows.push(row);
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Triggers = Triggers {
        remind: 21,
        nudge: 28,
        offer: 35,
    };

    #[test]
    fn every_stage_boundary() {
        // Coffee on a 28-day cycle: remind on day 21, nudge 28, offer 35, and lapsed
        // after 35 + (35 − 28) = 42 days.
        let stages: Vec<(i32, Stage)> = [0, 20, 21, 27, 28, 34, 35, 42, 43, 400]
            .into_iter()
            .map(|d| (d, Stage::after(d, T)))
            .collect();
        assert_eq!(
            stages,
            vec![
                (0, Stage::None),
                (20, Stage::None),
                (21, Stage::Remind),
                (27, Stage::Remind),
                (28, Stage::Nudge),
                (34, Stage::Nudge),
                (35, Stage::Offer),
                (42, Stage::Offer),
                (43, Stage::Lapsed),
                (400, Stage::Lapsed),
            ]
        );
    }
}
