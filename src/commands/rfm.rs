//! `rebuy rfm`: contract §4, as the segment table with its actions and the R × F grid,
//! or one row per customer for an email or SMS tool.

use serde_json::json;

use crate::cli::RfmArgs;
use crate::error::{Error, Result};
use crate::metrics::groups::{group_object, Group, GroupBy};
use crate::metrics::rfm::{rfm, segment_rows, CustomerRfm, Rfm};
use crate::metrics::segments::Segments;
use crate::occasions::Occasions;
use crate::output::Output;
use crate::progress::Progress;
use crate::render::text::thousands;
use crate::render::{Cell, Document, Table};
use crate::settings::Settings;

/// Columns of `--customers`, in contract order.
const CUSTOMER_COLUMNS: [&str; 9] = [
    "customer_id",
    "recency_days",
    "frequency",
    "monetary",
    "r",
    "f",
    "m",
    "rfm",
    "segment",
];

pub fn run(args: &RfmArgs) -> anyhow::Result<()> {
    let segments = load_segments(args.rfm.segments_file.as_deref())?;
    let only = only_segment(&segments, args.rfm.segment.as_deref())?;
    let mut settings = Settings::resolve(&args.common)?;
    let list = args.rfm.customers || only.is_some();
    if list {
        settings.csv_unless_shown();
    }
    let grouping = super::grouping(&args.group)?;
    if grouping.is_some() && list {
        return Err(Error::usage(
            "--by splits the segment table; --customers and --segment list customers: use one or the other",
        )
        .into());
    }
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let progress = Progress::start();
    let (_, occasions, groups) = super::load_grouped(&settings, &progress, grouping.as_ref())?;
    progress.step("scoring customers");
    let result = rfm(&occasions, &segments)?;
    drop(progress);
    if let (Some((by, _)), Some(groups)) = (&grouping, groups) {
        let document = grouped_document(by, &groups, &result, &segments);
        let document = super::noting_left_out(document, &result.dropped);
        return super::emit(&document, &settings, output);
    }
    if list {
        write_customers(&result, &segments, &occasions, only, &settings, output)
    } else {
        let document = super::noting_left_out(document(&result), &result.dropped);
        super::emit(&document, &settings, output)
    }
}

/// `--segment NAME`: the place of the segment so named (in any case).
pub(crate) fn only_segment(segments: &Segments, name: Option<&str>) -> Result<Option<usize>> {
    name.map(|name| {
        segments.find(name).ok_or_else(|| {
            let names: Vec<String> = segments
                .rules
                .iter()
                .map(|r| format!("{:?}", r.name))
                .collect();
            Error::usage(format!(
                "--segment {name:?}: no such segment; the segments are {}",
                names.join(", ")
            ))
        })
    })
    .transpose()
}

/// `--segments-file`, or the six segments of the contract.
pub(crate) fn load_segments(path: Option<&std::path::Path>) -> Result<Segments> {
    let Some(path) = path else {
        return Ok(Segments::default());
    };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::file(
            &name,
            format!("cannot read the segments file: {e}"),
            "check the path given to --segments-file",
        )
    })?;
    Segments::parse(&text, &name)
}

/// Columns of the segment table for machines.
const SEGMENT_COLUMNS: [&str; 9] = [
    "segment",
    "customers",
    "share",
    "revenue",
    "revenue_share",
    "mean_recency",
    "mean_frequency",
    "mean_monetary",
    "action",
];

/// One segment's row, in `SEGMENT_COLUMNS` order.
fn segment_cells(s: &crate::metrics::rfm::SegmentRow) -> Vec<Cell> {
    vec![
        Cell::Text(s.segment.clone()),
        Cell::Count(s.customers),
        Cell::Rate(Some(s.share)),
        Cell::Money(s.revenue),
        Cell::Rate(s.revenue_share),
        Cell::Days(s.mean_recency),
        Cell::Number(s.mean_frequency),
        Cell::MoneyMean(s.mean_monetary),
        Cell::Text(s.action.clone()),
    ]
}

pub(crate) fn document(result: &Rfm) -> Document {
    let mut people = Table::new(
        format!("RFM segments, as of {}", result.as_of),
        &[
            "segment",
            "customers",
            "share",
            "revenue",
            "revenue share",
            "mean recency (days)",
            "mean frequency",
            "mean monetary",
            "action",
        ],
    );
    let mut machine = Table::untitled(&SEGMENT_COLUMNS);
    for s in &result.segments {
        let row = segment_cells(s);
        people.push(row.clone());
        machine.push(row);
    }

    let mut grid = Table::new(
        "Customers by R (rows: 5 = bought most recently) and F (columns: 5 = bought most often)",
        &["R \\ F", "1", "2", "3", "4", "5"],
    );
    let highest = result
        .grid
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    for r in (1..=5).rev() {
        let mut row = vec![Cell::Text(format!("R {r}"))];
        for count in result.grid[r - 1] {
            row.push(Cell::Heat {
                text: thousands(count),
                level: Some(count as f64 / highest as f64),
            });
        }
        grid.push(row);
    }
    let grid_json: Vec<_> = (1..=5)
        .flat_map(|r| (1..=5).map(move |f| (r, f)))
        .map(|(r, f)| json!({"r": r, "f": f, "customers": result.grid[r - 1][f - 1]}))
        .collect();

    Document {
        tables: vec![people, grid],
        notes: vec![
            "Scores 1-5: 1 + floor(5 × customers with a worse value / customers); ties share a score, so a tie at the top can cap it below 5.".to_string(),
        ],
        machine: Some(machine),
        json: json!({
            "as_of": result.as_of,
            "segments": result.segments,
            "grid": grid_json,
            "dropped": result.dropped,
        }),
        page: None,
    }
}

/// The segment table of each group, the customers scored over the whole file.
fn grouped_document(by: &GroupBy, groups: &[Group], result: &Rfm, segments: &Segments) -> Document {
    let mut people = Table::new(
        format!(
            "RFM segments by {}, as of {} (scores over all customers)",
            by.name(),
            result.as_of
        ),
        &[
            by.name(),
            "segment",
            "customers",
            "share",
            "revenue",
            "share of revenue",
            "mean recency (days)",
            "mean frequency",
            "mean monetary",
        ],
    );
    let header: Vec<&str> = std::iter::once("group").chain(SEGMENT_COLUMNS).collect();
    let mut machine = Table::untitled(&header);
    // Each customer code's place in `result.customers`.
    let codes = result
        .customers
        .iter()
        .map(|c| c.customer as usize + 1)
        .max()
        .unwrap_or(0);
    let mut place = vec![usize::MAX; codes];
    for (i, c) in result.customers.iter().enumerate() {
        place[c.customer as usize] = i;
    }
    let mut json_groups = Vec::new();
    for group in groups {
        let members: Vec<CustomerRfm> = group
            .members
            .iter()
            .filter_map(|&c| place.get(c as usize).and_then(|&i| result.customers.get(i)))
            .cloned()
            .collect();
        let rows = segment_rows(&members, segments);
        for s in &rows {
            let mut row = vec![Cell::Text(group.name.clone())];
            row.extend(segment_cells(s));
            machine.push(row.clone());
            // People read the action once, in the segment table.
            row.pop();
            people.push(row);
        }
        let fields = json!({"customers": group.customers, "segments": rows});
        json_groups.push(group_object(
            &group.name,
            fields.as_object().cloned().unwrap_or_default(),
        ));
    }
    let notes = vec![
        "Each customer keeps the scores and segment of the whole file; share and share of revenue are within the group.".to_string(),
        by.note(),
    ];
    Document {
        tables: vec![people],
        notes,
        machine: Some(machine),
        json: json!({
            "as_of": result.as_of,
            "by": by.name(),
            "overlapping": by.overlapping(),
            "groups": json_groups,
            "dropped": result.dropped,
        }),
        page: None,
    }
}

/// The cells of one customer's row, in `CUSTOMER_COLUMNS` order.
fn customer_cells(c: &CustomerRfm, occasions: &Occasions, segments: &Segments) -> Vec<Cell> {
    vec![
        Cell::Text(String::from_utf8_lossy(occasions.customers.bytes(c.customer)).into_owned()),
        Cell::Count(c.recency_days.max(0) as u64),
        Cell::Count(c.frequency.max(0) as u64),
        Cell::Money(c.monetary),
        Cell::Count(u64::from(c.r)),
        Cell::Count(u64::from(c.f)),
        Cell::Count(u64::from(c.m)),
        Cell::Text(c.rfm()),
        Cell::Text(segments.rules[c.segment].name.clone()),
    ]
}

/// `--customers`: sorted by customer id.
fn write_customers(
    result: &Rfm,
    segments: &Segments,
    occasions: &Occasions,
    only: Option<usize>,
    settings: &Settings,
    output: Output,
) -> anyhow::Result<()> {
    // Each customer's row by their code, then the codes in the ids' order: no sort of
    // the rows themselves.
    let mut at = vec![u32::MAX; occasions.customers.len()];
    for (i, c) in result.customers.iter().enumerate() {
        if only.is_none_or(|s| c.segment == s) {
            at[c.customer as usize] = i as u32;
        }
    }
    let chosen: Vec<&CustomerRfm> = occasions
        .customers
        .sorted()
        .into_iter()
        .filter_map(|code| {
            let i = at[code as usize];
            (i != u32::MAX).then(|| &result.customers[i as usize])
        })
        .collect();
    let title = match only {
        Some(s) => format!(
            "{} customers, as of {}",
            segments.rules[s].name, result.as_of
        ),
        None => format!("Customers by RFM, as of {}", result.as_of),
    };
    let list = super::List {
        title,
        header: &CUSTOMER_COLUMNS,
        key: "customers",
        as_of: result.as_of,
        dropped: &result.dropped,
    };
    list.write(
        chosen.len(),
        |i| customer_cells(chosen[i], occasions, segments),
        settings,
        output,
    )
}
