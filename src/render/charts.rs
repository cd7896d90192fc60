//! Charts of the report, drawn with plotters into SVG text: the cohort heatmap, the
//! retention curves, the customers by P(alive) and the active customers by period. Colours come from `PALETTE`, which
//! the HTML tables share.

use plotters::chart::MeshStyle;
use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::metrics::cohorts::Cohorts;

/// The report's colours.
pub mod palette {
    /// Low to high: the heatmap's ramp (pale to deep teal).
    pub const RAMP: [(u8, u8, u8); 6] = [
        (240, 249, 248),
        (204, 236, 230),
        (153, 216, 201),
        (102, 194, 164),
        (44, 162, 95),
        (0, 109, 44),
    ];
    /// Lines of single cohorts.
    pub const COHORT: (u8, u8, u8) = (158, 188, 218);
    /// The average curve, and headings.
    pub const AVERAGE: (u8, u8, u8) = (8, 81, 156);
    pub const TEXT: (u8, u8, u8) = (34, 34, 34);
    pub const MUTED: (u8, u8, u8) = (120, 120, 120);

    /// The ramp's colour for a level 0–1.
    pub fn ramp(level: f64) -> (u8, u8, u8) {
        let step = (level.clamp(0.0, 1.0) * (RAMP.len() - 1) as f64).round() as usize;
        RAMP[step]
    }

    /// `#rrggbb`.
    pub fn hex((r, g, b): (u8, u8, u8)) -> String {
        format!("#{r:02x}{g:02x}{b:02x}")
    }
}

fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

/// The grid and text every chart with axes shares: pale grid lines, labels in the
/// text colour at `label_size`, the axes' names muted at `desc_size`.
fn grid<'m, 'a, 'b, X: Ranged, Y: Ranged, DB: DrawingBackend>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
    label_size: u32,
    desc_size: u32,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    mesh.light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(220, 220, 220))
        .label_style((FONT, label_size).into_font().color(&rgb(palette::TEXT)))
        .axis_desc_style((FONT, desc_size).into_font().color(&rgb(palette::MUTED)))
}

fn chart_error(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("drawing a chart: {e}"))
}

const FONT: &str = "sans-serif";

/// A chart on `area` with the report's title style and margins, and room for the
/// axis labels (`x_labels` below, `y_labels` on the left, in pixels).
fn titled<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, plotters::coord::Shift>,
    title: impl AsRef<str>,
    x_labels: u32,
    y_labels: u32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(title, (FONT, 24).into_font().color(&rgb(palette::TEXT)))
        .margin(12)
        .x_label_area_size(x_labels)
        .y_label_area_size(y_labels);
    builder
}

/// The highest retention after offset 0: the top of the heatmap's scale.
pub fn highest_later_rate(c: &Cohorts) -> f64 {
    c.cells
        .iter()
        .filter(|cell| cell.period_offset > 0)
        .map(|cell| cell.retention_rate)
        .fold(0.0, f64::max)
}

/// Cohorts down, periods since across, each cell shaded by its retention; incomplete
/// cells hatched lighter and marked.
pub fn cohort_heatmap(c: &Cohorts) -> Result<String> {
    let cohorts: Vec<&str> = {
        let mut labels: Vec<&str> = c.cells.iter().map(|cell| cell.cohort.as_str()).collect();
        labels.dedup();
        labels
    };
    let offsets = c.average.len().max(1) as i32;
    let rows = cohorts.len().max(1) as i32;
    let cell_width = (720 / offsets).clamp(14, 60);
    let cell_height = (420 / rows).clamp(12, 28);
    let width = (110 + cell_width * offsets + 30) as u32;
    let height = (90 + cell_height * rows + 50) as u32;
    let top = highest_later_rate(c).max(f64::EPSILON);
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (width + LEGEND_WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let (area, legend) = root.split_horizontally(width);
        draw_ramp_legend(&legend, top)?;
        let mut chart = titled(
            &area,
            format!("Retention by {} of first purchase", c.period.singular()),
            44,
            90,
        )
        .build_cartesian_2d((0..offsets).into_segmented(), (0..rows).into_segmented())
        .map_err(chart_error)?;
        // Labels sit in the middle of their cell.
        let label_of = |y: &SegmentValue<i32>| match y {
            SegmentValue::CenterOf(y) => cohorts
                .get((rows - 1 - *y) as usize)
                .map(|s| s.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let offset_of = |x: &SegmentValue<i32>| match x {
            SegmentValue::CenterOf(x) => x.to_string(),
            _ => String::new(),
        };
        grid(&mut chart.configure_mesh(), 15, 16)
            .disable_mesh()
            // No tick marks: they fall on the cells' edges, one of them above the
            // first cohort.
            .set_all_tick_mark_size(0)
            .x_desc(format!("{} since first purchase", c.period.plural()))
            .x_labels(offsets.min(25) as usize)
            .y_labels(rows.min(40) as usize)
            .x_label_formatter(&offset_of)
            .y_label_formatter(&label_of)
            .draw()
            .map_err(chart_error)?;
        let row_of: std::collections::HashMap<&str, i32> = cohorts
            .iter()
            .enumerate()
            .map(|(i, label)| (*label, rows - 1 - i as i32))
            .collect();
        chart
            .draw_series(c.cells.iter().map(|cell| {
                let x = cell.period_offset as i32;
                let y = row_of[cell.cohort.as_str()];
                let level = if cell.period_offset == 0 {
                    1.0
                } else {
                    cell.retention_rate / top
                };
                let colour = rgb(palette::ramp(level));
                let style = if cell.complete {
                    colour.filled()
                } else {
                    colour.mix(0.45).filled()
                };
                let at = |x: i32, y: i32| (SegmentValue::Exact(x), SegmentValue::Exact(y));
                Rectangle::new([at(x, y), at(x + 1, y + 1)], style)
            }))
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Width of the heatmap's colour legend.
const LEGEND_WIDTH: u32 = 130;

/// The heatmap's colours with the share each stands for (`top` is the deepest's), and
/// a faded cell for a period not over.
fn draw_ramp_legend(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    top: f64,
) -> Result<()> {
    let text = (FONT, 13).into_font().color(&rgb(palette::TEXT));
    area.draw(&Text::new("share buying", (10, 60), text.clone()))
        .map_err(chart_error)?;
    let steps = palette::RAMP.len();
    for (i, &colour) in palette::RAMP.iter().enumerate().rev() {
        let y = 80 + (steps - 1 - i) as i32 * 22;
        area.draw(&Rectangle::new(
            [(10, y), (34, y + 18)],
            rgb(colour).filled(),
        ))
        .map_err(chart_error)?;
        let share = top * i as f64 / (steps - 1) as f64 * 100.0;
        area.draw(&Text::new(
            format!("{share:.0}%"),
            (42, y + 3),
            text.clone(),
        ))
        .map_err(chart_error)?;
    }
    let y = 80 + steps as i32 * 22 + 8;
    area.draw(&Rectangle::new(
        [(10, y), (34, y + 18)],
        rgb(palette::ramp(0.6)).mix(0.45).filled(),
    ))
    .map_err(chart_error)?;
    area.draw(&Text::new("not over", (42, y + 3), text))
        .map_err(chart_error)?;
    Ok(())
}

/// Retention by periods since first purchase: a thin line per cohort (complete
/// periods only) and the weighted average in bold.
pub fn retention_curves(c: &Cohorts) -> Result<String> {
    let offsets = c.average.len().max(2) as i32;
    let top = (highest_later_rate(c) * 100.0 * 1.1).clamp(5.0, 100.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = titled(&root, "Share of each cohort buying again", 40, 50)
            .build_cartesian_2d(1..(offsets - 1).max(2), 0.0..top)
            .map_err(chart_error)?;
        grid(&mut chart.configure_mesh(), 15, 16)
            .x_desc(format!("{} since first purchase", c.period.plural()))
            .y_desc("customers buying (%)")
            .x_labels((offsets - 1).min(25) as usize)
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .draw()
            .map_err(chart_error)?;
        for cohort in c.cells.chunk_by(|a, b| a.cohort == b.cohort) {
            let points: Vec<(i32, f64)> = cohort
                .iter()
                .filter(|cell| cell.period_offset > 0 && cell.complete)
                .map(|cell| (cell.period_offset as i32, cell.retention_rate * 100.0))
                .collect();
            if points.len() >= 2 {
                chart
                    .draw_series(LineSeries::new(
                        points,
                        rgb(palette::COHORT).stroke_width(1),
                    ))
                    .map_err(chart_error)?;
            }
        }
        let average: Vec<(i32, f64)> = c
            .average
            .iter()
            .filter(|a| a.period_offset > 0)
            .filter_map(|a| Some((a.period_offset as i32, a.retention_rate? * 100.0)))
            .collect();
        chart
            .draw_series(LineSeries::new(
                average,
                rgb(palette::AVERAGE).stroke_width(3),
            ))
            .map_err(chart_error)?
            .label("average, weighted by cohort size")
            .legend(|(x, y)| {
                PathElement::new([(x, y), (x + 20, y)], rgb(palette::AVERAGE).stroke_width(3))
            });
        chart
            .draw_series(std::iter::once(PathElement::new(
                Vec::<(i32, f64)>::new(),
                rgb(palette::COHORT),
            )))
            .map_err(chart_error)?
            .label("single cohorts")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], rgb(palette::COHORT)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(220, 220, 220))
            .label_font((FONT, 16).into_font().color(&rgb(palette::TEXT)))
            .draw()
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Customers by P(alive) in tenths, as bars: how many are likely still buying.
pub fn p_alive_bars(tenths: &[u64; 10]) -> Result<String> {
    let total = tenths.iter().sum::<u64>().max(1) as f64;
    let shares: Vec<f64> = tenths.iter().map(|&n| n as f64 / total * 100.0).collect();
    let top = (shares.iter().copied().fold(0.0, f64::max) * 1.1).clamp(5.0, 100.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 340)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = titled(&root, "Customers by P(alive)", 40, 50)
            .build_cartesian_2d(0.0..100.0, 0.0..top)
            .map_err(chart_error)?;
        grid(&mut chart.configure_mesh(), 15, 16)
            .disable_x_mesh()
            .x_desc("P(alive) at the as-of date (%)")
            .y_desc("customers (%)")
            .x_labels(11)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(shares.iter().enumerate().map(|(i, &share)| {
                let left = i as f64 * 10.0;
                Rectangle::new(
                    [(left + 0.8, 0.0), (left + 9.2, share)],
                    rgb(palette::AVERAGE).filled(),
                )
            }))
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Active customers per period as stacked bars: returning (below, dark) and new
/// (above, pale); a period not over on as-of is drawn faded.
pub fn trend_bars(t: &crate::metrics::trend::Trend) -> Result<String> {
    let periods = t.periods.len().max(1);
    let top = (t
        .periods
        .iter()
        .map(|p| p.active_customers)
        .max()
        .unwrap_or(0) as f64
        * 1.1)
        .max(1.0);
    // Every label where they fit, else every k-th.
    let every = periods.div_ceil(12);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 340)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = titled(
            &root,
            format!("Active customers by {}", t.period.singular()),
            40,
            60,
        )
        .build_cartesian_2d(0.0..periods as f64, 0.0..top)
        .map_err(chart_error)?;
        let labels: Vec<String> = t.periods.iter().map(|p| p.period.clone()).collect();
        grid(&mut chart.configure_mesh(), 13, 16)
            .disable_x_mesh()
            .y_desc("customers")
            .x_labels(periods.min(60))
            .x_label_formatter(&|v| {
                let i = v.floor() as usize;
                if (v - v.floor()).abs() < 1e-9 && i.is_multiple_of(every) {
                    labels.get(i).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| crate::render::text::thousands(*v as u64))
            .draw()
            .map_err(chart_error)?;
        let faded = |c: (u8, u8, u8), complete: bool| {
            if complete {
                rgb(c).filled()
            } else {
                rgb(c).mix(0.45).filled()
            }
        };
        let bars = t.periods.iter().enumerate().flat_map(|(i, p)| {
            let (left, right) = (i as f64 + 0.1, i as f64 + 0.9);
            let returning = p.returning_customers as f64;
            let active = p.active_customers as f64;
            [
                Rectangle::new(
                    [(left, 0.0), (right, returning)],
                    faded(palette::AVERAGE, p.complete),
                ),
                Rectangle::new(
                    [(left, returning), (right, active)],
                    faded(palette::COHORT, p.complete),
                ),
            ]
        });
        chart.draw_series(bars).map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// The Kaplan–Meier chance of a 2nd purchase within t days (`Summary::within_curve`),
/// with the 30, 60, 90, 180 and 365-day marks labelled.
pub fn second_purchase_curve(within: &[f64]) -> Result<String> {
    let days = within.len().saturating_sub(1).max(1) as f64;
    let top = (within.iter().copied().fold(0.0, f64::max) * 100.0 * 1.15).clamp(5.0, 100.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 340)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = titled(
            &root,
            "Customers with a 2nd purchase, by days after the 1st",
            40,
            50,
        )
        .build_cartesian_2d(0.0..days, 0.0..top)
        .map_err(chart_error)?;
        grid(&mut chart.configure_mesh(), 15, 16)
            .disable_x_mesh()
            .x_desc("days since the first purchase")
            .y_desc("bought again (%)")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .draw()
            .map_err(chart_error)?;
        // A step curve: flat until the next day's estimate.
        let mut points = Vec::with_capacity(within.len() * 2);
        for (t, &p) in within.iter().enumerate() {
            if t > 0 {
                points.push((t as f64, within[t - 1] * 100.0));
            }
            points.push((t as f64, p * 100.0));
        }
        chart
            .draw_series(LineSeries::new(
                points,
                rgb(palette::AVERAGE).stroke_width(3),
            ))
            .map_err(chart_error)?;
        let marks = crate::metrics::cohorts::REPEAT_WITHIN_DAYS
            .into_iter()
            .filter_map(|d| within.get(d as usize).map(|&p| (f64::from(d), p * 100.0)));
        chart
            .draw_series(marks.map(|(d, p)| {
                // The curve only rises: a label below and to the right of its dot,
                // or above and to the left for the late marks (inside the chart),
                // is never crossed by it.
                let at = if d > days * 0.75 {
                    (-125, -24)
                } else {
                    (10, 6)
                };
                EmptyElement::at((d, p))
                    + Circle::new((0, 0), 4, rgb(palette::AVERAGE).filled())
                    + Text::new(
                        format!("{d:.0} days: {p:.1}%"),
                        at,
                        (FONT, 14).into_font().color(&rgb(palette::TEXT)),
                    )
            }))
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// The purchase ladder as a funnel: a bar per rung (customers with k or more
/// purchases), centred, with the share who go on to the next.
pub fn ladder_funnel(ladder: &[crate::metrics::summary::LadderStep]) -> Result<String> {
    let widest = ladder.first().map_or(1, |s| s.customers.max(1)) as f64;
    let rows = ladder.len().max(1) as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = titled(&root, "The purchase ladder", 0, 0)
            .build_cartesian_2d(-1.0..1.0, -rows..0.0)
            .map_err(chart_error)?;
        let text = (FONT, 14).into_font().color(&rgb(palette::TEXT));
        // Bars centred on the left, their labels on the right.
        let centre = -0.4;
        for (i, step) in ladder.iter().enumerate() {
            let half = step.customers as f64 / widest * 0.55;
            let (top, bottom) = (-(i as f64) - 0.1, -(i as f64) - 0.9);
            chart
                .draw_series([Rectangle::new(
                    [(centre - half, top), (centre + half, bottom)],
                    rgb(palette::ramp(1.0 - i as f64 / rows)).filled(),
                )])
                .map_err(chart_error)?;
            let next = step
                .next_share
                .map(|s| format!(", {:.1}% go on", s * 100.0))
                .unwrap_or_default();
            let label = format!(
                "{}+ purchases: {}{next}",
                step.k,
                crate::render::text::thousands(step.customers)
            );
            chart
                .draw_series([Text::new(label, (0.22, -(i as f64) - 0.62), text.clone())])
                .map_err(chart_error)?;
        }
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Groups of customers (RFM segments, loyalty tiers) as paired bars: their share of the
/// customers (pale) beside their share of the revenue (dark).
pub fn share_bars(title: &str, rows: &[(String, f64, Option<f64>)]) -> Result<String> {
    let count = rows.len().max(1);
    let top = rows
        .iter()
        .flat_map(|(_, c, r)| [*c, r.unwrap_or(0.0)])
        .fold(0.0, f64::max)
        * 100.0;
    let top = (top * 1.1).clamp(5.0, 100.0);
    let height = (90 + 34 * count) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let labels: Vec<&str> = rows.iter().map(|(l, _, _)| l.as_str()).collect();
        let axis = RowAxis {
            label_width: 170,
            right: top,
            desc: "share of customers (pale) and of revenue (dark), %",
            unit: "%",
            font: 14,
        };
        let mut chart = row_chart(&root, title, &labels, &axis)?;
        let bars = rows
            .iter()
            .enumerate()
            .flat_map(|(i, (_, customers, revenue))| {
                let base = (count - 1 - i) as f64;
                [
                    Rectangle::new(
                        [(0.0, base + 0.52), (customers * 100.0, base + 0.85)],
                        rgb(palette::COHORT).filled(),
                    ),
                    Rectangle::new(
                        [
                            (0.0, base + 0.15),
                            (revenue.unwrap_or(0.0) * 100.0, base + 0.48),
                        ],
                        rgb(palette::AVERAGE).filled(),
                    ),
                ]
            });
        chart.draw_series(bars).map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// The x axis of a chart of labelled rows: room for the labels on the left, the
/// axis's right end, what it counts, the unit after each number, the labels' size.
struct RowAxis {
    label_width: u32,
    right: f64,
    desc: &'static str,
    unit: &'static str,
    font: u32,
}

/// A chart of labelled rows of height 1, top first (`share_bars`, `cycle_ranges`),
/// its mesh drawn.
fn row_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    title: &str,
    labels: &[&str],
    axis: &RowAxis,
) -> Result<
    ChartContext<
        'a,
        SVGBackend<'b>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
> {
    let count = labels.len().max(1);
    let mut chart = titled(root, title, 36, axis.label_width)
        .build_cartesian_2d(0.0..axis.right, 0.0..count as f64)
        .map_err(chart_error)?;
    grid(&mut chart.configure_mesh(), axis.font, 15)
        .disable_y_mesh()
        .x_desc(axis.desc)
        .x_label_formatter(&|v| format!("{v:.0}{}", axis.unit))
        .y_labels(count * 2 + 1)
        .y_label_formatter(&|v| row_label(labels, *v))
        .draw()
        .map_err(chart_error)?;
    Ok(chart)
}

/// The label of the row whose middle is at `v` (rows of height 1 from the top down,
/// as `share_bars` and `cycle_ranges` draw them); empty elsewhere.
fn row_label(labels: &[&str], v: f64) -> String {
    let count = labels.len() as f64;
    let row = count - v.floor() - 1.0;
    if ((v - v.floor()) - 0.5).abs() < 1e-9 && row >= 0.0 {
        labels
            .get(row as usize)
            .map(|l| l.to_string())
            .unwrap_or_default()
    } else {
        String::new()
    }
}

/// Products' purchase cycles: for each, a line over the middle half of its days
/// between purchases (25th to 75th percentile) with a dot at the median; rows are
/// (label, p25, median, p75), top first.
pub fn cycle_ranges(rows: &[(String, f64, f64, f64)]) -> Result<String> {
    let count = rows.len().max(1);
    let right = (rows.iter().map(|r| r.3).fold(0.0, f64::max) * 1.1).max(1.0);
    let height = (90 + 30 * count) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let labels: Vec<&str> = rows.iter().map(|(l, ..)| l.as_str()).collect();
        let axis = RowAxis {
            label_width: 230,
            right,
            desc: "days: 25th percentile to 75th, the dot at the median",
            unit: "",
            font: 13,
        };
        let mut chart = row_chart(&root, "Days between purchases of a product", &labels, &axis)?;
        for (i, &(_, p25, median, p75)) in rows.iter().enumerate() {
            let y = (count - 1 - i) as f64 + 0.5;
            chart
                .draw_series(LineSeries::new(
                    [(p25, y), (p75, y)],
                    rgb(palette::COHORT).stroke_width(8),
                ))
                .map_err(chart_error)?;
            chart
                .draw_series([Circle::new((median, y), 5, rgb(palette::AVERAGE).filled())])
                .map_err(chart_error)?;
        }
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The (x, y) of each mark's dot and of its label, in the SVG's order.
    fn marks(svg: &str) -> Vec<((f64, f64), (f64, f64))> {
        let number = |tag: &str, name: &str| -> f64 {
            let from = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            tag[from..][..tag[from..].find('"').unwrap()]
                .parse()
                .unwrap()
        };
        let lines: Vec<&str> = svg.lines().collect();
        lines
            .windows(3)
            .filter(|w| w[0].starts_with("<circle") && w[2].contains(" days: "))
            .map(|w| {
                let dot = (number(w[0], "cx"), number(w[0], "cy"));
                (dot, (number(w[1], "x"), number(w[1], "y")))
            })
            .collect()
    }

    /// The curve only rises, so a label below and right of its dot (above and left
    /// for the late marks) is never crossed by it; labels above and right were.
    #[test]
    fn second_purchase_labels_sit_where_the_rising_curve_is_not() {
        // Concave: fast early, slow late, like most shops.
        let within: Vec<f64> = (0..=365)
            .map(|d| 0.85 * (1.0 - (-(d as f64) / 120.0).exp()))
            .collect();
        let svg = second_purchase_curve(&within).unwrap();
        let found = marks(&svg);
        assert_eq!(found.len(), 5, "{svg}");
        for (i, ((cx, cy), (x, y))) in found.into_iter().enumerate() {
            if i < 4 {
                assert!(
                    x > cx && y > cy,
                    "mark {i}: dot ({cx}, {cy}), label ({x}, {y})"
                );
            } else {
                assert!(
                    x < cx && y < cy,
                    "mark {i}: dot ({cx}, {cy}), label ({x}, {y})"
                );
            }
        }
    }
}
