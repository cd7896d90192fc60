//! `rebuy summary` on the bundled fixture: exact outputs in every format.

use crate::common::{assert_mentions, fixture, Workdir};

fn fixture_arg() -> String {
    fixture("orders.csv").to_str().unwrap().to_string()
}

#[test]
fn json_on_the_fixture() {
    let w = Workdir::new();
    let out = w.run(&["summary", &fixture_arg(), "--format", "json"]);
    insta::assert_snapshot!(out.ok());
}

#[test]
fn table_on_the_fixture() {
    let w = Workdir::new();
    insta::assert_snapshot!(w.run(&["summary", &fixture_arg()]).ok());
}

#[test]
fn csv_and_markdown_on_the_fixture() {
    let w = Workdir::new();
    insta::assert_snapshot!(
        "csv",
        w.run(&["summary", &fixture_arg(), "--format", "csv"]).ok()
    );
    insta::assert_snapshot!(
        "markdown",
        w.run(&["summary", &fixture_arg(), "--format", "markdown"])
            .ok()
    );
}

#[test]
fn output_file_takes_its_format_from_the_extension() {
    let w = Workdir::new();
    let json = w
        .run(&["summary", &fixture_arg(), "--format", "json"])
        .ok()
        .to_string();
    let run = w.run(&["summary", &fixture_arg(), "-o", "summary.json"]);
    assert_eq!(run.ok(), "", "nothing on stdout when writing a file");
    assert_eq!(
        std::fs::read_to_string(w.path("summary.json")).unwrap(),
        json
    );
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(w.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["summary.json"]);
}

/// Every format is an exporter of the same document: HTML is one page with the
/// tables and notes, for a summary and for a long list alike.
#[test]
fn html_is_one_page_of_the_same_tables() {
    let w = Workdir::new();
    w.run(&["summary", &fixture_arg(), "-o", "summary.html"])
        .ok();
    let page = std::fs::read_to_string(w.path("summary.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert_mentions(
        &page,
        &[
            "<title>rebuy summary, as of 2024-04-10</title>",
            "<h1>rebuy summary, as of 2024-04-10</h1>",
            "<tr><td>Customers</td><td class=\"num\">8</td></tr>",
            "<tr><td>Revenue</td><td class=\"num\">555.00</td></tr>",
            "<p class=\"note\">Left out: 1 guest row",
        ],
    );
    // One section: no contents line, no section heading.
    assert!(!page.contains("<nav>") && !page.contains("<h2>"), "{page}");
    // A list: one row per customer under the header row (8 customers).
    let list = w.run(&["rfm", &fixture_arg(), "--customers", "-f", "html"]);
    assert_eq!(list.ok().matches("<tr>").count(), 1 + 8);
}

#[test]
fn a_failed_run_leaves_an_existing_output_untouched() {
    let w = Workdir::new();
    w.write("summary.json", "previous");
    w.write("bad.csv", "customer_id,order_date\nA,never\n");
    w.run(&["summary", "bad.csv", "-o", "summary.json"])
        .bad_input();
    assert_eq!(
        std::fs::read_to_string(w.path("summary.json")).unwrap(),
        "previous"
    );
}

#[test]
fn help_shows_an_example_and_the_keys() {
    let w = Workdir::new();
    let help = w.run(&["summary", "--help"]).ok().to_string();
    for part in [
        "rebuy summary orders.csv",
        "repeat_purchase_rate",
        "dropped.*",
        "--as-of",
    ] {
        assert!(help.contains(part), "{part:?} missing from:\n{help}");
    }
    let version = w.run(&["--version"]).ok().to_string();
    assert_eq!(version, format!("rebuy {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn json_on_the_generated_fixture() {
    let w = Workdir::new();
    let path = fixture("generated.csv");
    insta::assert_snapshot!(w
        .run(&["summary", path.to_str().unwrap(), "--format", "json"])
        .ok());
}
