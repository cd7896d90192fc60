//! `rebuy summary`: contract §2.

use rayon::prelude::*;
use serde_json::Value;

use crate::cli::SummaryArgs;
use crate::metrics::benchmarks;
use crate::metrics::groups::{group_object, Group, GroupBy, OTHER_GROUP};
use crate::metrics::summary::{
    per_customer, summary, summary_from, summary_of, Counts, CustomerStats, Summary,
};
use crate::occasions::Occasions;
use crate::output::Output;
use crate::progress::Progress;
use crate::render::{Cell, Document, Table};
use crate::settings::Settings;

pub fn run(args: &SummaryArgs) -> anyhow::Result<()> {
    let grouping = super::grouping(&args.group)?;
    let vertical = match args.vertical.as_deref() {
        None => None,
        Some(name) => Some(benchmarks::find(name).ok_or_else(|| {
            crate::error::Error::usage(format!(
                "--vertical {name:?} is not one rebuy has ranges for; use one of: {}",
                benchmarks::names().join(", ")
            ))
        })?),
    };
    let settings = Settings::resolve(&args.common)?;
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let Some(grouping) = grouping else {
        let result = compute(&settings)?;
        let mut document = document(&result);
        if let (Some(v), Some(asked)) = (&vertical, &args.vertical) {
            against(&mut document, &result, v, asked);
        }
        return super::emit(&document, &settings, output);
    };
    let progress = Progress::start();
    let (_, occasions, groups) = super::load_grouped(&settings, &progress, Some(&grouping))?;
    progress.step("computing the summary of each group");
    let stats = per_customer(&occasions)?;
    let all = summary_from(&occasions, &stats)?;
    let summaries = group_summaries(&occasions, &stats, groups.unwrap_or_default())?;
    drop(progress);
    super::emit(
        &grouped_document(&grouping.0, &all, &summaries),
        &settings,
        output,
    )
}

/// Each group's summary from the per-customer reductions of the occasions (`stats`,
/// made once): a group sums up its customers' (no pass over the occasions per group),
/// the groups side by side.
pub(crate) fn group_summaries(
    occasions: &Occasions,
    stats: &[CustomerStats],
    groups: Vec<Group>,
) -> crate::error::Result<Vec<(GroupName, Summary)>> {
    let codes = occasions.customers.len();
    // Each customer code's place in `stats`, and its purchase orders.
    let mut place = vec![u32::MAX; codes];
    for (i, c) in stats.iter().enumerate() {
        place[c.customer as usize] = i as u32;
    }
    let orders = occasions.orders_by_customer(codes)?;
    Ok(groups
        .into_par_iter()
        .map(|group| {
            let members: Vec<CustomerStats> = group
                .members
                .iter()
                .filter_map(|&c| stats.get(place[c as usize] as usize).copied())
                .collect();
            let counts = Counts {
                as_of: occasions.as_of,
                occasions: members.iter().map(|c| c.occasions as u64).sum(),
                orders: group.members.iter().map(|&c| orders[c as usize]).sum(),
                dropped: occasions.dropped,
            };
            ((group.name, group.label), summary_of(&counts, &members))
        })
        .collect())
}

/// A summary's keys without what every group shares (as-of and what was dropped).
fn group_keys(s: &Summary) -> serde_json::Map<String, Value> {
    match serde_json::to_value(s).expect("the summary serialises") {
        Value::Object(mut map) => {
            // In the keys' order: the next key does not take a removed one's place.
            map.shift_remove("as_of");
            map.shift_remove("dropped");
            map
        }
        _ => serde_json::Map::new(),
    }
}

/// A group: its value, and a first product's name where the export has one.
pub(crate) type GroupName = (String, Option<String>);

/// A group's JSON: its name (and the product's), then its summary's keys.
fn group_json((name, label): &GroupName, s: &Summary) -> Value {
    let mut fields = serde_json::Map::new();
    if let Some(label) = label {
        fields.insert("name".into(), Value::String(label.clone()));
    }
    fields.extend(group_keys(s));
    group_object(name, fields)
}

/// The summary of each group beside the whole file's: one row per group for people,
/// `group,key,value` for machines.
pub(crate) fn grouped_document(
    by: &GroupBy,
    all: &Summary,
    groups: &[(GroupName, Summary)],
) -> Document {
    let named = groups.iter().any(|((_, label), _)| label.is_some());
    let mut header = vec![
        by.name(),
        "customers",
        "share",
        "repeat rate",
        "days to 2nd, median",
        "2nd within 90 days",
        "first order value",
        "repeat order value",
        "share of revenue",
    ];
    if named {
        header.insert(1, "name");
    }
    let mut table = Table::new(
        format!("rebuy summary by {}, as of {}", by.name(), all.as_of),
        &header,
    );
    let mut machine = Table::untitled(&["group", "key", "value"]);
    let total = all.revenue.map(|m| m.0);
    let everyone = std::iter::once(("(all)", &None, all))
        .chain(groups.iter().map(|((n, label), s)| (n.as_str(), label, s)));
    for (name, label, s) in everyone {
        let mut row = vec![
            Cell::Text(name.to_string()),
            Cell::Count(s.customers),
            Cell::Rate(crate::metrics::quantile::ratio(
                s.customers as f64,
                all.customers as f64,
            )),
            Cell::Rate(Some(s.repeat_purchase_rate)),
            Cell::Days(s.time_to_second.median),
            Cell::Rate(s.repeat_within.d90),
            Cell::MoneyMean(s.aov_first),
            Cell::MoneyMean(s.aov_repeat),
            Cell::Rate(match (s.revenue, total) {
                (Some(r), Some(t)) if t > 0 => Some(r.0 as f64 / t as f64),
                _ => None,
            }),
        ];
        if named {
            row.insert(1, Cell::Text(label.clone().unwrap_or_default()));
        }
        table.push(row);
        let flat = crate::render::flatten(&Value::Object(group_keys(s)));
        for row in flat.rows {
            let mut cells = vec![Cell::Text(name.to_string())];
            cells.extend(row);
            machine.push(cells);
        }
    }
    let mut notes = vec![super::left_out(&all.dropped), by.note()];
    if groups.iter().any(|((n, _), _)| n == OTHER_GROUP) {
        notes.push(format!(
            "{OTHER_GROUP}: the customers of the groups past --top, together."
        ));
    }
    let mut json = serde_json::Map::new();
    json.insert("as_of".into(), serde_json::json!(all.as_of));
    json.insert("by".into(), Value::String(by.name().to_string()));
    json.insert("overlapping".into(), Value::Bool(by.overlapping()));
    json.insert(
        "groups".into(),
        Value::Array(groups.iter().map(|(n, s)| group_json(n, s)).collect()),
    );
    json.insert(
        "all".into(),
        serde_json::to_value(all).expect("the summary serialises"),
    );
    json.insert("dropped".into(), serde_json::json!(all.dropped));
    Document {
        tables: vec![table],
        notes,
        machine: Some(machine),
        json: Value::Object(json),
        page: None,
    }
}

/// The repeat purchase rate against a vertical's ranges, under the summary: a table,
/// a note naming the source, and `benchmark` in the JSON (and so in the csv). `asked`
/// is the name given, which may be another name for `v`.
pub(crate) fn against(document: &mut Document, s: &Summary, v: &benchmarks::Vertical, asked: &str) {
    let rate = s.repeat_purchase_rate;
    let position = benchmarks::position(rate, v);
    let range = |(low, high): (f64, f64)| format!("{:.0}–{:.0}%", low * 100.0, high * 100.0);
    let mut table = Table::new(
        format!(
            "Repeat purchase rate against {} shops: {}",
            v.name,
            position.words()
        ),
        &["", "repeat purchase rate"],
    );
    for (label, value) in [
        ("this shop".to_string(), format!("{:.1}%", rate * 100.0)),
        (
            "with no retention effort".to_string(),
            range(benchmarks::NO_EFFORT),
        ),
        (format!("typical of {}", v.name), range(v.typical)),
        (
            "target, with a retention programme".to_string(),
            range(v.target),
        ),
    ] {
        table.push(vec![Cell::Text(label), Cell::Text(value)]);
    }
    document.tables.push(table);
    let asked = asked.trim().to_ascii_lowercase();
    let alias = if asked == v.name {
        String::new()
    } else {
        format!(
            " {asked} has no ranges of its own: its goods are bought like {}.",
            v.name
        )
    };
    document.notes.push(format!(
        "{}: {}.{alias} Ranges from {}. Where the ranges overlap, at target wins.",
        v.name,
        v.sells,
        benchmarks::SOURCE
    ));
    document.json["benchmark"] = serde_json::json!({
        "vertical": v.name,
        "repeat_purchase_rate": rate,
        "position": position,
        "no_effort_low": benchmarks::NO_EFFORT.0,
        "no_effort_high": benchmarks::NO_EFFORT.1,
        "typical_low": v.typical.0,
        "typical_high": v.typical.1,
        "target_low": v.target.0,
        "target_high": v.target.1,
    });
}

/// Reads the inputs and computes the summary, with a spinner meanwhile.
pub(crate) fn compute(settings: &Settings) -> crate::error::Result<Summary> {
    let progress = Progress::start();
    let (_, occasions) = super::load(settings, &progress)?;
    progress.step("computing the summary");
    summary(&occasions)
}

/// The summary for people (two tables and a line on what was dropped) and machines.
pub fn document(s: &Summary) -> Document {
    let mut headline = Table::new(
        format!("rebuy summary, as of {}", s.as_of),
        &["metric", "value"],
    );
    let mut row = |label: &str, cell: Cell| headline.push(vec![Cell::Text(label.into()), cell]);
    row("Customers", Cell::Count(s.customers));
    row("Purchase occasions", Cell::Count(s.occasions));
    row("Orders", Cell::Count(s.orders));
    row("Revenue", Cell::Money(s.revenue));
    row("Repeat customers", Cell::Count(s.repeat_customers));
    row(
        "Repeat purchase rate",
        Cell::Rate(Some(s.repeat_purchase_rate)),
    );
    let t = &s.time_to_second;
    row("Days to 2nd purchase, median", Cell::Days(t.median));
    row("Days to 2nd purchase, mean", Cell::Days(t.mean));
    row("Days to 2nd purchase, p25", Cell::Days(t.p25));
    row("Days to 2nd purchase, p75", Cell::Days(t.p75));
    for (days, value) in s.repeat_within.by_days() {
        row(
            &format!("2nd purchase within {days} days"),
            Cell::Rate(value),
        );
    }
    row(
        "Purchases per active customer, last 12 months",
        Cell::Number(s.purchase_frequency_12m),
    );
    row(
        "Average days between purchases",
        Cell::Days(s.avg_days_between_purchases),
    );
    row("Average first order value", Cell::MoneyMean(s.aov_first));
    row("Average repeat order value", Cell::MoneyMean(s.aov_repeat));
    row(
        "Revenue from repeat purchases",
        Cell::Rate(s.repeat_revenue_share),
    );
    row(
        "Revenue from top 20% of customers",
        Cell::Rate(s.top20_revenue_share),
    );

    let mut ladder = Table::new(
        "Purchase ladder",
        &["occasions", "customers", "go on to the next"],
    );
    for step in &s.ladder {
        ladder.push(vec![
            Cell::Text(format!("{}+", step.k)),
            Cell::Count(step.customers),
            Cell::Rate(step.next_share),
        ]);
    }

    let notes = vec![
        super::left_out(&s.dropped),
        "2nd purchase within N days: Kaplan–Meier estimate counting customers who have not had N days yet; – where no customer was followed that long.".to_string(),
    ];
    Document {
        tables: vec![headline, ladder],
        notes,
        machine: None,
        // Serialising a plain struct of numbers and dates cannot fail.
        json: serde_json::to_value(s).expect("the summary serialises"),
        page: None,
    }
}
