//! Every kind of bad input gives exit code 2 and a message that says where and what
//! to do; never a panic.

use crate::common::{assert_mentions, fixture, Workdir};

#[test]
fn missing_required_column_lists_the_columns_and_the_names_tried() {
    let w = Workdir::new();
    w.write("o.csv", "shopper,when,amount\nA,2024-01-01,5\n");
    let err = w.run(&["summary", "o.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &[
            "o.csv",
            "no column for the customer",
            "customeruniqueid, customerid, customer, clientid, userid, email, customeremail, buyeruserid",
            "\"shopper\", \"when\", \"amount\"",
            "--map customer=COLUMN",
        ],
    );
}

#[test]
fn unparseable_date_names_file_line_column_and_value() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "customer_id,order_date,amount\nA,2024-01-01,5\nB,last tuesday,5\n",
    );
    let err = w.run(&["summary", "o.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &[
            "o.csv, line 3, column \"order_date\", value \"last tuesday\"",
            "not a date",
            "--skip-invalid",
        ],
    );
}

#[test]
fn impossible_date_says_why() {
    let w = Workdir::new();
    w.write("o.csv", "customer_id,order_date,amount\nA,2023-02-29,5\n");
    let err = w.run(&["summary", "o.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &[
            "line 2",
            "\"2023-02-29\"",
            "not a real date: day 29 of month 2 in 2023",
        ],
    );
}

#[test]
fn unparseable_amount_names_the_column_and_value() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "customer_id,order_date,line_total\nA,2024-01-01,5\nA,2024-01-02,12.50 EUR\n",
    );
    let err = w.run(&["summary", "o.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &[
            "o.csv, line 3, column \"line_total\", value \"12.50 EUR\"",
            "not a number",
            "--skip-invalid",
        ],
    );
}

#[test]
fn ambiguous_day_month_order_asks_for_date_format() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "customer_id,order_date,amount\nA,01/02/2024,5\nB,03/04/2024,5\n",
    );
    let err = w.run(&["summary", "o.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &[
            "line 2",
            "\"01/02/2024\"",
            "--date-format dmy",
            "--date-format mdy",
        ],
    );
    let out = w
        .run(&["summary", "o.csv", "--date-format", "dmy", "-f", "json"])
        .ok()
        .to_string();
    assert_mentions(&out, &["\"as_of\": \"2024-04-03\""]);
}

#[test]
fn empty_file_and_header_only_file() {
    let w = Workdir::new();
    w.write("empty.csv", "");
    assert_mentions(
        w.run(&["summary", "empty.csv"]).bad_input(),
        &["empty.csv", "the file is empty"],
    );
    w.write("header.csv", "customer_id,order_date,amount\n");
    assert_mentions(
        w.run(&["summary", "header.csv"]).bad_input(),
        &["header.csv", "has a header but no rows"],
    );
}

#[test]
fn file_not_found_directory_and_unmatched_glob() {
    let w = Workdir::new();
    assert_mentions(
        w.run(&["summary", "nope.csv"]).bad_input(),
        &["nope.csv", "file not found"],
    );
    std::fs::create_dir(w.path("exports")).unwrap();
    assert_mentions(
        w.run(&["summary", "exports"]).bad_input(),
        &["exports", "is a directory", "'exports/*.csv'"],
    );
    assert_mentions(
        w.run(&["summary", "exports/*.csv"]).bad_input(),
        &["exports/*.csv", "no file matches"],
    );
}

#[test]
fn binary_and_corrupt_inputs() {
    let w = Workdir::new();
    w.write("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    assert_mentions(
        w.run(&["summary", "image.csv"]).bad_input(),
        &["image.csv", "binary"],
    );
    w.write("broken.csv.gz", b"\x1f\x8b\x08\x00garbage");
    assert_mentions(
        w.run(&["summary", "broken.csv.gz"]).bad_input(),
        &["broken.csv.gz", "cannot decompress"],
    );
}

#[test]
fn no_purchases_at_all() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "customer_id,order_date,amount\n,2024-01-01,5\nA,2024-01-01,-5\n",
    );
    assert_mentions(
        w.run(&["summary", "o.csv"]).bad_input(),
        &[
            "no purchases",
            "1 guest row,",
            "1 order of amount 0 or less",
        ],
    );
}

/// Every command checks its flags before it looks at an input: the file named here
/// does not exist, and each run still fails on its flag, with exit 2.
#[test]
fn every_flag_error_comes_before_the_input_is_opened() {
    let w = Workdir::new();
    let m = "missing.csv";
    for (args, words) in [
        (
            vec!["summary", m, "--map", "colour=red"],
            vec!["unknown role \"colour\""],
        ),
        (
            vec!["summary", m, "--as-of", "2024-13-01"],
            vec!["--as-of", "not a date"],
        ),
        (
            vec!["summary", m, "--tz", "Mars/Base"],
            vec!["unknown time zone"],
        ),
        (
            vec!["summary", m, "--date-format", "%d.%Q"],
            vec!["\"%d.%Q\"", "% field"],
        ),
        (
            vec!["summary", m, "--encoding", "ebcdic"],
            vec!["unknown encoding"],
        ),
        (vec!["summary", m, "--delimiter", ";;"], vec!["--delimiter"]),
        (
            vec!["summary", m, "--platform", "amazon"],
            vec!["unknown platform"],
        ),
        (
            vec!["summary", m, "--decimal", "x"],
            vec!["unknown decimal separator"],
        ),
        (
            vec!["summary", m, "--by", " "],
            vec!["--by needs a column name"],
        ),
        (
            vec!["summary", m, "--vertical", "toys"],
            vec!["--vertical \"toys\""],
        ),
        (
            vec![
                "cohorts",
                m,
                "--since",
                "2024-05-01",
                "--until",
                "2024-01-01",
            ],
            vec!["is after --until"],
        ),
        (
            vec!["rfm", m, "--segments-file", "none.toml"],
            vec!["none.toml", "segments file"],
        ),
        (
            vec!["cycles", m, "--triggers", "1,0.5,2"],
            vec!["--triggers \"1,0.5,2\""],
        ),
        (
            vec!["due", m, "--fires-on", "yesterday"],
            vec!["--fires-on \"yesterday\""],
        ),
        (
            vec!["check", m, "--min", "no_such_key=1"],
            vec!["unknown key \"no_such_key\""],
        ),
        (
            vec!["report", m, "-o", "report.pdf"],
            vec!["-o report.pdf", ".html or .md"],
        ),
        (
            vec!["inspect", m, "--map", "x=y"],
            vec!["unknown role \"x\""],
        ),
        (
            vec!["tiers", m, "--platinum-top", "150"],
            vec!["--platinum-top 150"],
        ),
        (
            vec!["tiers", m, "--by", "revenue"],
            vec!["--by revenue needs money thresholds"],
        ),
        (
            vec!["dormant", m, "--bands", "180,90"],
            vec!["--bands", "ascending"],
        ),
    ] {
        let run = w.run(&args);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert_mentions(&run.stderr, &words);
        assert!(
            !run.stderr.contains("not found"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn bad_flags_are_usage_errors() {
    let w = Workdir::new();
    let orders = fixture("orders.csv");
    let orders = orders.to_str().unwrap();
    assert_mentions(
        w.run(&["summary", orders, "--as-of", "30/06/2024"])
            .bad_input(),
        &["--as-of", "YYYY-MM-DD"],
    );
    assert_mentions(
        w.run(&["summary", orders, "--map", "colour=red"])
            .bad_input(),
        &["unknown role", "customer, date, order"],
    );
    assert_mentions(
        w.run(&["summary", orders, "--map", "amount=price_eur"])
            .bad_input(),
        &["--map amount=price_eur", "no column \"price_eur\""],
    );
    assert_mentions(
        w.run(&["summary", orders, "--tz", "Mars/Base"]).bad_input(),
        &["unknown time zone"],
    );
    assert_mentions(
        w.run(&["summary", orders, "--bogus"]).bad_input(),
        &["--bogus"],
    );
    assert_mentions(
        w.run(&["summary", orders, "--as-of", "2000-01-01"])
            .bad_input(),
        &[
            "no purchase occasions on or before --as-of 2000-01-01",
            "2024-01-05",
        ],
    );
}

#[test]
fn output_never_overwrites_an_input() {
    let w = Workdir::new();
    let input = w.write("o.csv", "customer_id,order_date,amount\nA,2024-01-01,5\n");
    let before = std::fs::read(&input).unwrap();
    assert_mentions(
        w.run(&["summary", "o.csv", "-o", "./o.csv"]).bad_input(),
        &["that is an input file"],
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_invalid() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "customer_id,order_date,amount,note\nA,2024-01-01,5,fine\nB,2024-01-02,5,one, two\nC,2024-01-03,5,x\n",
    );
    let err = w.run(&["summary", "o.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &[
            "o.csv, line 3",
            "this row has 5 fields; the header has 4",
            "quote values",
        ],
    );
    let out = w
        .run(&["summary", "o.csv", "--skip-invalid", "-f", "json"])
        .ok()
        .to_string();
    assert_mentions(&out, &["\"customers\": 2", "\"invalid_rows\": 1"]);
}

#[test]
fn errors_deep_in_a_large_file_name_the_right_line() {
    // Big enough to be read on two threads; quoted notes spanning two lines shift
    // the line numbers after them.
    let w = Workdir::new();
    let mut text = String::from("customer_id,order_date,amount,note\n");
    let mut line = 1;
    for i in 0..20_000 {
        line += 1;
        if i % 1000 == 0 {
            text.push_str(&format!("C{i},2024-01-01,5,\"two\nlines\"\n"));
            line += 1;
        } else if i == 17_777 {
            text.push_str(&format!("C{i},2024-02-30,5,bad\n"));
            break;
        } else {
            text.push_str(&format!("C{i},2024-01-02,5,plain\n"));
        }
    }
    w.write("big.csv", &text);
    let err = w.run(&["summary", "big.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &[&format!(
            "big.csv, line {line}, column \"order_date\", value \"2024-02-30\""
        )],
    );
}
