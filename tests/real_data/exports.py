#!/usr/bin/env python3
"""The real platform exports in ../shared/data/real-exports, read without flags.

For every file, the figures rebuy's summary must show are worked out here from the
file itself, with Python's csv module and the rules of PLATFORMS.md written out plainly
per platform: no code or output of rebuy is used. Then `rebuy summary FILE -f json` is
run and its customers, purchase orders, revenue, repeat purchase rate and
dropped.non_purchase_status are compared. Files the contract refuses must exit 2 with
the message it asks for.

Usage, from the repository root: python3 tests/real_data/exports.py path/to/rebuy
Prints the table of figures (platform, customers, orders, repeat rate, orders left out
by status) and exits non-zero on any difference.
"""

import csv
import json
import re
import subprocess
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

DATA = Path("../shared/data/real-exports")
MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}


def rows(name, delimiter=","):
    with open(DATA / name, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def dmy(text):
    """Day first: 21-07-2015, 11/2/2013, 16-05-2018 07:32:06, 08/11/2020."""
    d, m, y = re.split(r"[-/.]", text.split(" ")[0])
    return date(int(y), int(m), int(d))


def mdy_short(text):
    """Etsy's 12/31/20 (month first, 2-digit year: 2000s here)."""
    m, d, y = text.split("/")
    return date(2000 + int(y), int(m), int(d))


def mdy(text):
    m, d, y = text.split(" ")[0].split("/")
    return date(int(y), int(m), int(d))


def iso(text):
    return date.fromisoformat(text[:10])


def customer_key(text):
    text = text.strip()
    return text.lower() if "@" in text else text


def add_line(orders, key, day, amount):
    """One line into its order: the earliest day, the sum of the amounts."""
    if key in orders:
        d, a, _ = orders[key]
        orders[key] = (min(d, day), a + amount, True)
    else:
        orders[key] = (day, amount, True)


def figures(orders):
    """orders: {(customer, order): (day, amount or None, purchase_by_status)}.
    Returns the summary figures of METRICS §1 steps 5-8 and §2 (as-of = last day)."""
    left_by_status = sum(1 for _, _, bought in orders.values() if not bought)
    occasions = defaultdict(lambda: [0, Decimal(0), False])  # orders, amount, known
    for (customer, _), (day, amount, bought) in orders.items():
        if not bought or (amount is not None and amount <= 0):
            continue
        o = occasions[(customer, day)]
        o[0] += 1
        if amount is not None:
            o[1] += amount
            o[2] = True
    per_customer = defaultdict(int)
    for (customer, _), _ in occasions.items():
        per_customer[customer] += 1
    known = [o[1] for o in occasions.values() if o[2]]
    return {
        "customers": len(per_customer),
        "orders": sum(o[0] for o in occasions.values()),
        "revenue": float(sum(known)) if known else None,
        "repeat_purchase_rate": sum(1 for n in per_customer.values() if n >= 2) / len(per_customer),
        "non_purchase_status": left_by_status,
    }


def shopify():
    orders = {}
    status = {}
    for r in rows("shopify__dev-store-snowboards.csv"):
        customer = customer_key(r["Email"])
        if not customer:
            continue  # guest checkout
        key = (customer, r["Name"])
        amount = Decimal(r["Total"]) - Decimal(r["Refunded Amount"] or 0) if r["Total"] else Decimal(0)
        day = iso(r["Created at"])
        if key in orders:
            d, a, _ = orders[key]
            orders[key] = (min(d, day), a + amount, None)
        else:
            orders[key] = (day, amount, None)
        if key not in status:
            if r["Cancelled at"]:
                status[key] = "cancelled"
            elif r["Financial Status"]:
                status[key] = r["Financial Status"]
    return {k: (d, a, status.get(k, "").lower() not in ("voided", "refunded", "expired", "cancelled"))
            for k, (d, a, _) in orders.items()}


def woocommerce():
    orders = {}
    for r in rows("woocommerce__webtoffee-sample-orders.csv"):
        customer = r["customer_id"].strip()
        if customer in ("", "0"):
            customer = customer_key(r["billing_email"])
        if not customer:
            continue
        st = r["status"].lower().removeprefix("wc-")
        bought = st not in ("pending", "failed", "cancelled", "refunded", "checkout-draft",
                            "draft", "auto-draft", "trash")
        orders[(customer, r["order_id"])] = (dmy(r["order_date"]), Decimal(r["order_total"]), bought)
    return orders


def stripe(name, created):
    orders = {}
    for r in rows(name):
        customer = customer_key(r["Customer Email"]) or r["Customer ID"].strip()
        if not customer:
            continue
        bought = r["Status"].lower() in ("paid", "succeeded", "partially refunded") \
            and r["Captured"].lower() != "false"
        amount = Decimal(r["Amount"]) - Decimal(r["Amount Refunded"] or 0)
        orders[(customer, r["id"])] = (iso(r[created]), amount, bought)
    return orders


def etsy_items(name):
    orders = {}
    for r in rows(name):
        buyer = r["Buyer"].strip()
        m = re.search(r"\(([^()]*)\)\s*$", buyer)
        customer = m.group(1).strip() if m and m.group(1).strip() else buyer
        if not customer:
            continue
        add_line(orders, (customer, r["Order ID"]), mdy_short(r["Sale Date"]), Decimal(r["Item Total"]))
    return orders


def by_timestamp(name, customer_col, date_col, parse, amount_col=None):
    """No order column: an order is a (customer, timestamp)."""
    orders = {}
    for r in rows(name):
        customer = r[customer_col].strip()
        if not customer:
            continue
        day = parse(r[date_col])
        amount = Decimal(r[amount_col]) if amount_col else None
        key = (customer, r[date_col].strip())
        if key in orders:
            d, a, _ = orders[key]
            orders[key] = (d, None if a is None else a + amount, True)
        else:
            orders[key] = (day, amount, True)
    return orders


def superstore(name, delimiter, parse):
    orders = {}
    for r in rows(name, delimiter):
        key = (r["Customer ID"].strip(), r["Order ID"].strip())
        sales = r["Sales"]
        if delimiter == ";":
            sales = sales.replace(".", "").replace(",", ".")
        add_line(orders, key, parse(r["Order Date"]), Decimal(sales))
    return orders


EXPECTED = [
    ("shopify__dev-store-snowboards.csv", "shopify", shopify),
    ("woocommerce__webtoffee-sample-orders.csv", "woocommerce", woocommerce),
    ("stripe__legacy-layout-unified-payments.csv", "stripe",
     lambda: stripe("stripe__legacy-layout-unified-payments.csv", "Created (UTC)")),
    ("stripe__test-mode-with-metadata.csv", "stripe",
     lambda: stripe("stripe__test-mode-with-metadata.csv", "Created date (UTC)")),
    ("etsy__sold-order-items-2020.csv", "etsy-items", lambda: etsy_items("etsy__sold-order-items-2020.csv")),
    ("etsy__sold-order-items-2023.csv", "etsy-items", lambda: etsy_items("etsy__sold-order-items-2023.csv")),
    ("kaggle__groceries-dataset.csv", None,
     lambda: by_timestamp("kaggle__groceries-dataset.csv", "Member_number", "Date", dmy)),
    ("kaggle__retail-transactions__d-m-yyyy.csv", None,
     lambda: by_timestamp("kaggle__retail-transactions__d-m-yyyy.csv", "customer_id", "trans_date", dmy,
                          "tran_amount")),
    ("tableau__superstore__utf8-bom.csv", "superstore",
     lambda: superstore("tableau__superstore__utf8-bom.csv", ",", mdy)),
    ("tableau__superstore__semicolon-decimal-comma.csv", "superstore",
     lambda: superstore("tableau__superstore__semicolon-decimal-comma.csv", ";", dmy)),
]

# Files rebuy must refuse (exit 2), with what the message must say.
REFUSED = [
    ("kaggle__retail-transactions__truncated-1MiB.csv",
     ["line 49730", "\"22-F\"", "not a date", "--skip-invalid"]),
]


def run(rebuy, *args):
    return subprocess.run([rebuy, *args], capture_output=True, text=True)


def main():
    rebuy = sys.argv[1]
    failed = 0
    table = []
    for name, platform, compute in EXPECTED:
        want = figures(compute())
        got = run(rebuy, "summary", str(DATA / name), "-f", "json")
        inspect = run(rebuy, "inspect", str(DATA / name), "-f", "json")
        if got.returncode != 0 or inspect.returncode != 0:
            print(f"FAIL {name}: rebuy exited {got.returncode}: {got.stderr.strip()}")
            failed += 1
            continue
        summary = json.loads(got.stdout)
        seen = {
            "customers": summary["customers"],
            "orders": summary["orders"],
            "revenue": summary["revenue"],
            "repeat_purchase_rate": summary["repeat_purchase_rate"],
            "non_purchase_status": summary["dropped"]["non_purchase_status"],
        }
        seen_platform = json.loads(inspect.stdout)["files"][0]["platform"]
        wrong = [k for k in want if not same(want[k], seen[k])]
        if seen_platform != platform:
            wrong.append(f"platform {seen_platform!r}, expected {platform!r}")
        if wrong:
            print(f"FAIL {name}: {', '.join(map(str, wrong))}\n  expected {want}\n  rebuy    {seen}")
            failed += 1
        else:
            print(f"ok   {name}")
        table.append((name, platform or "none (general rules)", want))
    for name, needles in REFUSED:
        got = run(rebuy, "summary", str(DATA / name))
        missing = [n for n in needles if n not in got.stderr]
        if got.returncode != 2 or missing:
            print(f"FAIL {name}: exit {got.returncode}, missing {missing} in: {got.stderr.strip()}")
            failed += 1
        else:
            print(f"ok   {name} refused: {got.stderr.splitlines()[0]}")
    print()
    print("| file | platform | customers | orders | repeat rate | left out by status | revenue |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, platform, f in table:
        revenue = "–" if f["revenue"] is None else f"{f['revenue']:,.2f}"
        print(f"| {name} | {platform} | {f['customers']:,} | {f['orders']:,} | "
              f"{f['repeat_purchase_rate']:.1%} | {f['non_purchase_status']} | {revenue} |")
    print(f"\nreal exports: {len(EXPECTED) + len(REFUSED) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-6 * max(1, abs(a))


if __name__ == "__main__":
    main()
