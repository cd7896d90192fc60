//! Charts of the report, drawn with plotters into SVG text: the cohort heatmap, the
//! retention curves, the customers by P(alive) and the active customers by period. Colours come from `PALETTE`, which
//! the HTML tables share.

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

fn chart_error(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("drawing a chart: {e}"))
}

const FONT: &str = "sans-serif";

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
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("Retention by {} of first purchase", c.period.singular()),
                (FONT, 24).into_font().color(&rgb(palette::TEXT)),
            )
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(90)
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
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(format!("{} since first purchase", c.period.plural()))
            .x_labels(offsets.min(25) as usize)
            .y_labels(rows.min(40) as usize)
            .x_label_formatter(&offset_of)
            .y_label_formatter(&label_of)
            .label_style((FONT, 15).into_font().color(&rgb(palette::TEXT)))
            .axis_desc_style((FONT, 16).into_font().color(&rgb(palette::MUTED)))
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

/// Retention by periods since first purchase: a thin line per cohort (complete
/// periods only) and the weighted average in bold.
pub fn retention_curves(c: &Cohorts) -> Result<String> {
    let offsets = c.average.len().max(2) as i32;
    let top = (highest_later_rate(c) * 100.0 * 1.1).clamp(5.0, 100.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Share of each cohort buying again",
                (FONT, 24).into_font().color(&rgb(palette::TEXT)),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(1..(offsets - 1).max(2), 0.0..top)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(220, 220, 220))
            .x_desc(format!("{} since first purchase", c.period.plural()))
            .y_desc("customers buying (%)")
            .x_labels((offsets - 1).min(25) as usize)
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .label_style((FONT, 15).into_font().color(&rgb(palette::TEXT)))
            .axis_desc_style((FONT, 16).into_font().color(&rgb(palette::MUTED)))
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
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Customers by P(alive)",
                (FONT, 24).into_font().color(&rgb(palette::TEXT)),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..100.0, 0.0..top)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(220, 220, 220))
            .x_desc("P(alive) at the as-of date (%)")
            .y_desc("customers (%)")
            .x_labels(11)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .label_style((FONT, 15).into_font().color(&rgb(palette::TEXT)))
            .axis_desc_style((FONT, 16).into_font().color(&rgb(palette::MUTED)))
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
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("Active customers by {}", t.period.singular()),
                (FONT, 24).into_font().color(&rgb(palette::TEXT)),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..periods as f64, 0.0..top)
            .map_err(chart_error)?;
        let labels: Vec<String> = t.periods.iter().map(|p| p.period.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(220, 220, 220))
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
            .label_style((FONT, 13).into_font().color(&rgb(palette::TEXT)))
            .axis_desc_style((FONT, 16).into_font().color(&rgb(palette::MUTED)))
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
