//! One test per bug fixed, named after what broke, with a comment saying what went
//! wrong.

use crate::common::{assert_mentions, Workdir};

const STRAY_QUOTE: &str = "customer_id,order_date,product_name,amount
A,2024-01-01,27\" Monitor,199
A,2024-02-01,Cable,10
B,2024-01-05,Mouse,20
B,2024-03-05,Mouse,20
";

fn summary_json(w: &Workdir, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["summary"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(w.run(&all).ok()).unwrap()
}

/// A quote inside an unquoted field (`27" Monitor`) was taken to open a quoted field,
/// so every following line joined one record: "this row has 13 fields", and with
/// --skip-invalid the rest of the file became one invalid row.
#[test]
fn a_stray_quote_inside_a_field_is_an_ordinary_character() {
    let w = Workdir::new();
    w.write("o.csv", STRAY_QUOTE);
    let summary = summary_json(&w, &["o.csv"]);
    assert_eq!(summary["customers"], 2);
    assert_eq!(summary["occasions"], 4);
    assert_eq!(summary["revenue"], 249.0);
    assert_eq!(summary["repeat_purchase_rate"], 1.0);
    let inspect: serde_json::Value =
        serde_json::from_str(w.run(&["inspect", "o.csv", "--format", "json"]).ok()).unwrap();
    assert_eq!(inspect["files"][0]["rows"], 4);
    assert_eq!(inspect["files"][0]["loaded_rows"], 4);
    // The same with --skip-invalid: nothing is invalid.
    let skipping = summary_json(&w, &["o.csv", "--skip-invalid"]);
    assert_eq!(skipping["dropped"]["invalid_rows"], 0);
    assert_eq!(skipping["occasions"], 4);
}

/// Rows separated by CR alone (old Mac, some spreadsheet exports) were one line:
/// "the file has a header but no rows".
#[test]
fn cr_only_line_endings_end_records() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "customer_id,order_date,amount\rA,2024-01-01,5\rA,2024-02-01,7\rB,2024-01-03,1\r",
    );
    let summary = summary_json(&w, &["o.csv"]);
    assert_eq!(summary["customers"], 2);
    assert_eq!(summary["occasions"], 3);
    assert_eq!(summary["revenue"], 13.0);
    // Line numbers count CR line ends too.
    w.write(
        "bad.csv",
        "customer_id,order_date,amount\rA,2024-01-01,5\rB,2024-13-01,7\r",
    );
    let err = w.run(&["summary", "bad.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &["bad.csv, line 3, column \"order_date\", value \"2024-13-01\""],
    );
}

/// A quoted field never closed made the rest of the file one value, silently.
#[test]
fn a_quoted_field_never_closed_names_the_line_it_opened_on() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "customer_id,order_date,product_name,amount\nA,2024-01-01,Cable,5\nB,2024-01-02,\"Mouse,5\nC,2024-01-03,Pad,5\n",
    );
    for extra in [&[][..], &["--skip-invalid"][..]] {
        let mut args = vec!["summary", "o.csv"];
        args.extend_from_slice(extra);
        let err = w.run(&args).bad_input().to_string();
        assert_mentions(&err, &["o.csv, line 3", "never closed"]);
    }
}

/// Twelve lines of one order at 99999999999999 (under the 10^14 limit of a value)
/// summed past 64 bits and wrapped to a negative amount: the order was dropped as a
/// refund and its customer vanished.
#[test]
fn amounts_that_would_overflow_a_sum_are_refused_not_wrapped() {
    let w = Workdir::new();
    let mut text = String::from("customer_id,order_id,order_date,amount\n");
    for _ in 0..12 {
        text.push_str("A,1,2024-01-01,99999999999999\n");
    }
    w.write("o.csv", &text);
    let err = w.run(&["summary", "o.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &[
            "o.csv, line 11, column \"amount\", value \"99999999999999\"",
            "922337203685477.5807",
        ],
    );
    // quantity × unit_price past the limit of a value is refused, not clamped.
    w.write(
        "q.csv",
        "customer_id,order_date,quantity,unit_price\nA,2024-01-01,99999999999999,99999999999999\n",
    );
    let err = w.run(&["summary", "q.csv"]).bad_input().to_string();
    assert_mentions(&err, &["q.csv, line 2", "too large"]);
}

/// Two rows dated 0001-01-01 and 9999-12-31 made `cohorts` work through ten thousand
/// years of periods (25 s and more); `--as-of 9999-12-31` likewise.
#[test]
fn dates_no_shop_has_are_refused_rather_than_worked_through() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "customer_id,order_date,amount\nA,0001-01-01,5\nB,9999-12-31,5\n",
    );
    let err = w.run(&["cohorts", "o.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &[
            "o.csv, line 2",
            "\"0001-01-01\"",
            "outside the years rebuy reads (1900 to 2199)",
        ],
    );
    let skipped = w
        .run(&["cohorts", "o.csv", "--skip-invalid"])
        .bad_input()
        .to_string();
    assert_mentions(&skipped, &["2 invalid rows"]);
    w.write("one.csv", "customer_id,order_date,amount\nA,2024-01-01,5\n");
    let err = w
        .run(&[
            "cohorts",
            "one.csv",
            "--as-of",
            "9999-12-31",
            "--period",
            "week",
        ])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["--as-of 9999-12-31", "1900 to 2199"]);
}

/// `-o` compared paths by name, so the input reached through a symlink, a hard link
/// or `./` was overwritten.
#[cfg(unix)]
#[test]
fn output_onto_an_input_is_refused_by_identity() {
    let w = Workdir::new();
    w.write("o.csv", "customer_id,order_date,amount\nA,2024-01-01,5\n");
    std::os::unix::fs::symlink(w.path("o.csv"), w.path("link.csv")).unwrap();
    std::fs::hard_link(w.path("o.csv"), w.path("hard.csv")).unwrap();
    for target in ["link.csv", "hard.csv", "./o.csv"] {
        let err = w
            .run(&["summary", "o.csv", "-o", target])
            .bad_input()
            .to_string();
        assert_mentions(&err, &["never writes over its input"]);
    }
    assert_eq!(
        std::fs::read_to_string(w.path("o.csv")).unwrap(),
        "customer_id,order_date,amount\nA,2024-01-01,5\n"
    );
}

/// `-o` onto a device or FIFO renamed a regular file over it: `-o /dev/full` replaced
/// the device and wrote nothing where the user pointed.
#[cfg(unix)]
#[test]
fn output_onto_a_device_or_fifo_writes_into_it() {
    let w = Workdir::new();
    w.write("o.csv", "customer_id,order_date,amount\nA,2024-01-01,5\n");
    use std::os::unix::fs::FileTypeExt;
    let through_stdout = w.run(&["summary", "o.csv", "-o", "/dev/stdout", "--format", "csv"]);
    assert!(through_stdout
        .ok()
        .starts_with("key,value\nas_of,2024-01-01\n"));
    assert!(std::fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type()
        .is_symlink());
    // Nothing is ever created under /dev, even where nothing is there yet.
    let err = w
        .run(&["summary", "o.csv", "-o", "/dev/rebuy-regression-test"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["/dev/rebuy-regression-test", "No such file"]);
    assert!(!std::path::Path::new("/dev/rebuy-regression-test").exists());
    let err = w
        .run(&["summary", "o.csv", "-o", "/dev/full"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["/dev/full"]);
    let fifo = w.path("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap());
    w.run(&["summary", "o.csv", "-o", "pipe", "--format", "csv"])
        .ok();
    let read = reader.join().unwrap();
    assert!(read.starts_with("key,value\nas_of,2024-01-01\n"), "{read}");
    assert!(std::fs::symlink_metadata(w.path("pipe"))
        .unwrap()
        .file_type()
        .is_fifo());
}

/// A symlink to a regular file as `-o` was replaced by a file; the link now stays and
/// the file it points to gets the output.
#[cfg(unix)]
#[test]
fn output_through_a_symlink_keeps_the_link() {
    let w = Workdir::new();
    w.write("o.csv", "customer_id,order_date,amount\nA,2024-01-01,5\n");
    w.write("real.csv", "old");
    std::os::unix::fs::symlink("real.csv", w.path("latest.csv")).unwrap();
    w.run(&["summary", "o.csv", "-o", "latest.csv", "--format", "csv"])
        .ok();
    assert!(std::fs::symlink_metadata(w.path("latest.csv"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(w.path("real.csv"))
        .unwrap()
        .starts_with("key,value\n"));
}

/// The temporary file of `-o` was `.rebuy-XXXX.tmp`, which a user finding it after a
/// killed run could not tie to anything; it is now `.NAME.rebuy-unfinished-XXXXXX`.
#[test]
fn the_temporary_file_of_an_output_names_its_target() {
    let w = Workdir::new();
    let mut child = w
        .command(&["generate", "--customers", "20000000", "-o", "big.csv"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let name = loop {
        let found = std::fs::read_dir(w.path("."))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with(".big.csv.rebuy-unfinished-"));
        if let Some(name) = found {
            break name;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no temporary file appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !w.path("big.csv").exists(),
        "the target appears only when complete"
    );
    assert!(w.path(&name).exists());
}

/// The first ambiguous slashed date of a file was looked up again by matching rows
/// (e86ac83): the error must name the line and the text of the first one.
#[test]
fn an_undecided_day_month_order_names_the_first_ambiguous_date() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "customer_id,order_date,amount\nA,2024-01-01,5\nB,03/04/2024,5\nC,05/06/2024,5\n",
    );
    let err = w.run(&["summary", "o.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &[
            "o.csv, line 3, column \"order_date\", value \"03/04/2024\"",
            "--date-format dmy",
        ],
    );
}

/// A Parquet file cut short but for its footer made polars panic ("range end index
/// … out of range"): exit 101 and a backtrace instead of a message about the file.
#[test]
fn a_truncated_parquet_file_is_an_error_about_the_file_not_a_panic() {
    let w = Workdir::new();
    w.run(&[
        "generate",
        "--customers",
        "3000",
        "--seed",
        "2",
        "-o",
        "whole.parquet",
    ])
    .ok();
    let whole = std::fs::read(w.path("whole.parquet")).unwrap();
    // The first 30% and the last 10%: the footer promises column chunks past the end.
    let n = whole.len();
    let mut cut = whole[..n * 3 / 10].to_vec();
    cut.extend_from_slice(&whole[n - n / 10..]);
    w.write("cut.parquet", &cut);
    let err = w.run(&["summary", "cut.parquet"]).bad_input().to_string();
    assert_mentions(
        &err,
        &["cut.parquet", "cannot read this Parquet file", "damaged"],
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// Found by fuzzing the reader (tests/fuzz): a date of 22 digits overflowed the i64
/// its digits were folded into (a panic where overflow is checked). It is no date.
#[test]
fn a_date_of_twenty_two_digits_is_not_a_date() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "email,created_at,total\n\"x@y\",7777777777771700000000,12.5\n",
    );
    let err = w.run(&["summary", "o.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &[
            "o.csv, line 2, column \"created_at\", value \"7777777777771700000000\"",
            "not a date rebuy can read",
        ],
    );
}

/// A spreadsheet re-save separated by `;` with decimal commas stopped on `261,96`
/// ("not a number"); its Sales are decimal-comma money (platforms §1 rule 6).
#[test]
fn a_semicolon_re_save_with_decimal_commas_is_read() {
    let w = Workdir::new();
    w.write(
        "superstore.csv",
        "\u{feff}Row ID;Order ID;Order Date;Customer ID;Sales\r\n\
         1;CA-1;08/11/2020;CG-1;261,96\r\n\
         2;CA-1;08/11/2020;CG-1;731,94\r\n\
         3;CA-2;15/04/2021;CG-1;1.044,63\r\n",
    );
    let out = w
        .run(&["summary", "superstore.csv", "-f", "json"])
        .ok()
        .to_string();
    assert_mentions(
        &out,
        &[
            "\"as_of\": \"2021-04-15\"",
            "\"orders\": 2",
            "\"revenue\": 2038.53",
        ],
    );
}

/// A file cut short mid-line (`CS4532,22-F`, two fields of three, no line end) stopped
/// on its number of fields; short records are padded (platforms §1 rule 1), so it is
/// its half date that is named, and `--skip-invalid` counts the row.
#[test]
fn a_last_line_cut_short_names_its_half_date() {
    let w = Workdir::new();
    w.write(
        "cut.csv",
        "customer_id,trans_date,tran_amount\r\nCS5295,11-Feb-13,35\r\nCS4532,22-F",
    );
    assert_mentions(
        w.run(&["summary", "cut.csv"]).bad_input(),
        &[
            "cut.csv, line 3, column \"trans_date\", value \"22-F\"",
            "not a date",
        ],
    );
    let out = w
        .run(&["summary", "cut.csv", "--skip-invalid", "-f", "json"])
        .ok()
        .to_string();
    assert_mentions(&out, &["\"revenue\": 35", "\"invalid_rows\": 1"]);
}
