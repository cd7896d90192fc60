//! Platform exports (platforms §1–§4) on the hand-made fixtures in
//! `fixtures/platforms/`, whose figures are worked out in `fixtures/README.md`.

use serde_json::Value;

use crate::common::{assert_mentions, fixture, Workdir};

fn platform_fixture(name: &str) -> String {
    fixture("platforms")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// customers, orders, revenue, repeat rate, and the dropped counts, from summary JSON.
fn figures(w: &Workdir, args: &[&str]) -> (u64, u64, f64, f64, Value) {
    let mut all = vec!["summary"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-f", "json"]);
    let json: Value = serde_json::from_str(w.run(&all).ok()).unwrap();
    (
        json["customers"].as_u64().unwrap(),
        json["orders"].as_u64().unwrap(),
        json["revenue"].as_f64().unwrap(),
        json["repeat_purchase_rate"].as_f64().unwrap(),
        json["dropped"].clone(),
    )
}

fn dropped(guest_rows: u64, non_purchase_orders: u64, non_purchase_status: u64) -> Value {
    serde_json::json!({
        "guest_rows": guest_rows,
        "invalid_rows": 0,
        "non_purchase_orders": non_purchase_orders,
        "non_purchase_status": non_purchase_status,
        "occasions_after_as_of": 0,
    })
}

#[test]
fn shopify_cancelled_refunded_and_voided_orders_are_left_out() {
    let w = Workdir::new();
    let file = platform_fixture("shopify.csv");
    // Ann (two cases of one e-mail): #1001 100 (Total on its first line only), #1002
    // 50 − 20 refunded; Bob: #1005 30 (#1003 cancelled though paid, #1004 refunded);
    // Cat: #1007 60, pending (#1008 voided). #1006 is a guest.
    let (customers, orders, revenue, rate, left_out) = figures(&w, &[&file]);
    assert_eq!((customers, orders, revenue), (3, 4, 220.0));
    assert_eq!(rate, 1.0 / 3.0);
    assert_eq!(left_out, dropped(1, 0, 3));
    let inspect = w.run(&["inspect", &file]);
    assert_mentions(
        inspect.ok(),
        &[
            "platform            shopify",
            "header has Name, Financial Status, Created at, Lineitem quantity, Lineitem name",
            "amount = Total − Refunded Amount (first line; 0 on the others)",
            "status = \"Cancelled at set\" where Cancelled at is set",
            "Orders per status (not purchases: voided, refunded, expired, cancelled at set)",
            " paid                      2   yes",
            " Cancelled at set          1   no: left out",
            " partially_refunded        1   yes",
            " pending                   1   yes",
            " refunded                  1   no: left out",
            " voided                    1   no: left out",
            "non_purchase_status         3",
        ],
    );
}

#[test]
fn non_purchase_status_replaces_the_platform_list() {
    let w = Workdir::new();
    let file = platform_fixture("shopify.csv");
    // Only voided is left out: Bob's cancelled #1003 (70) counts, his refunded #1004
    // nets to 0 and is left out by its amount (step 5).
    let (customers, orders, revenue, _, left_out) =
        figures(&w, &[&file, "--non-purchase-status", "voided"]);
    assert_eq!((customers, orders, revenue), (3, 5, 290.0));
    assert_eq!(left_out, dropped(1, 1, 1));
}

#[test]
fn platform_none_reads_a_shopify_export_by_the_general_rules() {
    let w = Workdir::new();
    let file = platform_fixture("shopify.csv");
    // Total where filled, else quantity × price: #1001 is 100 + 2 × 10; no refunds are
    // netted and Cancelled at is not read; refunded and voided are in the default list.
    let (customers, orders, revenue, _, left_out) = figures(&w, &[&file, "--platform", "none"]);
    assert_eq!((customers, orders, revenue), (3, 5, 330.0));
    assert_eq!(left_out, dropped(1, 0, 2));
}

#[test]
fn woocommerce_guests_are_their_billing_email() {
    let w = Workdir::new();
    // Customer 7: 101 (40; 104 cancelled); guests (id 0) under Guest@Example.com and
    // guest@example.com are one customer: 102 25.50 on 17 May, 103 30 on 2 June;
    // customer 9: 105 on-hold 10 (106 failed). 107 has neither id nor e-mail.
    let (customers, orders, revenue, rate, left_out) =
        figures(&w, &[&platform_fixture("woocommerce.csv")]);
    assert_eq!((customers, orders, revenue), (3, 4, 105.5));
    assert_eq!(rate, 1.0 / 3.0);
    assert_eq!(left_out, dropped(1, 0, 2));
    let out = w.run(&["inspect", &platform_fixture("woocommerce.csv")]);
    assert_mentions(
        out.ok(),
        &[
            "customer = customer_id, else billing_email where it is empty or 0",
            "dates               day/month",
            "line 2: 16-05-2024 07:32:06",
        ],
    );
}

#[test]
fn stripe_failed_and_refunded_charges_are_left_out() {
    let w = Workdir::new();
    // fay@example.com under two cus_ ids: 100, and 750 − 195 = 555; gus: 45 (a failed
    // charge and a full refund left out); cus_D without e-mail: 35; ch_6 a guest.
    let (customers, orders, revenue, rate, left_out) =
        figures(&w, &[&platform_fixture("stripe.csv")]);
    assert_eq!((customers, orders, revenue), (3, 4, 735.0));
    assert_eq!(rate, 1.0 / 3.0);
    assert_eq!(left_out, dropped(1, 0, 2));
}

#[test]
fn etsy_items_are_keyed_by_the_username_and_dates_are_month_first() {
    let w = Workdir::new();
    // haljo: O1 6 + 4.50 on 4 March, O2 3 on 6 May (another display name); ivy: 3 on
    // 8 July (no parentheses: the cell); O3 has no buyer. No date shows its order, so
    // Etsy's month first is taken.
    let file = platform_fixture("etsy-items.csv");
    let (customers, orders, revenue, rate, left_out) = figures(&w, &[&file]);
    assert_eq!((customers, orders, revenue, rate), (2, 3, 16.5, 0.5));
    assert_eq!(left_out, dropped(1, 0, 0));
    let json: Value = serde_json::from_str(w.run(&["summary", &file, "-f", "json"]).ok()).unwrap();
    assert_eq!(json["as_of"], "2024-07-08");
    assert_mentions(
        w.run(&["inspect", &file]).ok(),
        &["no value shows it; etsy-items writes month first"],
    );
}

#[test]
fn a_semicolon_file_with_decimal_commas() {
    let w = Workdir::new();
    // A: 1.250 is 1250 (a comma file groups with .), 12,50 €; B: 1.234,56, and −3,00
    // is a refund. Dates 05.01.2024 day first (20.02.2024 shows it).
    let file = platform_fixture("decimal-comma.csv");
    let (customers, orders, revenue, rate, left_out) = figures(&w, &[&file]);
    assert_eq!((customers, orders, revenue, rate), (2, 3, 2497.06, 0.5));
    assert_eq!(left_out, dropped(0, 1, 0));
    assert_mentions(
        w.run(&["inspect", &file]).ok(),
        &[", in amount", "line 3: 12,50 €", "day/month"],
    );
    // --decimal . reads it the other way and stops where a value disagrees.
    assert_mentions(
        w.run(&["summary", &file, "--decimal", "."]).bad_input(),
        &[
            "line 3",
            "value \"12,50 €\"",
            "written with a decimal comma, but --decimal . was given",
        ],
    );
}

#[test]
fn a_column_with_both_separators_asks_for_decimal() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "customer_id,order_date,amount\nA,2024-01-01,\"12,50\"\nB,2024-01-02,3.25\n",
    );
    assert_mentions(
        w.run(&["summary", "o.csv"]).bad_input(),
        &[
            "o.csv, line 2, column \"amount\", value \"12,50\"",
            "line 3 (\"3.25\") has a decimal point",
            "--decimal . or --decimal ,",
        ],
    );
    // --decimal , settles it: 3.25 is then no number, and is skipped and counted.
    let out = w
        .run(&[
            "summary",
            "o.csv",
            "--decimal",
            ",",
            "--skip-invalid",
            "-f",
            "json",
        ])
        .ok()
        .to_string();
    assert_mentions(&out, &["\"revenue\": 12.5", "\"invalid_rows\": 1"]);
}

#[test]
fn refused_exports_say_why_and_how_to_read_them_anyway() {
    let w = Workdir::new();
    w.write(
        "seller.csv",
        "amazon-order-id,purchase-date,order-status,asin,item-price,buyer-ref\n\
         111-1,2024-01-02T10:00:00+00:00,Shipped,B001,9.99,r1\n",
    );
    assert_mentions(
        w.run(&["summary", "seller.csv"]).bad_input(),
        &[
            "recognised as a amazon-seller export",
            "amazon-order-id, purchase-date, order-status, asin",
            "no customer-identifying information",
            "--map customer=COLUMN",
        ],
    );
    let out = w
        .run(&[
            "summary",
            "seller.csv",
            "--map",
            "customer=buyer-ref",
            "--map",
            "amount=item-price",
            "-f",
            "json",
        ])
        .ok()
        .to_string();
    assert_mentions(&out, &["\"customers\": 1", "\"revenue\": 9.99"]);
    w.write(
        "no-email.csv",
        "Name,Financial Status,Total,Created at,Lineitem quantity,Lineitem name\n\
         #1,paid,5.00,2024-01-01 10:00:00 -0500,1,Cap\n",
    );
    assert_mentions(
        w.run(&["summary", "no-email.csv"]).bad_input(),
        &[
            "a shopify export",
            "no Email column",
            "--map customer=COLUMN",
        ],
    );
}

#[test]
fn files_read_together_share_a_platform() {
    let w = Workdir::new();
    let err = w
        .run(&[
            "summary",
            &platform_fixture("stripe.csv"),
            &platform_fixture("woocommerce.csv"),
        ])
        .bad_input()
        .to_string();
    assert_mentions(
        &err,
        &[
            "woocommerce.csv",
            "a woocommerce export",
            "a stripe export",
            "one platform",
        ],
    );
    assert_mentions(
        w.run(&["summary", "x.csv", "--platform", "magento"])
            .bad_input(),
        &[
            "unknown platform \"magento\"",
            "shopify, woocommerce, stripe",
        ],
    );
}

#[test]
fn a_parquet_status_column_leaves_orders_out_like_a_csv_one() {
    // B writes its e-mail in two cases: one customer in both formats.
    use polars::prelude::*;
    let w = Workdir::new();
    let csv = "customer_id,order_id,order_date,amount,order_status\n\
               A,1,2024-01-01,10,complete\nA,2,2024-01-05,20,Cancelled\n\
               B@Shop.com,3,2024-01-03,5,\nb@shop.com,4,2024-01-04,7,wc-refunded\n";
    w.write("o.csv", csv);
    let mut frame = DataFrame::new(
        4,
        vec![
            Column::new("customer_id".into(), ["A", "A", "B@Shop.com", "b@shop.com"]),
            Column::new("order_id".into(), [1i64, 2, 3, 4]),
            Column::new(
                "order_date".into(),
                ["2024-01-01", "2024-01-05", "2024-01-03", "2024-01-04"],
            ),
            Column::new("amount".into(), [10.0f64, 20.0, 5.0, 7.0]),
            Column::new(
                "order_status".into(),
                [
                    Some("complete"),
                    Some("Cancelled"),
                    None,
                    Some("wc-refunded"),
                ],
            ),
        ],
    )
    .unwrap();
    let file = std::fs::File::create(w.path("o.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut frame).unwrap();
    for input in ["o.csv", "o.parquet"] {
        let (customers, orders, revenue, _, left_out) = figures(&w, &[input]);
        assert_eq!((customers, orders, revenue), (2, 2, 15.0), "{input}");
        assert_eq!(left_out, dropped(0, 0, 2), "{input}");
    }
}

#[test]
fn an_id_of_hash_signs_is_an_invalid_row() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "customer_id,trans_date,tran_amount\nCS1,11-Feb-13,35\n#######,12-Feb-13,20\n",
    );
    assert_mentions(
        w.run(&["summary", "o.csv"]).bad_input(),
        &[
            "o.csv, line 3, column \"customer_id\", value \"#######\"",
            "only # signs",
            "--skip-invalid",
        ],
    );
    let out = w
        .run(&["summary", "o.csv", "--skip-invalid", "-f", "json"])
        .ok()
        .to_string();
    assert_mentions(&out, &["\"revenue\": 35", "\"invalid_rows\": 1"]);
}
