//! `rebuy cohorts`: contract §3, as a triangle for people and the long format for
//! machines.

use serde_json::json;

use crate::cli::{CohortFlags, CohortMetric, CohortsArgs};
use crate::error::{Error, Result};
use crate::metrics::cohorts::{cohort_extras, cohorts, CohortExtras, CohortFilter, Cohorts};
use crate::metrics::groups::{group_object, GroupBy};
use crate::metrics::periods::Period;
use crate::occasions::Occasions;
use crate::output::Output;
use crate::progress::Progress;
use crate::render::text::{decimal, thousands, MISSING};
use crate::render::{Cell, Document, Table};
use crate::settings::{parse_date, Settings};

/// Marks a figure whose period is not over on as-of.
const INCOMPLETE: &str = "*";

pub fn run(args: &CohortsArgs) -> anyhow::Result<()> {
    let filter = filter(&args.cohort)?;
    let period = args.cohort.period;
    let settings = Settings::resolve(&args.common)?;
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let grouping = super::grouping(&args.group)?;
    let progress = Progress::start();
    let (_, occasions, groups) = super::load_grouped(&settings, &progress, grouping.as_ref())?;
    progress.step("computing cohorts");
    if let (Some((by, _)), Some(groups)) = (&grouping, groups) {
        let mut each = Vec::with_capacity(groups.len());
        for group in groups {
            let of_group = occasions.only(&group.mask(occasions.customers.len()))?;
            let document = if args.cohort.extras {
                extras_document(
                    &cohort_extras(&of_group, period, filter)?,
                    period,
                    &occasions,
                )
            } else {
                triangle_document(&cohorts(&of_group, period, filter)?, args.metric)
            };
            each.push((group.name, document));
        }
        drop(progress);
        let document = super::noting_left_out(
            grouped_document(by, &each, args.cohort.extras, period, &occasions),
            &occasions.dropped,
        );
        return super::emit(&document, &settings, output);
    }
    let document = if args.cohort.extras {
        let extras = cohort_extras(&occasions, period, filter)?;
        if extras.is_empty() {
            return Err(nothing_chosen(&occasions, period)?.into());
        }
        extras_document(&extras, period, &occasions)
    } else {
        let result = cohorts(&occasions, period, filter)?;
        if result.cells.is_empty() {
            return Err(nothing_chosen(&occasions, period)?.into());
        }
        triangle_document(&result, args.metric)
    };
    drop(progress);
    let document = super::noting_left_out(document, &occasions.dropped);
    super::emit(&document, &settings, output)
}

/// `--since` and `--until`, checked.
pub(crate) fn filter(args: &CohortFlags) -> Result<CohortFilter> {
    let since = args
        .since
        .as_deref()
        .map(|d| parse_date("--since", d))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|d| parse_date("--until", d))
        .transpose()?;
    if let (Some(s), Some(u)) = (since, until) {
        if s > u {
            return Err(Error::usage(format!(
                "--since {s} is after --until {u}: no cohort could be shown; swap them"
            )));
        }
    }
    Ok(CohortFilter { since, until })
}

/// The error for `--since`/`--until` that leave no cohort: an empty export from a cron
/// job would pass unnoticed.
fn nothing_chosen(occasions: &Occasions, period: Period) -> Result<Error> {
    let all = cohorts(occasions, period, CohortFilter::default())?;
    let (first, last) = match (all.cells.first(), all.cells.last()) {
        (Some(first), Some(last)) => (first.cohort.clone(), last.cohort.clone()),
        _ => return Ok(Error::internal("no cohorts at all")),
    };
    Ok(Error::usage(format!(
        "--since/--until leave no cohort: the cohorts run from {first} to {last}; widen the range"
    )))
}

/// How one figure of the triangle reads for people.
fn figure(metric: CohortMetric, rate: Option<f64>, active: u64, revenue: Option<f64>) -> String {
    let text = match metric {
        CohortMetric::Retention => rate.map(|r| format!("{}%", decimal(r * 100.0, 1))),
        CohortMetric::Active => Some(thousands(active)),
        CohortMetric::Revenue => revenue.map(|r| decimal(r, 2)),
    };
    text.unwrap_or_else(|| MISSING.to_string())
}

/// The number a cell is shaded by: the metric's value.
fn value(metric: CohortMetric, rate: Option<f64>, revenue: Option<f64>) -> Option<f64> {
    match metric {
        CohortMetric::Retention | CohortMetric::Active => rate,
        CohortMetric::Revenue => revenue,
    }
}

pub(crate) fn triangle_document(c: &Cohorts, metric: CohortMetric) -> Document {
    let offsets = c.average.len();
    let mut header = vec!["cohort".to_string(), "customers".to_string()];
    // The space lines a header up with the digits of the figures under it.
    header.extend((0..offsets).map(|k| format!("{k} ")));
    let what = match metric {
        CohortMetric::Retention => "share of the cohort buying in that period",
        CohortMetric::Active => "customers of the cohort buying in that period",
        CohortMetric::Revenue => "revenue per customer to the end of that period",
    };
    let mut table = Table {
        title: Some(format!(
            "Cohorts by {} of first purchase, as of {}. Columns: {} since; cells: {what}.",
            c.period.singular(),
            c.as_of,
            c.period.plural()
        )),
        header,
        rows: Vec::new(),
    };

    // Shades run from 0 to the highest value after offset 0 (where retention is
    // always 100%), so the differences that matter stand out.
    let highest = c
        .cells
        .iter()
        .filter(|cell| metric == CohortMetric::Revenue || cell.period_offset > 0)
        .filter_map(|cell| {
            value(
                metric,
                Some(cell.retention_rate),
                cell.cumulative_revenue_per_customer,
            )
        })
        .fold(0.0, f64::max);
    let level = |v: Option<f64>| v.map(|v| if highest > 0.0 { v / highest } else { 0.0 });

    for cohort in c.cells.chunk_by(|a, b| a.cohort == b.cohort) {
        let mut row = vec![
            Cell::Text(cohort[0].cohort.clone()),
            Cell::Count(cohort[0].cohort_size),
        ];
        for cell in cohort {
            let rate = Some(cell.retention_rate);
            let revenue = cell.cumulative_revenue_per_customer;
            // A space where there is no mark keeps the digits of a column aligned.
            let mark = if cell.complete { " " } else { INCOMPLETE };
            row.push(Cell::Heat {
                text: format!(
                    "{}{mark}",
                    figure(metric, rate, cell.active_customers, revenue)
                ),
                level: level(value(metric, rate, revenue)),
            });
        }
        row.resize(offsets + 2, Cell::Text(String::new()));
        table.push(row);
    }

    let mut average = vec![
        Cell::Text("average".into()),
        Cell::Count(c.average.first().map_or(0, |a| a.customers)),
    ];
    for a in &c.average {
        // Counts of cohorts of different sizes do not average: under counts the
        // average row shows the share.
        let shown = match metric {
            CohortMetric::Active => CohortMetric::Retention,
            other => other,
        };
        let text = if a.cohorts == 0 {
            format!("{MISSING} ")
        } else {
            figure(
                shown,
                a.retention_rate,
                0,
                a.cumulative_revenue_per_customer,
            ) + " "
        };
        average.push(Cell::Heat {
            text,
            level: level(value(
                metric,
                a.retention_rate,
                a.cumulative_revenue_per_customer,
            )),
        });
    }
    table.push(average);

    let mut notes = Vec::new();
    if c.cells.iter().any(|cell| !cell.complete) {
        notes.push(format!(
            "A figure marked {INCOMPLETE} is for a {} not over on {}: it can still grow.",
            c.period.singular(),
            c.as_of
        ));
    }
    notes.extend([
        "average: each offset over the cohorts whose period there is complete, weighted by cohort size (a share under --metric active); its customers are those of the cohorts complete at offset 0.".to_string(),
    ]);
    Document {
        tables: vec![table],
        notes,
        machine: Some(long_table(c)),
        json: json!({
            "as_of": c.as_of,
            "period": c.period,
            "cells": c.cells,
            "average": c.average,
            "dropped": c.dropped,
        }),
        page: None,
    }
}

/// The cohorts of each group: the average curve of each (or with `--extras` each
/// group's cohorts) for people; the long format with a `group` column for machines.
fn grouped_document(
    by: &GroupBy,
    each: &[(String, Document)],
    extras: bool,
    period: Period,
    occasions: &Occasions,
) -> Document {
    let as_of = crate::days::date_of_day(occasions.as_of);
    let with_group = |name: &str, rows: &[Vec<Cell>]| -> Vec<Vec<Cell>> {
        rows.iter()
            .map(|row| {
                let mut cells = vec![Cell::Text(name.to_string())];
                cells.extend(row.iter().cloned());
                cells
            })
            .collect()
    };
    let first = |d: &Document| d.tables.first().cloned().unwrap_or_default();
    let header_of = |table: &Table| -> Vec<String> {
        std::iter::once(by.name().to_string())
            .chain(table.header.iter().cloned())
            .collect()
    };
    let mut people = Table::default();
    let mut machine = Table::default();
    for (name, document) in each {
        let table = first(document);
        let long = document.machine.clone().unwrap_or_default();
        if machine.header.is_empty() {
            machine.header = std::iter::once("group".to_string())
                .chain(long.header.iter().cloned())
                .collect();
        }
        machine.rows.extend(with_group(name, &long.rows));
        if extras {
            people.header = header_of(&table);
            people.rows.extend(with_group(name, &table.rows));
        } else if let Some(average) = table.rows.last() {
            // The triangle's last row is its average curve.
            // Its header without "cohort": the group, customers, the offsets.
            if table.header.len() > people.header.len() {
                people.header = header_of(&table);
                people.header.remove(1);
            }
            people
                .rows
                .extend(with_group(name, &[average[1..].to_vec()]));
        }
    }
    if !extras {
        // The curve of a group with fewer periods is shorter: pad every row.
        let width = people.header.len();
        for row in &mut people.rows {
            row.resize(width, Cell::Text(String::new()));
        }
    }
    people.title = Some(if extras {
        format!(
            "Cohorts by {} of first purchase and {}, as of {as_of}: repeat purchases",
            period.singular(),
            by.name()
        )
    } else {
        format!(
            "Average retention by {}, as of {as_of}: the share of a cohort buying in each {} after its first (the cohorts' average curve, weighted by size)",
            by.name(),
            period.singular()
        )
    });
    let mut notes = each
        .first()
        .map(|(_, d)| d.notes.clone())
        .unwrap_or_default();
    notes.push(by.note());
    let groups: Vec<serde_json::Value> = each
        .iter()
        .map(|(name, d)| {
            let mut fields = d.json.as_object().cloned().unwrap_or_default();
            for shared in ["as_of", "period", "dropped"] {
                fields.shift_remove(shared);
            }
            group_object(name, fields)
        })
        .collect();
    Document {
        tables: vec![people],
        notes,
        machine: Some(machine),
        json: json!({
            "as_of": as_of,
            "period": period,
            "by": by.name(),
            "overlapping": by.overlapping(),
            "groups": groups,
            "dropped": occasions.dropped,
        }),
        page: None,
    }
}

/// The long format of contract §3: one row per cohort and offset.
fn long_table(c: &Cohorts) -> Table {
    let mut table = Table::untitled(&[
        "cohort",
        "period_offset",
        "cohort_size",
        "active_customers",
        "retention_rate",
        "cumulative_revenue_per_customer",
        "complete",
    ]);
    for cell in &c.cells {
        table.push(vec![
            Cell::Text(cell.cohort.clone()),
            Cell::Count(u64::from(cell.period_offset)),
            Cell::Count(cell.cohort_size),
            Cell::Count(cell.active_customers),
            Cell::Rate(Some(cell.retention_rate)),
            Cell::MoneyMean(cell.cumulative_revenue_per_customer),
            Cell::Text(cell.complete.to_string()),
        ]);
    }
    table
}

fn extras_document(extras: &[CohortExtras], period: Period, occasions: &Occasions) -> Document {
    let as_of = crate::days::date_of_day(occasions.as_of);
    let mut people = Table::new(
        format!(
            "Cohorts by {} of first purchase, as of {as_of}: repeat purchases",
            period.singular()
        ),
        &[
            "cohort",
            "customers",
            "2nd ≤30d",
            "2nd ≤60d",
            "2nd ≤90d",
            "2nd ≤180d",
            "2nd ≤365d",
            "reached 2nd",
            "reached 3rd",
            "reached 4th+",
        ],
    );
    let mut machine = Table::untitled(&[
        "cohort",
        "cohort_size",
        "repeat_within_30",
        "repeat_within_60",
        "repeat_within_90",
        "repeat_within_180",
        "repeat_within_365",
        "reached_2nd",
        "reached_3rd",
        "reached_4plus",
    ]);
    for e in extras {
        let row = vec![
            Cell::Text(e.cohort.clone()),
            Cell::Count(e.cohort_size),
            Cell::Rate(e.repeat_within_30),
            Cell::Rate(e.repeat_within_60),
            Cell::Rate(e.repeat_within_90),
            Cell::Rate(e.repeat_within_180),
            Cell::Rate(e.repeat_within_365),
            Cell::Rate(Some(e.reached_2nd)),
            Cell::Rate(Some(e.reached_3rd)),
            Cell::Rate(Some(e.reached_4plus)),
        ];
        people.push(row.clone());
        machine.push(row);
    }
    Document {
        tables: vec![people],
        notes: vec![
            format!("{MISSING} not every member of the cohort has had that many days since their first purchase on {as_of}."),
        ],
        machine: Some(machine),
        json: json!({
            "as_of": as_of,
            "period": period,
            "cohorts": extras,
            "dropped": occasions.dropped,
        }),
        page: None,
    }
}
