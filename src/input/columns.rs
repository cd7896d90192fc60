//! Which column plays which role (contract §1): found by name, case-insensitively,
//! ignoring spaces, `_` and `-`; `--map ROLE=COLUMN` overrides.

use std::fmt;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Date,
    Order,
    Amount,
    Quantity,
    UnitPrice,
    Product,
    Category,
    ProductName,
    /// An order's status: orders whose status says they were not bought are left out
    /// (platforms §1 rule 4).
    Status,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Customer,
        Role::Date,
        Role::Order,
        Role::Amount,
        Role::Quantity,
        Role::UnitPrice,
        Role::Product,
        Role::Category,
        Role::ProductName,
        Role::Status,
    ];

    /// The role's name on the command line and the column name inside rebuy.
    pub fn name(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Date => "date",
            Role::Order => "order",
            Role::Amount => "amount",
            Role::Quantity => "quantity",
            Role::UnitPrice => "unit_price",
            Role::Product => "product",
            Role::Category => "category",
            Role::ProductName => "product_name",
            Role::Status => "status",
        }
    }

    /// Read only where products are asked for (cycles, due, report): product,
    /// category and product name.
    pub fn describes_products(self) -> bool {
        matches!(self, Role::Product | Role::Category | Role::ProductName)
    }

    pub fn required(self) -> bool {
        matches!(self, Role::Customer | Role::Date)
    }

    /// Column names that take this role, in order of preference (already normalised):
    /// the contract's names, then the names platform exports use (platforms §1 rule 2).
    pub fn candidates(self) -> &'static [&'static str] {
        match self {
            Role::Customer => &[
                "customeruniqueid",
                "customerid",
                "customer",
                "clientid",
                "userid",
                "email",
                "customeremail",
                "buyeruserid",
                "buyerid",
                "membernumber",
                "memberid",
                "customernumber",
                "customerno",
                "client",
                "billingemail",
                "buyeremail",
            ],
            Role::Date => &[
                "orderdate",
                "date",
                "createdat",
                "invoicedate",
                "timestamp",
                "purchasedat",
                "saledate",
                "transdate",
                "transactiondate",
                "purchasedate",
                "orderpurchasetimestamp",
                "datecreated",
                "createddate",
                "created",
            ],
            Role::Order => &[
                "orderid",
                "order",
                "invoice",
                "invoiceno",
                "ordernumber",
                "name",
                "orderno",
                "invoicenumber",
                "receiptid",
            ],
            Role::Amount => &[
                "linetotal",
                "amount",
                "total",
                "revenue",
                "sales",
                "subtotal",
                "itemtotal",
                "ordertotal",
                "totalamount",
                "grandtotal",
                "tranamount",
                "transactionamount",
            ],
            Role::Quantity => &["quantity", "qty", "lineitemquantity", "units"],
            Role::UnitPrice => &["unitprice", "price", "lineitemprice", "itemprice"],
            Role::Product => &[
                "sku",
                "productid",
                "stockcode",
                "product",
                "itemid",
                "lineitemsku",
                "listingid",
                "asin",
                "variantsku",
            ],
            Role::Category => &[
                "category",
                "producttype",
                "productcategory",
                "productcategoryname",
            ],
            Role::ProductName => &[
                "productname",
                "description",
                "title",
                "itemname",
                "productdescription",
                "lineitemname",
                "itemdescription",
            ],
            Role::Status => &["status", "orderstatus", "financialstatus", "paymentstatus"],
        }
    }

    pub fn from_name(text: &str) -> Option<Role> {
        let wanted = normalise(text);
        Role::ALL
            .into_iter()
            .find(|role| normalise(role.name()) == wanted)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Lower case, without spaces, `_` and `-`, and without a trailing parenthesised part:
/// `Customer ID` and `customer_id` match, and so do `Created date (UTC)` and
/// `created_date`, `Sales($)` and `sales`.
pub fn normalise(name: &str) -> String {
    let trimmed = name.trim_end();
    let name = match (trimmed.strip_suffix(')'), trimmed.rfind('(')) {
        (Some(_), Some(open)) if !trimmed[..open].trim().is_empty() => &trimmed[..open],
        _ => name,
    };
    name.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-') && !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The roles found in one file's header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnRoles {
    /// (role, column as written in the file), in role order.
    pub assigned: Vec<(Role, String)>,
    /// Columns that could have taken a role but lost to a preferred one.
    pub passed_over: Vec<(Role, String)>,
}

impl Serialize for ColumnRoles {
    /// `{"assigned": {"customer": "CustomerID", …}, "passed_over": {"customer": ["email"]}}`
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        use std::collections::BTreeMap;
        let assigned: BTreeMap<Role, &str> = self
            .assigned
            .iter()
            .map(|(r, c)| (*r, c.as_str()))
            .collect();
        let mut passed_over: BTreeMap<Role, Vec<&str>> = BTreeMap::new();
        for (role, column) in &self.passed_over {
            passed_over.entry(*role).or_default().push(column);
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("assigned", &assigned)?;
        map.serialize_entry("passed_over", &passed_over)?;
        map.end()
    }
}

impl ColumnRoles {
    pub fn column(&self, role: Role) -> Option<&str> {
        self.assigned
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, c)| c.as_str())
    }

    pub fn has(&self, role: Role) -> bool {
        self.column(role).is_some()
    }
}

/// A role that could not be given a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleError {
    Missing { role: Role },
    MappedColumnAbsent { role: Role, column: String },
}

/// The column a flag names: as written, else by normalised name.
pub fn find(header: &[String], wanted: &str) -> Option<usize> {
    header.iter().position(|h| h == wanted).or_else(|| {
        header
            .iter()
            .position(|h| normalise(h) == normalise(wanted))
    })
}

/// The column `--map ROLE=COLUMN` names: as written, else by normalised name.
fn mapped_position(header: &[String], role: Role, wanted: &str) -> Result<usize, RoleError> {
    find(header, wanted).ok_or_else(|| RoleError::MappedColumnAbsent {
        role,
        column: wanted.to_string(),
    })
}

/// The roles a platform gives (column names as written in `header`), with `--map`
/// overriding any of them; customer and date are required as ever.
pub fn fixed(
    header: &[String],
    given: Vec<(Role, String)>,
    overrides: &[(Role, String)],
) -> Result<ColumnRoles, RoleError> {
    let mut roles = ColumnRoles::default();
    for (role, wanted) in overrides {
        let position = mapped_position(header, *role, wanted)?;
        roles.assigned.push((*role, header[position].clone()));
    }
    for (role, column) in given {
        let taken = roles
            .assigned
            .iter()
            .any(|(r, c)| *r == role || *c == column);
        if !taken {
            roles.assigned.push((role, column));
        }
    }
    roles.assigned.sort_by_key(|(role, _)| *role);
    for role in Role::ALL.into_iter().filter(|r| r.required()) {
        if !roles.has(role) {
            return Err(RoleError::Missing { role });
        }
    }
    Ok(roles)
}

/// Assigns roles to the columns of a header. `overrides` come from `--map`.
pub fn detect(header: &[String], overrides: &[(Role, String)]) -> Result<ColumnRoles, RoleError> {
    let mut roles = ColumnRoles::default();
    let mut taken = vec![false; header.len()];

    for (role, wanted) in overrides {
        let position = mapped_position(header, *role, wanted)?;
        taken[position] = true;
        roles.assigned.push((*role, header[position].clone()));
    }

    let normalised: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    for role in Role::ALL {
        if overrides.iter().any(|(r, _)| *r == role) {
            continue;
        }
        let mut matches = role.candidates().iter().flat_map(|candidate| {
            normalised
                .iter()
                .enumerate()
                .filter(move |(_, n)| n.as_str() == *candidate)
                .map(|(i, _)| i)
        });
        let Some(chosen) = matches.by_ref().find(|&i| !taken[i]) else {
            continue;
        };
        taken[chosen] = true;
        roles.assigned.push((role, header[chosen].clone()));
        for other in matches.filter(|&i| !taken[i]) {
            roles.passed_over.push((role, header[other].clone()));
        }
    }
    roles.assigned.sort_by_key(|(role, _)| *role);

    for role in Role::ALL.into_iter().filter(|r| r.required()) {
        if !roles.has(role) {
            return Err(RoleError::Missing { role });
        }
    }
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_roles_in_a_retail_export() {
        let h = header(&[
            "InvoiceNo",
            "StockCode",
            "Description",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
            "Country",
        ]);
        let roles = detect(&h, &[]).unwrap();
        assert_eq!(roles.column(Role::Customer), Some("CustomerID"));
        assert_eq!(roles.column(Role::Date), Some("InvoiceDate"));
        assert_eq!(roles.column(Role::Order), Some("InvoiceNo"));
        assert_eq!(roles.column(Role::Quantity), Some("Quantity"));
        assert_eq!(roles.column(Role::UnitPrice), Some("UnitPrice"));
        assert_eq!(roles.column(Role::Product), Some("StockCode"));
        assert_eq!(roles.column(Role::Amount), None);
        assert!(roles.passed_over.is_empty());
    }

    #[test]
    fn names_match_ignoring_case_spaces_and_separators() {
        let h = header(&["Customer ID", "ORDER-DATE", "line_total"]);
        let roles = detect(&h, &[]).unwrap();
        assert_eq!(roles.column(Role::Customer), Some("Customer ID"));
        assert_eq!(roles.column(Role::Date), Some("ORDER-DATE"));
        assert_eq!(roles.column(Role::Amount), Some("line_total"));
    }

    #[test]
    fn prefers_earlier_candidates_and_reports_the_rest() {
        let h = header(&[
            "email",
            "customer_id",
            "created_at",
            "order_date",
            "total",
            "amount",
        ]);
        let roles = detect(&h, &[]).unwrap();
        assert_eq!(roles.column(Role::Customer), Some("customer_id"));
        assert_eq!(roles.column(Role::Date), Some("order_date"));
        assert_eq!(roles.column(Role::Amount), Some("amount"));
        assert_eq!(
            roles.passed_over,
            vec![
                (Role::Customer, "email".to_string()),
                (Role::Date, "created_at".to_string()),
                (Role::Amount, "total".to_string()),
            ]
        );
    }

    #[test]
    fn map_overrides_detection() {
        let h = header(&["customer_id", "buyer", "date"]);
        let roles = detect(&h, &[(Role::Customer, "Buyer".to_string())]).unwrap();
        assert_eq!(roles.column(Role::Customer), Some("buyer"));
        let err = detect(&h, &[(Role::Amount, "price_eur".to_string())]).unwrap_err();
        assert_eq!(
            err,
            RoleError::MappedColumnAbsent {
                role: Role::Amount,
                column: "price_eur".to_string()
            }
        );
    }

    #[test]
    fn a_column_takes_one_role_only() {
        // "order" is both an order-id name; a mapped column is not reused by detection.
        let h = header(&["customer", "date", "order"]);
        let roles = detect(&h, &[(Role::Product, "order".to_string())]).unwrap();
        assert_eq!(roles.column(Role::Product), Some("order"));
        assert_eq!(roles.column(Role::Order), None);
    }

    #[test]
    fn missing_required_roles_are_errors() {
        let h = header(&["shopper", "when", "amount"]);
        assert_eq!(
            detect(&h, &[]),
            Err(RoleError::Missing {
                role: Role::Customer
            })
        );
        let h = header(&["user_id", "when"]);
        assert_eq!(
            detect(&h, &[]),
            Err(RoleError::Missing { role: Role::Date })
        );
    }

    #[test]
    fn role_names_parse_loosely() {
        assert_eq!(Role::from_name("unit-price"), Some(Role::UnitPrice));
        assert_eq!(Role::from_name("Customer"), Some(Role::Customer));
        assert_eq!(Role::from_name("colour"), None);
    }
}
