//! Files, encodings, column roles, dates and money: everything between the names on
//! the command line and the tables the metrics read (`crate::occasions`).
//!
//! A chain, each stage a module that uses only the ones before it:
//!
//! 1. the line schema and value options (`schema`, `columns`, `dates`, `span`), money
//!    as exports write it (`numbers`) and the platforms recognised by their header
//!    (`platforms`);
//! 2. typing one row's values, for CSV and Parquet alike (`typing`);
//! 3. sources, from a file to typed chunks (`csv_scan`, `read`, `csv_rows`,
//!    `parquet_rows`);
//! 4. lines: ids to codes, day/month order, sums checked, batches of lines
//!    (`lines`, `line_table`);
//! 5. orders and purchases (`orders`, contract §1 steps 4–5);
//! 6. occasions (`occasions`, steps 6–8).
//!
//! `load` (here) wires 1–5: the batches of lines that stage 4 hands on are folded into
//! orders by stage 5. Commands then call `occasions::build`.

pub mod columns;
pub mod csv_rows;
pub mod csv_scan;
pub mod dates;
pub mod line_table;
pub mod lines;
pub mod numbers;
pub mod occasions;
pub mod orders;
mod parquet_rows;
pub mod platforms;
pub mod read;
pub mod schema;
pub mod span;
pub mod typing;

use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::intern::Interner;
use columns::ColumnRoles;
use dates::SlashOrder;
use line_table::LineTable;
use lines::Dictionaries;
use orders::{KeptLines, OrderFolds, Orders, ProductLines};
use read::{FileFormat, ReadOptions, Source};
use schema::ValueOptions;

/// What `inspect` tells about one file.
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    pub name: String,
    pub format: FileFormat,
    pub encoding: &'static str,
    pub delimiter: Option<char>,
    pub columns: Vec<String>,
    pub roles: ColumnRoles,
    /// Data rows read (blank lines aside): always `loaded_rows + guest_rows +
    /// invalid_rows`, each counted where it happens.
    pub rows: u64,
    /// Rows typed and kept as order lines.
    pub loaded_rows: u64,
    pub guest_rows: u64,
    pub invalid_rows: u64,
    /// How slashed dates were read: `None` when the file has none or they agree.
    pub slash_order: Option<&'static str>,
    /// The value (and its line) or the platform rule that decided `slash_order`.
    pub slash_decided_by: Option<String>,
    /// The platform recognised by the header (platforms §2), or `None`: general rules.
    pub platform: Option<&'static str>,
    /// The header's columns that matched the platform's signature.
    pub signature: Vec<String>,
    /// How the platform reads customer, amount and statuses; empty under general rules.
    pub rules: Vec<String>,
    /// Each money column's decimal separator, and what decided it.
    pub decimals: Vec<lines::DecimalDecision>,
    /// Columns the platform's rules read besides the roles' (`inspect` lists them as
    /// used).
    #[serde(skip)]
    pub rule_columns: Vec<String>,
}

/// What was read, besides the orders: every file's report, the ids behind the codes,
/// and what was dropped while reading.
pub struct Inputs {
    pub files: Vec<FileReport>,
    /// Day numbers of the first and the last order, of any amount.
    pub order_days: Option<(i32, i32)>,
    pub guest_rows: u64,
    pub invalid_rows: u64,
    /// Customer ids by code.
    pub customers: Arc<Interner>,
    /// Order ids by code, kept only for `--same-day keep` (which ranks them).
    pub order_ids: Interner,
    /// Orders left out for their status (platforms §1 rule 4).
    pub non_purchase_status: u64,
    /// The rule for statuses and the orders per status value; `None` without a
    /// status column.
    pub statuses: Option<(platforms::StatusRule, Vec<orders::StatusCount>)>,
}

/// Reads and types every source, one after the other, into the orders of contract
/// §1 step 4. `reading` hears the name of each file as its turn comes.
pub fn load(
    sources: &[Source],
    read_options: &ReadOptions,
    value_options: &ValueOptions,
    reading: &dyn Fn(&str),
) -> Result<(Inputs, Orders)> {
    let (inputs, orders, _) = load_all(sources, read_options, value_options, false, reading)?;
    Ok((inputs, orders))
}

/// `load`, also reading the product, category and product name columns and keeping
/// the lines that carry them (for purchase cycles).
pub fn load_with_products(
    sources: &[Source],
    read_options: &ReadOptions,
    value_options: &ValueOptions,
    reading: &dyn Fn(&str),
) -> Result<(Inputs, Orders, ProductLines)> {
    let (inputs, orders, lines) = load_all(sources, read_options, value_options, true, reading)?;
    // `load_all` keeps the lines whenever products are read.
    let lines = lines.ok_or_else(|| Error::internal("product lines were not kept"))?;
    Ok((inputs, orders, lines))
}

/// Reads every source; with `products`, also the product columns, keeping the lines.
fn load_all(
    sources: &[Source],
    read_options: &ReadOptions,
    value_options: &ValueOptions,
    products: bool,
    reading: &dyn Fn(&str),
) -> Result<(Inputs, Orders, Option<ProductLines>)> {
    let read_options = &ReadOptions {
        products,
        skip_categories: value_options.skip_categories,
        ..read_options.clone()
    };
    let value_options = &ValueOptions {
        products,
        ..value_options.clone()
    };
    let mut files = Vec::with_capacity(sources.len());
    let mut table = LineTable::default();
    let mut dictionaries = Dictionaries::default();
    let mut folds = OrderFolds::default();
    let mut kept = KeptLines::default();
    let mut slots = Vec::new();
    let mut sink = |lines: &line_table::LineBatch| -> Result<()> {
        if products {
            slots.clear();
            folds.add(lines, Some(&mut slots));
            kept.push(lines, &slots);
        } else {
            folds.add(lines, None);
        }
        Ok(())
    };
    for source in sources {
        reading(&source.display());
        let opened = read::open(source, read_options)?;
        crate::progress::mark("typing the rows, ids to codes, lines to orders");
        let name = opened.name.clone();
        let (format, bom, delimiter) = (opened.format, opened.bom, opened.delimiter);
        let (columns, roles) = (opened.header.clone(), opened.roles.clone());
        let signature = opened
            .rules
            .platform
            .map(|p| p.matched_signature(&opened.header))
            .unwrap_or_default();
        let rules = describe_rules(&opened);
        let rule_columns = [
            opened.rules.customer_else,
            opened.rules.adjust,
            opened.rules.flag.map(|(i, _)| i),
        ]
        .into_iter()
        .flatten()
        .map(|i| opened.header[i].clone())
        .collect();
        let tally = lines::read_file(
            opened,
            value_options,
            &mut table,
            &mut dictionaries,
            &mut sink,
        )?;
        if tally.rows == 0 {
            return Err(Error::file(
                &name,
                "the file has a header but no rows",
                "export the orders again, or leave this file out",
            ));
        }
        let encoding = match (format, tally.windows_1252, bom) {
            (FileFormat::Parquet, _, _) => "",
            (_, true, _) => "Windows-1252",
            (_, false, true) => "UTF-8 with BOM",
            (_, false, false) => "UTF-8",
        };
        files.push(FileReport {
            name,
            format,
            encoding,
            delimiter: delimiter.map(char::from),
            columns,
            roles,
            rows: tally.rows,
            loaded_rows: tally.loaded_rows,
            guest_rows: tally.guest_rows,
            invalid_rows: tally.invalid_rows,
            slash_order: tally.slash_order.map(|o| match o {
                SlashOrder::DayFirst => "day/month",
                SlashOrder::MonthFirst => "month/day",
            }),
            slash_decided_by: tally.slash_decided_by,
            platform: tally.platform.map(|p| p.name),
            signature,
            rules,
            decimals: tally.decimals,
            rule_columns,
        });
        if let (Some(first), Some(last)) = (files.first(), files.last()) {
            if first.platform != last.platform {
                let label = |f: &FileReport| {
                    f.platform
                        .map_or("not a recognised platform's".to_string(), |p| {
                            format!("a {p}")
                        })
                };
                return Err(Error::file(
                    &last.name,
                    format!(
                        "this is {} export, but {} is {} export; files read together must come from one platform",
                        label(last),
                        first.name,
                        label(first)
                    ),
                    "read each platform's files in a run of their own",
                ));
            }
        }
    }
    if !value_options.order_ids {
        // Not needed past reading: free it before the occasions are built.
        dictionaries.orders = Interner::default();
    }
    crate::progress::mark("the last lines to orders");
    table.flush(&mut sink)?;
    let mut orders = folds.finish();
    crate::progress::mark("orders' statuses and days");
    let platform = files
        .first()
        .and_then(|f| f.platform)
        .and_then(platforms::Platform::named);
    let rule = platforms::StatusRule::of(platform, value_options.non_purchase_status.as_deref());
    let statuses = orders
        .leave_out_statuses(&dictionaries.statuses, &rule)
        .map(|(counts, places)| {
            kept.move_orders(&places);
            (rule, counts)
        });
    let non_purchase_status = statuses.as_ref().map_or(0, |(_, counts)| {
        counts
            .iter()
            .filter(|c| !c.purchase)
            .map(|c| c.orders)
            .sum()
    });
    let inputs = Inputs {
        guest_rows: files.iter().map(|f| f.guest_rows).sum(),
        invalid_rows: files.iter().map(|f| f.invalid_rows).sum(),
        files,
        order_days: orders.days(),
        customers: Arc::new(dictionaries.customers),
        order_ids: dictionaries.orders,
        non_purchase_status,
        statuses,
    };
    let lines = if products {
        Some(ProductLines {
            lines: kept,
            products: dictionaries.products,
            product_names: dictionaries.product_names,
            categories: dictionaries.categories,
        })
    } else {
        None
    };
    Ok((inputs, orders, lines))
}

/// How a platform's rules read the file, for `inspect` (platforms §4).
fn describe_rules(opened: &read::Opened) -> Vec<String> {
    let rules = &opened.rules;
    let column = |i: usize| opened.header[i].clone();
    let role = |r: columns::Role| opened.roles.column(r).unwrap_or("").to_string();
    let mut described = Vec::new();
    if let Some(other) = rules.customer_else {
        described.push(format!(
            "customer = {}, else {}{}",
            role(columns::Role::Customer),
            column(other),
            if rules.zero_is_guest {
                " where it is empty or 0"
            } else {
                " where it is empty"
            }
        ));
    }
    if rules.username {
        described.push(format!(
            "customer = the username in {}'s trailing (…)",
            role(columns::Role::Customer)
        ));
    }
    if let Some(adjust) = rules.adjust {
        described.push(format!(
            "amount = {} {} {}{}",
            role(columns::Role::Amount),
            if rules.adjust_sign < 0 { "−" } else { "+" },
            column(adjust),
            if rules.empty_is_zero {
                " (first line; 0 on the others)"
            } else {
                ""
            }
        ));
    }
    if let Some((flag_column, flag)) = rules.flag {
        described.push(format!(
            "status = {:?} where {} is {}",
            flag.value,
            column(flag_column),
            if flag.when_filled { "set" } else { "false" }
        ));
    }
    described
}

/// Builds occasions from CSV texts, for tests of the rules of contract §1 and §2.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::input::occasions::OccasionOptions;
    use crate::occasions::{Occasions, PurchaseLines};

    /// The texts as files in a temporary folder (kept while the sources are used).
    fn sources_of(texts: &[&str]) -> (tempfile::TempDir, Vec<Source>) {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let sources: Vec<Source> = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let path = folder.path().join(format!("part{i}.csv"));
                std::fs::write(&path, text).expect("writing a test file");
                Source::Path(path)
            })
            .collect();
        (folder, sources)
    }

    pub fn load_texts(texts: &[&str], values: &ValueOptions) -> Result<(Inputs, Orders)> {
        load_texts_with(texts, &ReadOptions::default(), values)
    }

    pub fn load_texts_with(
        texts: &[&str],
        read: &ReadOptions,
        values: &ValueOptions,
    ) -> Result<(Inputs, Orders)> {
        let (_folder, sources) = sources_of(texts);
        load(&sources, read, values, &|_| {})
    }

    /// Occasions and purchase lines, as `cycles` reads them.
    pub fn purchases_of(
        texts: &[&str],
        values: &ValueOptions,
        options: OccasionOptions,
    ) -> Result<(Occasions, PurchaseLines)> {
        let needs = crate::commands::ProductNeeds {
            categories: true,
            names: true,
            times: false,
        };
        purchases_with(texts, &ReadOptions::default(), values, options, needs)
    }

    /// `purchases_of` with read options and what the lines keep.
    pub fn purchases_with(
        texts: &[&str],
        read: &ReadOptions,
        values: &ValueOptions,
        options: OccasionOptions,
        needs: crate::commands::ProductNeeds,
    ) -> Result<(Occasions, PurchaseLines)> {
        let (_folder, sources) = sources_of(texts);
        let values = ValueOptions {
            skip_categories: !needs.categories,
            skip_names: !needs.names,
            ..values.clone()
        };
        let (inputs, orders, lines) = load_with_products(&sources, read, &values, &|_| {})?;
        let purchases = lines.purchased(&orders.order_days(needs.times), inputs.customers.len())?;
        Ok((occasions::build(orders, &inputs, options)?, purchases))
    }

    pub fn occasions_of(
        texts: &[&str],
        values: &ValueOptions,
        options: OccasionOptions,
    ) -> Result<Occasions> {
        let values = ValueOptions {
            order_ids: options.same_day == occasions::SameDay::Keep,
            ..values.clone()
        };
        let (inputs, orders) = load_texts(texts, &values)?;
        occasions::build(orders, &inputs, options)
    }

    /// The occasions of one order per (customer, day, amount in whole units), days
    /// counted from 2024-01-01 (day 0), as of day `as_of` likewise.
    pub fn occasions_on_days(rows: &[(&str, i32, i64)], as_of: i32) -> Occasions {
        let start = crate::days::day_of_date(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
        let mut csv = String::from("customer_id,order_id,order_date,amount\n");
        for (i, (customer, day, amount)) in rows.iter().enumerate() {
            let date = crate::days::date_of_day(start + day);
            csv.push_str(&format!("{customer},{i},{date},{amount}\n"));
        }
        let options = OccasionOptions {
            as_of: Some(start + as_of),
            ..OccasionOptions::default()
        };
        occasions_of(&[&csv], &ValueOptions::default(), options).unwrap()
    }

    /// (customer, date, amount as text, orders) of every occasion, in table order.
    pub fn rows(occasions: &Occasions) -> Vec<(String, String, String, i64)> {
        let mut rows = Vec::new();
        for frame in &occasions.parts {
            let customers = crate::frames::column_i64(frame, "customer").unwrap();
            let days = crate::frames::column_i32(frame, "day").unwrap();
            let amounts = crate::frames::column_i64(frame, "amount").unwrap();
            let orders = crate::frames::column_i64(frame, "orders").unwrap();
            for i in 0..frame.height() {
                let code = customers[i].unwrap() as u32;
                rows.push((
                    String::from_utf8_lossy(occasions.customers.bytes(code)).into_owned(),
                    crate::days::date_of_day(days[i].unwrap()).to_string(),
                    amounts[i].map_or("?".to_string(), |a| crate::money::Money(a).to_string()),
                    orders[i].unwrap(),
                ));
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    //! The same input read in blocks of any size, on one thread or two, folded into
    //! orders at any interval, gives the same summary.
    use super::testing::load_texts_with;
    use super::*;
    use crate::input::occasions::{self, OccasionOptions, SameDay};
    use crate::metrics::summary::summary;

    const GENERATED: &str = include_str!("../../fixtures/generated.csv");

    fn summary_json(
        text: &str,
        block_bytes: usize,
        flush_lines: usize,
        same_day: SameDay,
    ) -> String {
        summary_json_in_parts(text, block_bytes, flush_lines, same_day, 0)
    }

    fn summary_json_in_parts(
        text: &str,
        block_bytes: usize,
        flush_lines: usize,
        same_day: SameDay,
        part_orders: usize,
    ) -> String {
        let read = ReadOptions {
            block_bytes,
            ..ReadOptions::default()
        };
        let values = ValueOptions {
            flush_lines,
            order_ids: same_day == SameDay::Keep,
            ..ValueOptions::default()
        };
        let (inputs, orders) = load_texts_with(&[text], &read, &values).unwrap();
        let occasions = occasions::build(
            orders,
            &inputs,
            OccasionOptions {
                same_day,
                as_of: None,
                part_orders,
            },
        )
        .unwrap();
        serde_json::to_string(&summary(&occasions).unwrap()).unwrap()
    }

    #[test]
    fn block_and_fold_sizes_change_nothing() {
        for same_day in [SameDay::Merge, SameDay::Keep] {
            let whole = summary_json(GENERATED, 0, 0, same_day);
            for (block_bytes, flush_lines) in
                [(300, 0), (5000, 0), (9000, 700), (0, 100), (20_000, 1)]
            {
                assert_eq!(
                    summary_json(GENERATED, block_bytes, flush_lines, same_day),
                    whole,
                    "blocks of {block_bytes} bytes, folds every {flush_lines} lines, {same_day:?}"
                );
            }
        }
    }

    #[test]
    fn thread_counts_change_nothing() {
        let in_pool = |threads: usize, block_bytes: usize, same_day: SameDay| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| summary_json(GENERATED, block_bytes, 0, same_day))
        };
        for same_day in [SameDay::Merge, SameDay::Keep] {
            let whole = summary_json(GENERATED, 0, 0, same_day);
            for (threads, block_bytes) in [(1, 0), (1, 700), (4, 700), (4, 5000), (3, 20_000)] {
                assert_eq!(
                    in_pool(threads, block_bytes, same_day),
                    whole,
                    "{threads} threads, blocks of {block_bytes} bytes, {same_day:?}"
                );
            }
        }
    }

    #[test]
    fn folds_of_any_size_give_the_same_summary() {
        // Lines are added to their order's slot fold after fold: where the folds cut
        // changes nothing.
        let options = crate::generate::GenerateOptions {
            customers: 400,
            seed: 3,
            start: chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
            end: chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
            quirks: false,
        };
        let mut sink = crate::generate::CsvSink::new(Vec::new(), false).unwrap();
        crate::generate::simulate(&options, &mut sink).unwrap();
        let text = String::from_utf8(sink.into_inner()).unwrap();
        let read = ReadOptions::default();
        let (_, orders) = load_texts_with(&[&text], &read, &ValueOptions::default()).unwrap();
        assert!(!orders.is_empty());
        let whole = summary_json(&text, 0, 0, SameDay::Merge);
        for flush_lines in [1, 2, 3, 7, 50] {
            assert_eq!(
                summary_json(&text, 2000, flush_lines, SameDay::Merge),
                whole,
                "{flush_lines}"
            );
        }
    }

    #[test]
    fn occasions_built_in_parts_give_the_same_summary() {
        for same_day in [SameDay::Merge, SameDay::Keep] {
            let whole = summary_json(GENERATED, 0, 0, same_day);
            for part_orders in [40, 300, 1000] {
                assert_eq!(
                    summary_json_in_parts(GENERATED, 0, 0, same_day, part_orders),
                    whole,
                    "parts of {part_orders} orders, {same_day:?}"
                );
            }
        }
    }

    #[test]
    fn day_month_evidence_late_in_the_file_fixes_the_rows_before_it() {
        // 3,000 ambiguous dates (day and month both at most 12), and one day-first
        // date at the end, read in small blocks on two threads.
        let mut text = String::from("customer_id,order_date,amount\n");
        for i in 0..3000 {
            text.push_str(&format!(
                "C{},{:02}/{:02}/2024,1\n",
                i % 97,
                i % 12 + 1,
                i % 11 + 1
            ));
        }
        text.push_str("C1,25/12/2024,1\n");
        let explicit = {
            let values = ValueOptions {
                date_format: dates::DateFormat::Slash(SlashOrder::DayFirst),
                ..ValueOptions::default()
            };
            let (inputs, orders) =
                load_texts_with(&[&text], &ReadOptions::default(), &values).unwrap();
            let occasions = occasions::build(orders, &inputs, OccasionOptions::default()).unwrap();
            serde_json::to_string(&summary(&occasions).unwrap()).unwrap()
        };
        for block_bytes in [0, 500, 8192] {
            assert_eq!(
                summary_json(&text, block_bytes, 0, SameDay::Merge),
                explicit,
                "{block_bytes}"
            );
        }
    }

    #[test]
    fn values_read_before_the_decimal_decision_are_fixed() {
        // `"1,250"` could be 1250 (the file's default, a decimal point) or 1.25; the
        // comma value on the last line decides, in a later block and batch.
        let mut text = String::from("customer_id,order_date,amount\nA,2024-01-01,\"1,250\"\n");
        for i in 0..400 {
            text.push_str(&format!("B{i},2024-01-02,2\n"));
        }
        text.push_str("A,2024-01-03,\"0,5\"\n");
        let json = summary_json(&text, 64, 0, SameDay::Merge);
        assert!(json.contains("\"revenue\":801.75"), "{json}");
        assert_eq!(summary_json(&text, 0, 0, SameDay::Merge), json);
    }

    mod decisions {
        //! The day/month order and each column's decimal separator are decided per
        //! file from all its values: the rows in any order give the same summary.
        use super::*;
        use proptest::prelude::*;

        fn text(rows: &[(u8, u32, u32, u32, bool)]) -> String {
            let mut text = String::from("customer_id,order_date,amount\n");
            for &(customer, day, month, cents, grouped) in rows {
                let (units, fraction) = (cents / 1000, cents % 1000);
                // Three decimals written with a comma, or units grouped with a dot:
                // `7,125` and `1.250` could each be read either way alone.
                let amount = if grouped {
                    format!("{}.{:03}", units.max(1), fraction)
                } else {
                    format!("{units},{fraction:03}")
                };
                text.push_str(&format!("C{customer},{day}/{month}/2024,\"{amount}\"\n"));
            }
            text
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(60))]
            #[test]
            fn row_order_does_not_change_the_decisions(
                mut rows in prop::collection::vec(
                    (0u8..6, 1u32..=28, 1u32..=12, 0u32..999_999, any::<bool>()), 1..80),
                rotate in 0usize..80,
                block_bytes in prop::sample::select(vec![0usize, 48, 200]),
            ) {
                // Evidence: a day above 12, and `0,550`, which only a comma allows.
                rows.push((0, 25, 12, 550, false));
                let forward = summary_json(&text(&rows), block_bytes, 0, SameDay::Merge);
                let k = rotate % rows.len();
                rows.rotate_left(k);
                rows.reverse();
                let shuffled = summary_json(&text(&rows), block_bytes, 0, SameDay::Merge);
                // And both as if the decisions had been given up front.
                let values = ValueOptions {
                    date_format: dates::DateFormat::Slash(SlashOrder::DayFirst),
                    decimal: Some(schema::Decimal::Comma),
                    ..ValueOptions::default()
                };
                let (inputs, orders) =
                    load_texts_with(&[&text(&rows)], &ReadOptions::default(), &values).unwrap();
                let occasions = occasions::build(orders, &inputs, OccasionOptions::default()).unwrap();
                let given = serde_json::to_string(&summary(&occasions).unwrap()).unwrap();
                prop_assert_eq!(&forward, &given);
                prop_assert_eq!(forward, shuffled);
            }
        }
    }
}
