//! `rebuy inspect`: one screen that explains a file.

use crate::common::{fixture, Workdir};

#[test]
fn table_on_the_fixture() {
    let w = Workdir::new();
    std::fs::copy(fixture("orders.csv"), w.path("orders.csv")).unwrap();
    insta::assert_snapshot!(w.run(&["inspect", "orders.csv"]).ok());
}

#[test]
fn json_names_roles_and_the_columns_passed_over() {
    let w = Workdir::new();
    w.write(
        "o.csv",
        "email,customer_id,created_at,order_date,total,amount\nx@y,A,2024-01-01,2024-01-02,1,2\n",
    );
    insta::assert_snapshot!(w.run(&["inspect", "o.csv", "--format", "json"]).ok());
}
