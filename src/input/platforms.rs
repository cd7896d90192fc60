//! The platforms whose exports rebuy recognises by their header (platforms §2–3): one
//! entry per platform, with the columns of its roles, how its customer, amount and
//! status are read, and what a user clicks to export. Adding a platform is one entry
//! here and a fixture.

use serde::Serialize;

use super::columns::{normalise, Role};

/// A column of a platform's export, by its normalised name; `|` separates names the
/// platform has used for it (`createddate|created`).
type Column = &'static str;

/// How a platform's customer is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerRule {
    /// The customer role's column, as in §1.
    Column,
    /// The customer role's column; where it is empty (or `0`, when `zero_is_guest`),
    /// this other column.
    Else { column: Column, zero_is_guest: bool },
    /// The username in the cell's trailing parentheses (`Name (username)`), else the
    /// whole cell.
    Username,
}

/// How a platform's line amount is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountRule {
    /// The amount role's column (else quantity × unit price), as in §1.
    Column,
    /// amount ± this column (empty counts 0); where the amount is empty, 0 when
    /// `empty_is_zero` (order fields on an order's first line only), else §1's fallback.
    Adjusted {
        column: Column,
        sign: i8,
        empty_is_zero: bool,
    },
}

/// How a platform's statuses say an order was not bought.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusList {
    /// The default list (`DEFAULT_NON_PURCHASE`).
    Default,
    /// These statuses are not purchases.
    NotPurchases(&'static [&'static str]),
    /// Only these statuses are purchases.
    OnlyPurchases(&'static [&'static str]),
    /// The platform has no status.
    None,
}

/// A column whose value marks an order as not bought, whatever its status says: the
/// order then has the status `value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusFlag {
    pub column: Column,
    /// Set when the cell is not empty; else when it reads `false`.
    pub when_filled: bool,
    pub value: &'static str,
}

#[derive(Clone, Copy, Debug)]
pub struct Platform {
    pub name: &'static str,
    /// Every entry must be in the header (`a|b`: either).
    pub signature: &'static [Column],
    /// The column of each role the platform sets; roles it leaves out are found by §1
    /// names only when `general` is true.
    pub roles: &'static [(Role, Column)],
    pub customer: CustomerRule,
    pub amount: AmountRule,
    pub statuses: StatusList,
    pub flag: Option<StatusFlag>,
    /// The §1 rules, with the platform only named (`roles` is empty).
    pub general: bool,
    /// Day/month order where the file shows none (Etsy writes month first).
    pub month_first: bool,
    /// Refused: why, and what to do instead (platforms §3).
    pub refused: Option<&'static str>,
    /// The customer role's column must be in the header, else the file is refused
    /// with this reason.
    pub needs_customer: Option<&'static str>,
    /// What to click to export, and what rebuy does with the file (README).
    pub export: &'static str,
    pub reads: &'static str,
}

/// The statuses that are not purchases unless a platform or `--non-purchase-status`
/// says otherwise (platforms §1 rule 4).
pub const DEFAULT_NON_PURCHASE: &[&str] = &[
    "cancelled",
    "canceled",
    "refunded",
    "returned",
    "failed",
    "declined",
    "rejected",
    "voided",
    "void",
    "expired",
    "abandoned",
    "unavailable",
    "draft",
    "checkout-draft",
    "auto-draft",
    "trash",
    "deleted",
];

const BASE: Platform = Platform {
    name: "",
    signature: &[],
    roles: &[],
    customer: CustomerRule::Column,
    amount: AmountRule::Column,
    statuses: StatusList::Default,
    flag: None,
    general: false,
    month_first: false,
    refused: None,
    needs_customer: None,
    export: "",
    reads: "",
};

/// The platforms, tried in this order; the first whose signature the header holds wins.
pub const PLATFORMS: &[Platform] = &[
    Platform {
        name: "shopify",
        signature: &["name", "financialstatus", "createdat", "lineitemquantity", "lineitemname"],
        roles: &[
            (Role::Customer, "email"),
            (Role::Order, "name"),
            (Role::Date, "createdat"),
            (Role::Amount, "total"),
            (Role::Quantity, "lineitemquantity"),
            (Role::UnitPrice, "lineitemprice"),
            (Role::Product, "lineitemsku"),
            (Role::ProductName, "lineitemname"),
            (Role::Status, "financialstatus"),
        ],
        amount: AmountRule::Adjusted {
            column: "refundedamount",
            sign: -1,
            empty_is_zero: true,
        },
        statuses: StatusList::NotPurchases(&["voided", "refunded", "expired", "cancelled at set"]),
        flag: Some(StatusFlag {
            column: "cancelledat",
            when_filled: true,
            value: "Cancelled at set",
        }),
        needs_customer: Some("this Shopify export has no Email column, so orders cannot be told apart by customer"),
        export: "Admin › Orders › Export › All orders, CSV for Excel",
        reads: "customer Email; amount Total − Refunded Amount on an order's first line; cancelled, voided, refunded and expired orders left out",
        ..BASE
    },
    Platform {
        name: "woocommerce",
        signature: &["orderid", "status", "ordertotal", "billingemail", "customerid|customeruser", "orderdate|date"],
        roles: &[
            (Role::Customer, "customerid|customeruser"),
            (Role::Order, "orderid"),
            (Role::Date, "orderdate|date"),
            (Role::Amount, "ordertotal"),
            (Role::Status, "status"),
        ],
        customer: CustomerRule::Else {
            column: "billingemail",
            zero_is_guest: true,
        },
        statuses: StatusList::NotPurchases(&[
            "pending",
            "failed",
            "cancelled",
            "refunded",
            "checkout-draft",
            "draft",
            "auto-draft",
            "trash",
        ]),
        export: "WooCommerce › Orders › Export (an order export plugin), CSV",
        reads: "customer id, guests (id 0) by billing e-mail; amount order_total; pending, failed, cancelled, refunded and draft orders left out, on-hold kept",
        ..BASE
    },
    Platform {
        name: "stripe",
        signature: &["id", "amount", "amountrefunded", "status", "customerid", "createddate|created"],
        roles: &[
            (Role::Customer, "customeremail"),
            (Role::Order, "id"),
            (Role::Date, "createddate|created"),
            (Role::Amount, "amount"),
            (Role::Status, "status"),
        ],
        customer: CustomerRule::Else {
            column: "customerid",
            zero_is_guest: false,
        },
        amount: AmountRule::Adjusted {
            column: "amountrefunded",
            sign: -1,
            empty_is_zero: false,
        },
        statuses: StatusList::OnlyPurchases(&["paid", "succeeded", "partially refunded"]),
        flag: Some(StatusFlag {
            column: "captured",
            when_filled: false,
            value: "not captured",
        }),
        export: "Dashboard › Payments › Export, all columns",
        reads: "customer Customer Email, else Customer ID; amount Amount − Amount Refunded; only Paid, succeeded and partially refunded captured charges kept",
        ..BASE
    },
    Platform {
        name: "etsy-orders",
        signature: &["saledate", "orderid", "buyeruserid", "ordertotal", "numberofitems"],
        roles: &[
            (Role::Customer, "buyeruserid"),
            (Role::Order, "orderid"),
            (Role::Date, "saledate"),
            (Role::Amount, "ordertotal"),
            (Role::Status, "status"),
        ],
        month_first: true,
        export: "Shop Manager › Settings › Options › Download Data › Orders",
        reads: "customer Buyer User ID (orders without one are guests); amount Order Total; dates month first",
        ..BASE
    },
    Platform {
        name: "etsy-items",
        signature: &["saledate", "orderid", "transactionid", "listingid", "itemtotal", "buyer"],
        roles: &[
            (Role::Customer, "buyer"),
            (Role::Order, "orderid"),
            (Role::Date, "saledate"),
            (Role::Amount, "itemtotal"),
            (Role::Quantity, "quantity"),
            (Role::UnitPrice, "price"),
            (Role::Product, "listingid"),
            (Role::ProductName, "itemname"),
        ],
        customer: CustomerRule::Username,
        statuses: StatusList::None,
        month_first: true,
        export: "Shop Manager › Settings › Options › Download Data › Order Items",
        reads: "customer the username in Buyer's parentheses; amount Item Total; product Listing ID; dates month first",
        ..BASE
    },
    Platform {
        name: "olist",
        signature: &["orderid", "customerid", "orderstatus", "orderpurchasetimestamp"],
        roles: &[
            (Role::Customer, "customeruniqueid"),
            (Role::Order, "orderid"),
            (Role::Date, "orderpurchasetimestamp"),
            (Role::Amount, "price"),
            (Role::Product, "productid"),
            (Role::Category, "productcategoryname"),
            (Role::Status, "orderstatus"),
        ],
        amount: AmountRule::Adjusted {
            column: "freightvalue",
            sign: 1,
            empty_is_zero: false,
        },
        statuses: StatusList::NotPurchases(&["canceled", "unavailable", "created"]),
        needs_customer: Some("customer_id is one id per order in Olist; the person is customer_unique_id, in olist_customers_dataset.csv (join it on customer_id)"),
        export: "the Olist data set: orders joined to items and customers",
        reads: "customer customer_unique_id; amount price + freight_value; canceled, unavailable and created orders left out",
        ..BASE
    },
    Platform {
        name: "uci-online-retail",
        signature: &["invoiceno|invoice", "stockcode", "invoicedate", "unitprice|price", "customerid"],
        general: true,
        export: "the UCI Online Retail data sets (I and II), as CSV",
        reads: "general rules; C… invoices are negative, so they are refunds left out by their amount",
        ..BASE
    },
    Platform {
        name: "superstore",
        signature: &["rowid", "orderid", "orderdate", "shipdate", "customerid", "productid", "sales"],
        general: true,
        export: "Tableau's Sample - Superstore, as CSV",
        reads: "general rules: Customer ID, Order ID, Order Date, Sales, Product ID",
        ..BASE
    },
    Platform {
        name: "amazon-buyer",
        signature: &["website", "orderid", "orderdate", "asin", "totalowed"],
        refused: Some("this is one buyer's own Amazon order history, not a shop's orders: every row is the same customer"),
        export: "Amazon › Account › Request your data (one buyer's history)",
        reads: "refused: one buyer's own history",
        ..BASE
    },
    Platform {
        name: "amazon-seller",
        signature: &["amazonorderid", "purchasedate", "orderstatus", "asin"],
        refused: Some("Seller Central order reports carry no customer-identifying information, so repeat purchases cannot be seen"),
        export: "Seller Central › Reports › Order reports",
        reads: "refused: no customer-identifying column",
        ..BASE
    },
];

impl Platform {
    pub fn named(name: &str) -> Option<&'static Platform> {
        PLATFORMS.iter().find(|p| p.name == name)
    }

    /// The first platform whose signature the header holds.
    pub fn recognise(header: &[String]) -> Option<&'static Platform> {
        let names: Vec<String> = header.iter().map(|h| normalise(h)).collect();
        PLATFORMS
            .iter()
            .find(|p| p.signature.iter().all(|c| find(&names, c).is_some()))
    }

    /// The signature as the user knows it: the header's own names.
    pub fn matched_signature(&self, header: &[String]) -> Vec<String> {
        let names: Vec<String> = header.iter().map(|h| normalise(h)).collect();
        self.signature
            .iter()
            .filter_map(|c| find(&names, c).map(|i| header[i].clone()))
            .collect()
    }

    /// Each of the platform's roles with its column as written in the header, for the
    /// roles whose column is there.
    pub fn roles_in(&self, header: &[String]) -> Vec<(Role, String)> {
        let names: Vec<String> = header.iter().map(|h| normalise(h)).collect();
        self.roles
            .iter()
            .filter_map(|(role, c)| find(&names, c).map(|i| (*role, header[i].clone())))
            .collect()
    }

    /// The column of one of the platform's columns, as written in the header.
    pub fn column_in(header: &[String], column: Column) -> Option<usize> {
        let names: Vec<String> = header.iter().map(|h| normalise(h)).collect();
        find(&names, column)
    }
}

fn find(names: &[String], column: Column) -> Option<usize> {
    column
        .split('|')
        .find_map(|c| names.iter().position(|n| n == c))
}

/// The README's table of the exports rebuy reads, one line per platform (a test keeps
/// the README in step with this table).
pub fn readme_table() -> String {
    let mut table =
        String::from("| platform | export it from | what rebuy does with it |\n|---|---|---|\n");
    for p in PLATFORMS {
        table.push_str(&format!("| `{}` | {} | {} |\n", p.name, p.export, p.reads));
    }
    table
}

/// `--platform`: recognise, force one, or use the general rules only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlatformChoice {
    #[default]
    Recognise,
    Forced(&'static Platform),
    None,
}

impl PartialEq for Platform {
    fn eq(&self, other: &Platform) -> bool {
        self.name == other.name
    }
}

impl Eq for Platform {}

impl PlatformChoice {
    pub fn parse(text: &str) -> Result<PlatformChoice, String> {
        if text.eq_ignore_ascii_case("none") {
            return Ok(PlatformChoice::None);
        }
        if text.eq_ignore_ascii_case("auto") {
            return Ok(PlatformChoice::Recognise);
        }
        Platform::named(&text.to_ascii_lowercase())
            .map(PlatformChoice::Forced)
            .ok_or_else(|| {
                format!(
                    "unknown platform {text:?}: use none, auto, or one of {}",
                    PLATFORMS
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

/// A status as compared: lower case, without spaces, `_`, `-` and a leading `wc-`.
pub fn status_key(status: &str) -> String {
    let lower = status.trim().to_lowercase();
    let lower = lower.strip_prefix("wc-").unwrap_or(&lower);
    lower
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-') && !c.is_whitespace())
        .collect()
}

/// Which statuses are not purchases, for one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusRule {
    /// `not_purchases` lists the statuses that are not purchases; else `purchases`
    /// lists the only ones that are.
    pub listed_are_purchases: bool,
    pub list: Vec<String>,
}

impl StatusRule {
    /// The rule of a platform (or the general rules), unless `--non-purchase-status`
    /// replaces its list.
    pub fn of(platform: Option<&Platform>, replaced: Option<&[String]>) -> StatusRule {
        if let Some(list) = replaced {
            return StatusRule {
                listed_are_purchases: false,
                list: list.to_vec(),
            };
        }
        let owned = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        match platform.map_or(StatusList::Default, |p| p.statuses) {
            StatusList::Default => StatusRule {
                listed_are_purchases: false,
                list: owned(DEFAULT_NON_PURCHASE),
            },
            StatusList::NotPurchases(list) => StatusRule {
                listed_are_purchases: false,
                list: owned(list),
            },
            StatusList::OnlyPurchases(list) => StatusRule {
                listed_are_purchases: true,
                list: owned(list),
            },
            StatusList::None => StatusRule {
                listed_are_purchases: false,
                list: Vec::new(),
            },
        }
    }

    /// Whether an order of this status was bought; an empty status is.
    pub fn is_purchase(&self, status: &str) -> bool {
        let key = status_key(status);
        if key.is_empty() {
            return true;
        }
        let listed = self.list.iter().any(|s| status_key(s) == key);
        listed == self.listed_are_purchases
    }

    pub fn describe(&self) -> String {
        if self.listed_are_purchases {
            format!("purchases only when {}", self.list.join(", "))
        } else if self.list.is_empty() {
            "every status is a purchase".to_string()
        } else {
            format!("not purchases: {}", self.list.join(", "))
        }
    }
}

/// Etsy's `Name (username)`: the username, else the whole cell.
pub fn username(cell: &[u8]) -> &[u8] {
    let trimmed = cell.trim_ascii_end();
    if let Some(inner) = trimmed.strip_suffix(b")") {
        if let Some(open) = inner.iter().rposition(|&b| b == b'(') {
            let name = inner[open + 1..].trim_ascii();
            if !name.is_empty() {
                return name;
            }
        }
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &str) -> Vec<String> {
        names.split(',').map(str::to_string).collect()
    }

    #[test]
    fn recognises_each_platform_by_its_whole_signature() {
        let shopify = header("Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem name,Refunded Amount");
        assert_eq!(
            Platform::recognise(&shopify).map(|p| p.name),
            Some("shopify")
        );
        let stripe = header(
            "id,Created date (UTC),Amount,Amount Refunded,Status,Customer ID,Customer Email",
        );
        assert_eq!(Platform::recognise(&stripe).map(|p| p.name), Some("stripe"));
        let legacy = header("id,Created (UTC),Amount,Amount Refunded,Status,Customer ID");
        assert_eq!(Platform::recognise(&legacy).map(|p| p.name), Some("stripe"));
        // Without one signature column, none.
        let partial = header("Name,Email,Financial Status,Created at,Lineitem quantity");
        assert_eq!(Platform::recognise(&partial).map(|p| p.name), None);
        let retail =
            header("Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country");
        assert_eq!(
            Platform::recognise(&retail).map(|p| p.name),
            Some("uci-online-retail")
        );
    }

    #[test]
    fn every_platform_has_a_unique_name_and_its_readme_line() {
        let mut names: Vec<&str> = PLATFORMS.iter().map(|p| p.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), PLATFORMS.len());
        for p in PLATFORMS {
            assert!(!p.export.is_empty() && !p.reads.is_empty(), "{}", p.name);
            assert!(
                p.general || p.refused.is_some() || !p.roles.is_empty(),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn the_readme_lists_every_platform_as_the_table_says() {
        let readme = include_str!("../../README.md");
        let table = readme_table();
        assert!(
            readme.contains(&table),
            "README.md's \"Exports rebuy reads\" table must read:\n\n{table}"
        );
    }

    #[test]
    fn statuses_compare_without_case_spaces_and_wc_prefix() {
        let general = StatusRule::of(None, None);
        assert!(!general.is_purchase("Cancelled"));
        assert!(!general.is_purchase("wc-checkout-draft"));
        assert!(!general.is_purchase("Checkout Draft"));
        assert!(general.is_purchase("completed"));
        assert!(general.is_purchase(""));
        assert!(general.is_purchase("on-hold"));
        let stripe = StatusRule::of(Platform::named("stripe"), None);
        assert!(stripe.is_purchase("Paid"));
        assert!(stripe.is_purchase("Partially Refunded"));
        assert!(!stripe.is_purchase("Refunded"));
        assert!(!stripe.is_purchase("Failed"));
        assert!(!stripe.is_purchase("not captured"));
        let replaced = StatusRule::of(Platform::named("stripe"), Some(&["lost".to_string()]));
        assert!(replaced.is_purchase("Failed"));
        assert!(!replaced.is_purchase("LOST"));
    }

    #[test]
    fn etsy_usernames() {
        assert_eq!(username(b"Jane Doe (janed12)"), b"janed12");
        assert_eq!(username(b"janed12"), b"janed12");
        assert_eq!(username(b"Odd (name) (x)"), b"x");
        assert_eq!(username(b"Empty ()"), b"Empty ()");
    }

    #[test]
    fn platform_choices() {
        assert_eq!(PlatformChoice::parse("none"), Ok(PlatformChoice::None));
        assert_eq!(
            PlatformChoice::parse("Shopify")
                .map(|c| matches!(c, PlatformChoice::Forced(p) if p.name == "shopify")),
            Ok(true)
        );
        assert!(PlatformChoice::parse("magento")
            .unwrap_err()
            .contains("shopify"));
    }
}
