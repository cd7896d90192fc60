//! `rebuy report`: every analysis in one place. `-o report.html`: one self-contained
//! page with charts; `-o report.md`: the same in Markdown with the charts as SVG
//! files beside it; `-o DIR/`: every table as CSV and the summary as JSON.

use std::path::{Path, PathBuf};

use crate::cli::{CohortMetric, ReportArgs};
use crate::days::date_of_day;
use crate::error::{Error, Result};
use crate::metrics::cohorts::{cohorts, CohortFilter, Cohorts};
use crate::metrics::cycles::{CycleBy, CycleOptions};
use crate::metrics::dormant::{dormant, Rule, DEFAULT_BANDS};
use crate::metrics::groups::GroupBy;
use crate::metrics::next::{next_items, NextRow};
use crate::metrics::rfm::rfm_from;
use crate::metrics::segments::Segments;
use crate::metrics::summary::{per_customer, summary_from, LadderStep};
use crate::metrics::tiers::{tiers, Ladder, TierBy};
use crate::metrics::trend::{trend, Trend};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::text::thousands;
use crate::render::{charts, Block, Document, Figure, Format, Page, Section};
use crate::settings::Settings;

/// What the report shows, computed once.
struct Parts {
    title: String,
    subtitle: String,
    summary: Document,
    /// What the summary's, the segments' and the tiers' charts are drawn from: the
    /// chance of a 2nd purchase by day, the ladder, and (name, share of customers,
    /// share of revenue) of each segment and tier.
    within_curve: Vec<f64>,
    ladder: Vec<LadderStep>,
    segment_shares: Vec<(String, f64, Option<f64>)>,
    tier_shares: Vec<(String, f64, Option<f64>)>,
    /// (product, p25, median, p75) of the products with the most intervals.
    cycle_ranges: Vec<(String, f64, f64, f64)>,
    cohorts: Cohorts,
    cohort_table: Document,
    rfm: Document,
    /// The products with most intervals, and all of them; `None` when the export has
    /// no product column.
    cycles: Option<(Document, Document)>,
    /// With `--by`: the column (or first-product, first-category) and the summary per
    /// group.
    by: Option<(String, Document)>,
    /// Customers by period (`rebuy trend`), and its table.
    trend: (Trend, Document),
    /// Loyalty tiers (`rebuy tiers`) and the dormant customers' bands (`rebuy dormant
    /// --summary`), with the commands' defaults.
    tiers: Document,
    dormant: Document,
    /// The 2nd purchases of the most common first products (`rebuy next`); `None`
    /// without a product column.
    next: Option<Document>,
    /// With `--predict`: the fitted BG/NBD and Gamma-Gamma (`rebuy predict`), or why
    /// there are none.
    predictions: Option<std::result::Result<Document, String>>,
}

/// Where `-o` sends the report.
enum Target {
    Stdout,
    Html(PathBuf),
    Markdown(PathBuf),
    Folder(PathBuf),
}

fn target(output: Option<&Path>) -> Result<Target> {
    let Some(path) = output else {
        return Ok(Target::Stdout);
    };
    let text = path.to_string_lossy();
    if text.ends_with('/') || path.is_dir() {
        return Ok(Target::Folder(path.to_path_buf()));
    }
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html" | "htm") => Ok(Target::Html(path.to_path_buf())),
        Some("md" | "markdown") => Ok(Target::Markdown(path.to_path_buf())),
        _ => Err(Error::usage(format!(
            "-o {}: name an .html or .md file, or a folder ending in / for the CSV bundle",
            path.display()
        ))),
    }
}

pub fn run(args: &ReportArgs) -> anyhow::Result<()> {
    let target = target(args.common.output.as_deref())?;
    let grouping = super::grouping(&crate::cli::GroupFlags {
        by: args.by.clone(),
        top: REPORT_GROUPS,
    })?;
    let mut settings = Settings::resolve(&args.common)?;
    // The report's files are written here, one by one; `settings.output` is not used.
    settings.output = None;
    // The main file is checked before the work, so a bad path fails at once.
    let main = match &target {
        Target::Html(path) | Target::Markdown(path) => {
            Output::prepare(Some(path), &settings.sources)?
        }
        Target::Stdout | Target::Folder(_) => Output::Stdout,
    };
    let progress = Progress::start();
    let parts = compute(&settings, args, grouping.as_ref(), &progress)?;
    drop(progress);
    let render = |page: &Document, format| crate::render::render(page, format, false);
    match target {
        // On standard output there is nowhere to put the charts.
        Target::Stdout => main.write(&render(&page(&parts, Vec::new())?, Format::Markdown)),
        Target::Html(_) => main.write(&render(&page(&parts, draw_charts(&parts)?)?, Format::Html)),
        Target::Markdown(path) => {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "report".into());
            let folder = path.parent().unwrap_or(Path::new(""));
            let mut figures = draw_charts(&parts)?;
            for figure in &mut figures {
                let name = format!("{stem}-{}.svg", figure.key);
                write_file(&folder.join(&name), figure.svg.as_bytes(), &settings)?;
                figure.file = Some(name);
            }
            main.write(&render(&page(&parts, figures)?, Format::Markdown))
        }
        Target::Folder(folder) => bundle(&folder, &parts, &settings),
    }
}

fn compute(
    settings: &Settings,
    args: &ReportArgs,
    grouping: Option<&(GroupBy, usize)>,
    progress: &Progress,
) -> Result<Parts> {
    // Cycles by product, named: the categories are not needed (but for `--by`).
    let needs = super::ProductNeeds {
        categories: false,
        names: true,
        times: false,
    };
    let (inputs, occasions, lines, groups) = match grouping {
        Some(grouping) => {
            let (inputs, occasions, lines, groups) =
                super::load_grouped_with(settings, progress, grouping, needs)?;
            (inputs, occasions, lines, Some(groups))
        }
        None => {
            let (inputs, occasions, lines) = super::load_with_products(settings, progress, needs)?;
            (inputs, occasions, lines, None)
        }
    };
    progress.step("computing the report");
    let options = CycleOptions::default();
    let role = super::cycles::role_of(options.by);
    let has_products = inputs.files.iter().all(|f| f.roles.has(role));
    let as_of = date_of_day(occasions.as_of);
    let dropped = occasions.dropped;
    // The analyses read the same occasions and lines: on rayon's pool side by side.
    let (((summed, c), measured), (trended, next)) = rayon::join(
        || {
            rayon::join(
                || {
                    rayon::join(
                        || -> Result<_> {
                            // The per-customer reduction serves the summary, RFM,
                            // the predictions and the groups of --by.
                            let stats = per_customer(&occasions)?;
                            let s = summary_from(&occasions, &stats)?;
                            let (rfm, predictions) = rayon::join(
                                || rfm_from(&occasions, &stats, &Segments::default()),
                                || args.predict.then(|| predictions(&stats, occasions.as_of)),
                            );
                            let by = groups
                                .map(|g| super::summary::group_summaries(&occasions, &stats, g))
                                .transpose()?;
                            Ok((s, rfm, predictions, by))
                        },
                        || cohorts(&occasions, args.period, CohortFilter::default()),
                    )
                },
                || {
                    has_products
                        .then(|| super::cycles::measure_lines(&lines, occasions.as_of, &options))
                        .transpose()
                },
            )
        },
        || {
            rayon::join(
                || {
                    let trended = trend(&occasions, args.period, DORMANT_AFTER)?;
                    let ladder = Ladder::parse(None, TierBy::Occasions, PLATINUM_TOP)?;
                    let placed = tiers(&occasions, &ladder, None)?;
                    let bands = DEFAULT_BANDS;
                    let quiet = dormant(&occasions, Rule::After(bands[0]), &bands, false)?;
                    Ok::<_, Error>((trended, placed, quiet))
                },
                || {
                    has_products
                        .then(|| next_items(&occasions, &lines, CycleBy::Product, NEXT_ROWS))
                        .transpose()
                },
            )
        },
    );
    let (s, rfm, predictions, summaries) = summed?;
    let c = c?;
    let by = match (grouping, summaries) {
        (Some((by, _)), Some(summaries)) => {
            let mut doc = super::summary::grouped_document(by, &s, &summaries);
            // The report says what was left out once, under the summary.
            doc.notes.remove(0);
            Some((by.name().to_string(), doc))
        }
        _ => None,
    };
    let (trended, placed, quiet) = trended?;
    // The chart shows the active customers: the table draws no bars.
    let trend_doc = super::trend::document(&trended, false);
    let next = next?.map(|rows| {
        let firsts = rows
            .chunk_by(|a, b| a.first_code == b.first_code)
            .count();
        let rows = most_common_firsts(rows, NEXT_FIRSTS);
        let mut doc = super::next::document(&rows, CycleBy::Product, NEXT_ROWS, occasions.as_of);
        if firsts > NEXT_FIRSTS {
            doc.notes.insert(
                0,
                format!(
                    "The {NEXT_FIRSTS} first products (of {}) with the most customers who came back; rebuy next lists them all.",
                    thousands(firsts as u64)
                ),
            );
        }
        doc
    });
    let cohort_table = super::cohorts::triangle_document(&c, CohortMetric::Retention);
    let rfm_doc = super::rfm::document(&rfm);
    let files: Vec<String> = inputs.files.iter().map(|f| f.name.clone()).collect();
    let mut cycle_ranges = Vec::new();
    let cycles = measured?.map(|(_, measured)| {
        let shown = &measured[..measured.len().min(args.top)];
        cycle_ranges = shown
            .iter()
            .take(CYCLE_CHART_ROWS)
            .filter_map(|c| {
                let label = c.name.as_deref().unwrap_or(&c.product);
                let label: String = label.chars().take(30).collect();
                Some((label, c.p25?, c.median?, c.p75?))
            })
            .collect();
        let mut doc = super::cycles::document(shown, &options, as_of, &dropped);
        let all = super::cycles::document(&measured, &options, as_of, &dropped);
        if measured.len() > shown.len() {
            doc.notes.insert(
                0,
                format!(
                    "The {} products with the most intervals of {}; rebuy cycles lists them all.",
                    shown.len(),
                    thousands(measured.len() as u64)
                ),
            );
        }
        (doc, all)
    });
    Ok(Parts {
        title: "rebuy report".to_string(),
        subtitle: format!(
            "{} · as of {as_of} · {} customers · rebuy {}",
            files.join(", "),
            thousands(s.customers),
            env!("CARGO_PKG_VERSION")
        ),
        summary: super::summary::document(&s),
        within_curve: s.within_curve.clone(),
        ladder: s.ladder.clone(),
        segment_shares: rfm
            .segments
            .iter()
            .map(|r| (r.segment.clone(), r.share, r.revenue_share))
            .collect(),
        cycle_ranges,
        tier_shares: placed
            .tiers
            .iter()
            .map(|r| (r.tier.clone(), r.share, r.revenue_share))
            .collect(),
        cohorts: c,
        cohort_table,
        rfm: rfm_doc,
        cycles,
        trend: (trended, trend_doc),
        tiers: super::tiers::document(&placed),
        dormant: super::dormant::band_document(&quiet),
        next,
        by,
        predictions,
    })
}

/// The groups of `--by` shown: the largest, the rest as (other).
const REPORT_GROUPS: usize = 10;

/// Products in the chart of purchase cycles.
const CYCLE_CHART_ROWS: usize = 10;

/// `rebuy tiers`' default: Platinum is the top 5% by revenue.
const PLATINUM_TOP: f64 = 5.0;

/// `rebuy trend`'s default: reactivated after 180 quiet days.
const DORMANT_AFTER: i32 = 180;
/// The next purchases shown: of this many first products, this many rows each.
const NEXT_FIRSTS: usize = 10;
const NEXT_ROWS: usize = 3;

/// The rows of the `count` first items with the most customers who came back (ties by
/// id), those items in that order.
fn most_common_firsts(rows: Vec<NextRow>, count: usize) -> Vec<NextRow> {
    let mut firsts: Vec<(u64, &str, u32)> = rows
        .chunk_by(|a, b| a.first_code == b.first_code)
        .map(|run| {
            (
                run[0].first_customers,
                run[0].first.as_str(),
                run[0].first_code,
            )
        })
        .collect();
    firsts.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let order: Vec<u32> = firsts.iter().take(count).map(|f| f.2).collect();
    let mut kept = Vec::new();
    for code in order {
        kept.extend(rows.iter().filter(|r| r.first_code == code).cloned());
    }
    kept
}

/// The predictions section: `rebuy predict`'s summary for the next year, in weeks; a
/// fit that cannot be made is said in the section, not an error of the report.
fn predictions(
    stats: &[crate::metrics::summary::CustomerStats],
    as_of: i32,
) -> std::result::Result<Document, String> {
    use crate::metrics::predict;
    let options = predict::Options {
        as_of,
        horizon_days: 365,
        unit: predict::Unit::Week,
        holdout_until: None,
        discount_rate: 0.0,
    };
    let customers = predict::customers_of_stats(stats, as_of);
    match predict::predict_for(customers, &options, false) {
        Ok(p) => Ok(super::predict::document(&p)),
        Err(e) => Err(format!(
            "No predictions: {}.",
            e.to_string().replace("\n  hint: ", "; ")
        )),
    }
}

/// The P(alive) bars from the predictions' JSON (`p_alive_tenths`).
fn p_alive_chart(doc: &Document) -> Result<String> {
    let mut tenths = [0u64; 10];
    let counts = doc.json["p_alive_tenths"].as_array().into_iter().flatten();
    for (slot, value) in tenths.iter_mut().zip(counts) {
        *slot = value.as_u64().unwrap_or(0);
    }
    charts::p_alive_bars(&tenths)
}

const P_ALIVE_CAPTION: &str = "Each bar: the share of customers whose chance of still buying at the as-of date falls in that tenth of P(alive); the bars on the right hold the customers the model expects to come back.";

const PREDICTIONS_NOTE: &str = "From rebuy predict: BG/NBD and Gamma-Gamma fitted on the occasions to the as-of date, in weeks; rebuy predict --customers lists every customer, and --holdout-until tests the fit on later purchases.";

/// Writes one file of the report atomically, never onto an input.
fn write_file(path: &Path, bytes: &[u8], settings: &Settings) -> anyhow::Result<()> {
    Output::prepare(Some(path), &settings.sources)?.write(bytes)
}

const NO_PRODUCTS: &str =
    "The export has no product column, so there are no purchase cycles (--map product=COLUMN names one).";

/// The short version of the definitions, for the report's last section.
const DEFINITIONS: [(&str, &str); 13] = [
    ("Purchase occasion", "A customer's purchases on one calendar day (orders of amount above 0, or unknown). Every figure counts occasions; refunds, cancellations and guest rows are left out and counted."),
    ("Customer", "A customer id with at least one occasion on or before the as-of date."),
    ("Repeat purchase rate", "Customers with 2 or more occasions / customers."),
    ("2nd purchase within N days", "Kaplan–Meier estimate: customers who have not yet had N days count for the time they were watched."),
    ("Cohort", "Customers whose first occasion fell in the same period. Retention at offset k: the share of the cohort with an occasion in period cohort + k. A period not over on the as-of date is incomplete; the average curve weighs complete cells by cohort size."),
    ("Trend", "Per period: active customers (an occasion in it), new (their first), returning (the rest), reactivated (returning after more than 180 days without one); the repeat purchase rate with as-of at the period's end."),
    ("Next purchase", "For customers with a 2nd occasion: each product of the 1st paired with each of the 2nd, (same) for the same product again; share: of the customers with that first product who came back."),
    ("RFM", "Recency, frequency and revenue, each scored 1–5 by quintile without splitting ties; segments by the first matching rule, Champions to Lost Customers."),
    ("Loyalty tier", "Bronze from the 1st occasion, Silver from the 2nd, Gold from the 5th; Platinum: Gold customers among the top 5% of all customers by revenue (ties at the cut go in together). Reached the next: of the customers who reached a tier, the share who reached the one above."),
    ("Dormant", "A customer whose last occasion is more than 90 days before the as-of date; 180+ and 365+ count more than 180 and 365 days. Revenue is what they spent in all: what a win-back campaign can bring back."),
    ("Purchase cycle", "Days between a customer's consecutive purchases of a product; remind, nudge and offer are 75%, 100% and 125% of the mean, rounded, for products with 10 or more intervals."),
    ("P(alive), expected purchases", "From the BG/NBD model fitted to each customer's repeat occasions, days from first to last, and days from first to as-of: the chance the customer still buys, and the purchases expected in the next 365 days; expected revenue adds the Gamma-Gamma model of each customer's mean repeat spend."),
    ("Money", "Exact fixed point with 4 decimals; shown with 2."),
];

/// How to read the heatmap's shades.
fn heatmap_caption(c: &Cohorts) -> String {
    format!(
        "Shade: the share of the cohort buying in that {}, from 0 (palest) to {} (deepest), the highest after its first {}; faded cells: a {} not over on {}.",
        c.period.singular(),
        crate::render::text::for_people(&crate::render::Cell::Rate(Some(charts::highest_later_rate(c)))),
        c.period.singular(),
        c.period.singular(),
        c.as_of
    )
}

const TREND_CAPTION: &str = "Each bar: the customers who bought in that period, returning customers (dark) below new ones (pale); a faded bar is a period not over on the as-of date.";

const SECOND_CAPTION: &str = "The share of first-time customers who bought again within so many days of their first purchase (Kaplan–Meier: customers not yet watched that long count for the time they were watched); the dots mark 30, 60, 90, 180 and 365 days.";
const LADDER_CAPTION: &str = "Each bar: the customers with at least that many purchases; beside it, the share of them who made one more.";
const SEGMENTS_CAPTION: &str = "Each segment's share of the customers (pale) beside its share of the revenue (dark): a dark bar longer than its pale one is a segment worth more than its size.";
const TIERS_CAPTION: &str =
    "Each tier's share of the customers (pale) beside its share of the revenue (dark).";
const CYCLES_CAPTION: &str = "Each line: the middle half of the days between a customer's purchases of the product (25th to 75th percentile); the dot is the median. The products with the most intervals, most first.";
const CURVES_CAPTION: &str = "Each thin line is one cohort over its complete periods; the bold line is the average, weighted by cohort size.";

/// Every chart of the report, in page order; HTML inlines them, Markdown links them.
fn draw_charts(parts: &Parts) -> Result<Vec<Figure>> {
    let chart = |key, alt: String, caption: &str, svg| Figure {
        key,
        alt,
        caption: caption.to_string(),
        svg,
        file: None,
    };
    let period = parts.cohorts.period.singular();
    let mut all = vec![
        chart(
            "second",
            "Customers with a 2nd purchase, by days after the 1st".into(),
            SECOND_CAPTION,
            charts::second_purchase_curve(&parts.within_curve)?,
        ),
        chart(
            "ladder",
            "The purchase ladder".into(),
            LADDER_CAPTION,
            charts::ladder_funnel(&parts.ladder)?,
        ),
        chart(
            "trend",
            format!("Active customers by {}", parts.trend.0.period.singular()),
            TREND_CAPTION,
            charts::trend_bars(&parts.trend.0)?,
        ),
        chart(
            "cohorts",
            format!("Retention by {period} of first purchase"),
            &heatmap_caption(&parts.cohorts),
            charts::cohort_heatmap(&parts.cohorts)?,
        ),
        chart(
            "retention",
            "Share of each cohort buying again".into(),
            CURVES_CAPTION,
            charts::retention_curves(&parts.cohorts)?,
        ),
        chart(
            "segments",
            SEGMENTS_TITLE.into(),
            SEGMENTS_CAPTION,
            charts::share_bars(SEGMENTS_TITLE, &parts.segment_shares)?,
        ),
        chart(
            "tiers",
            TIERS_TITLE.into(),
            TIERS_CAPTION,
            charts::share_bars(TIERS_TITLE, &parts.tier_shares)?,
        ),
    ];
    if !parts.cycle_ranges.is_empty() {
        all.push(chart(
            "cycles",
            "Days between purchases of a product".into(),
            CYCLES_CAPTION,
            charts::cycle_ranges(&parts.cycle_ranges)?,
        ));
    }
    if let Some(Ok(doc)) = &parts.predictions {
        all.push(chart(
            "p-alive",
            "Customers by P(alive)".into(),
            P_ALIVE_CAPTION,
            p_alive_chart(doc)?,
        ));
    }
    Ok(all)
}

const SEGMENTS_TITLE: &str = "RFM segments: customers and revenue";
const TIERS_TITLE: &str = "Loyalty tiers: customers and revenue";

/// The report as one page: each section's charts (those of `figures`; none on
/// standard output) and tables, in the order HTML and Markdown both show them.
fn page(parts: &Parts, figures: Vec<Figure>) -> Result<Document> {
    let on_stdout = figures.is_empty();
    let figure = |key: &str| {
        figures
            .iter()
            .find(|f| f.key == key)
            .cloned()
            .map(Block::Figure)
    };
    let with_figures = |mut section: Section, keys: &[&str]| {
        section.blocks.extend(keys.iter().filter_map(|k| figure(k)));
        section
    };
    let note = |text: &str| Block::Note(text.to_string());
    // The summary's numbers first, its charts under them.
    let summary = Section::new("summary", "Summary").with_document(&parts.summary);
    let mut sections = vec![with_figures(summary, &["second", "ladder"])];
    if let Some((by, doc)) = &parts.by {
        sections.push(Section::new("by", format!("By {by}")).with_document(doc));
    }
    sections.push(
        with_figures(Section::new("trend", "Trend"), &["trend"]).with_document(&parts.trend.1),
    );
    let mut cohorts = with_figures(
        Section::new("cohorts", "Cohort retention"),
        &["cohorts", "retention"],
    );
    if on_stdout {
        cohorts = cohorts.with(note("Charts: write the report with -o report.html, or -o report.md for SVG files beside it."));
    }
    sections.push(cohorts.with_document(&parts.cohort_table));
    sections.push(
        with_figures(Section::new("rfm", "RFM segments"), &["segments"]).with_document(&parts.rfm),
    );
    sections.push(
        with_figures(Section::new("tiers", "Loyalty tiers"), &["tiers"])
            .with_document(&parts.tiers),
    );
    sections.push(Section::new("dormant", "Dormant customers").with_document(&parts.dormant));
    let cycles = Section::new("cycles", "Purchase cycles");
    sections.push(match &parts.cycles {
        Some((doc, _)) => with_figures(cycles, &["cycles"]).with_document(doc),
        None => cycles.with(note(NO_PRODUCTS)),
    });
    if let Some(doc) = &parts.next {
        sections.push(Section::new("next", "Next purchase").with_document(doc));
    }
    let predictions = Section::new("predictions", "Predictions");
    match &parts.predictions {
        None => {}
        Some(Ok(doc)) => sections.push(
            with_figures(predictions.with(note(PREDICTIONS_NOTE)), &["p-alive"]).with_document(doc),
        ),
        Some(Err(why)) => sections.push(predictions.with(note(why))),
    }
    let terms = DEFINITIONS
        .iter()
        .map(|(term, meaning)| (term.to_string(), meaning.to_string()))
        .collect();
    sections.push(Section::new("definitions", "Definitions").with(Block::Terms(terms)));
    Ok(Document {
        page: Some(Page {
            title: parts.title.clone(),
            subtitle: parts.subtitle.clone(),
            sections,
        }),
        ..Document::default()
    })
}

/// `-o DIR/`: every table as CSV, and the summary as JSON.
fn bundle(folder: &Path, parts: &Parts, settings: &Settings) -> anyhow::Result<()> {
    std::fs::create_dir_all(folder).map_err(|e| {
        Error::usage(format!(
            "-o {}: cannot create the folder: {e}",
            folder.display()
        ))
    })?;
    let csv = |doc: &Document| crate::render::render(doc, Format::Csv, false);
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        (
            "summary.json",
            crate::render::render(&parts.summary, Format::Json, false),
        ),
        ("summary.csv", csv(&parts.summary)),
        ("cohorts.csv", csv(&parts.cohort_table)),
        ("rfm-segments.csv", csv(&parts.rfm)),
    ];
    let grid = parts.rfm.json["grid"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut grid_csv = String::from("r,f,customers\n");
    for g in grid {
        grid_csv.push_str(&format!("{},{},{}\n", g["r"], g["f"], g["customers"]));
    }
    files.push(("rfm-grid.csv", grid_csv.into_bytes()));
    if let Some((_, all)) = &parts.cycles {
        files.push(("cycles.csv", csv(all)));
    }
    files.push(("trend.csv", csv(&parts.trend.1)));
    files.push(("tiers.csv", csv(&parts.tiers)));
    files.push(("dormant-bands.csv", csv(&parts.dormant)));
    if let Some((_, doc)) = &parts.by {
        files.push(("summary-by.csv", csv(doc)));
    }
    if let Some(next) = &parts.next {
        files.push(("next.csv", csv(next)));
    }
    for (name, bytes) in files {
        write_file(&folder.join(name), &bytes, settings)?;
    }
    Ok(())
}
