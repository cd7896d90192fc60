//! `rebuy report`: the Markdown report byte for byte (a snapshot), the HTML page's
//! shape (self-contained, three charts), and the CSV bundle.

use crate::common::{assert_mentions, fixture, Workdir};

/// A workdir holding the hand-made fixture as `orders.csv`, so that the report names
/// the same file on every machine.
fn with_orders() -> Workdir {
    let w = Workdir::new();
    w.write("orders.csv", std::fs::read(fixture("orders.csv")).unwrap());
    w
}

#[test]
fn markdown_with_charts_beside_it() {
    let w = with_orders();
    assert_eq!(w.run(&["report", "orders.csv", "-o", "report.md"]).ok(), "");
    let markdown = std::fs::read_to_string(w.path("report.md")).unwrap();
    insta::assert_snapshot!("markdown", markdown);
    for chart in [
        "report-second.svg",
        "report-ladder.svg",
        "report-trend.svg",
        "report-cohorts.svg",
        "report-retention.svg",
        "report-segments.svg",
        "report-tiers.svg",
        "report-cycles.svg",
    ] {
        let svg = std::fs::read_to_string(w.path(chart)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{chart}"
        );
    }
}

#[test]
fn markdown_on_stdout_without_charts() {
    let w = with_orders();
    let out = w.run(&["report", "orders.csv"]).ok().to_string();
    assert_mentions(
        &out,
        &[
            "# rebuy report",
            "## Cohort retention",
            "Charts: write the report with -o report.html",
        ],
    );
}

#[test]
fn html_is_one_self_contained_page() {
    let w = with_orders();
    w.run(&["report", "orders.csv", "-o", "report.html"]).ok();
    let html = std::fs::read_to_string(w.path("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        html.matches("<svg").count(),
        8,
        "the 2nd purchase curve, the ladder, the trend's bars, the heatmap, the curves, the segments, the tiers and the cycles"
    );
    assert_eq!(html.matches("</svg>").count(), 8);
    assert_mentions(
        &html,
        &[
            "Customers with a 2nd purchase, by days after the 1st",
            "The purchase ladder",
            "RFM segments: customers and revenue",
            "Loyalty tiers: customers and revenue",
            "share buying",
            "Days between purchases of a product",
        ],
    );
    // Nothing from the network: no scripts, links, images or fonts to fetch.
    for outside in ["<script", "<link", "<img", "@import", "url(", "src="] {
        assert!(!html.contains(outside), "{outside}");
    }
    let external: Vec<&str> = html
        .match_indices("http")
        .map(|(i, _)| &html[i..(i + 30).min(html.len())])
        .filter(|s| !s.starts_with("http://www.w3.org/2000/svg"))
        .collect();
    assert!(external.is_empty(), "{external:?}");
    for section in [
        "id=\"summary\"",
        "id=\"trend\"",
        "id=\"cohorts\"",
        "id=\"rfm\"",
        "id=\"cycles\"",
        "id=\"next\"",
        "id=\"definitions\"",
    ] {
        assert!(html.contains(section), "{section}");
    }
    assert_mentions(
        &html,
        &[
            "Left out: 1 guest row",
            "reward, engage, ask for reviews",
            "COF-1KG",
        ],
    );
}

#[test]
fn a_folder_gets_every_table_as_csv() {
    let w = with_orders();
    assert_eq!(w.run(&["report", "orders.csv", "-o", "weekly/"]).ok(), "");
    let mut names: Vec<String> = std::fs::read_dir(w.path("weekly"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "cohorts.csv",
            "cycles.csv",
            "dormant-bands.csv",
            "next.csv",
            "rfm-grid.csv",
            "rfm-segments.csv",
            "summary.csv",
            "summary.json",
            "tiers.csv",
            "trend.csv"
        ]
    );
    // The same bytes as the commands themselves write.
    let cohorts = w
        .run(&["cohorts", "orders.csv", "-f", "csv"])
        .ok()
        .to_string();
    assert_eq!(
        std::fs::read_to_string(w.path("weekly/cohorts.csv")).unwrap(),
        cohorts
    );
    let summary = w
        .run(&["summary", "orders.csv", "-f", "json"])
        .ok()
        .to_string();
    assert_eq!(
        std::fs::read_to_string(w.path("weekly/summary.json")).unwrap(),
        summary
    );
    let trend = w
        .run(&["trend", "orders.csv", "-f", "csv"])
        .ok()
        .to_string();
    assert_eq!(
        std::fs::read_to_string(w.path("weekly/trend.csv")).unwrap(),
        trend
    );
}

#[test]
fn without_products_the_cycles_section_says_why() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "customer_id,order_date,amount\nA,2024-01-01,5\nA,2024-02-01,5\nB,2024-01-09,7\n",
    );
    let out = w.run(&["report", "o.csv"]).ok().to_string();
    assert_mentions(&out, &["## Purchase cycles", "no product column"]);
    let err = w
        .run(&["report", "o.csv", "-o", "report.pdf"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["report.pdf", ".html or .md"]);
}

#[test]
fn predictions_only_when_asked() {
    // The generated fixture: the fitted models and the P(alive) table; without
    // --predict, no section (fitting costs time on large files).
    let w = Workdir::new();
    let generated = fixture("generated.csv");
    let file = generated.to_str().unwrap();
    let plain = w.run(&["report", file]).ok().to_string();
    assert!(!plain.contains("## Predictions"), "{plain}");
    let out = w.run(&["report", file, "--predict"]).ok().to_string();
    assert_mentions(
        &out,
        &[
            "## Predictions",
            "| Customers | 700 |",
            "Fitted models (times in weeks)",
            "| BG/NBD | r |",
            "| Gamma-Gamma | customers fitted |",
            "Customers by P(alive)",
        ],
    );
    // The page: the eight charts of a report on an export with products, and the
    // P(alive) bars.
    w.run(&["report", file, "--predict", "-o", "report.html"])
        .ok();
    let html = std::fs::read_to_string(w.path("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 9);
    assert_mentions(
        &html,
        &[
            "<section id=\"predictions\">",
            "Customers by P(alive)",
            "P(alive) at the as-of date (%)",
        ],
    );
    // A fit that cannot be made is said in the section; the report is still written.
    let w = with_orders();
    let small = w
        .run(&["report", "orders.csv", "--predict"])
        .ok()
        .to_string();
    assert_mentions(
        &small,
        &["## Predictions\n\nNo predictions: the BG/NBD fit did not converge"],
    );
}

#[test]
fn by_adds_the_summary_per_group() {
    let w = Workdir::new();
    let generated = fixture("generated.csv");
    let file = generated.to_str().unwrap();
    let out = w
        .run(&["report", file, "--by", "category"])
        .ok()
        .to_string();
    assert_mentions(
        &out,
        &[
            "## By category",
            "| coffee | 212 | 30.3% | 43.4% |",
            "Each customer is in one group",
        ],
    );
    // The bundle: the same csv as `rebuy summary --by`.
    w.run(&["report", file, "--by", "category", "-o", "out/"])
        .ok();
    let by = w
        .run(&["summary", file, "--by", "category", "-f", "csv"])
        .ok()
        .to_string();
    assert_eq!(
        std::fs::read_to_string(w.path("out/summary-by.csv")).unwrap(),
        by
    );
    let missing = w.run(&["report", file, "--by", "channel"]);
    assert_mentions(missing.bad_input(), &["--by channel", "no column"]);
}
