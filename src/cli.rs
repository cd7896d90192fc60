//! The command line, as clap parses it. `settings` resolves it; nothing after that
//! sees these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::input::occasions::SameDay;
use crate::metrics::cycles::{CycleBy, CycleStat};
use crate::metrics::periods::Period;
use crate::metrics::predict::Unit;
use crate::metrics::tiers::TierBy;
use crate::render::Format;

const ABOUT: &str = "Retention analytics from an online shop's order export: repeat purchase \
rate, time to second purchase, cohorts, RFM segments, purchase cycles and reminders, and what \
every row dropped on the way.";

const EXAMPLES: &str = "\
Examples:
  rebuy inspect orders.csv                    how rebuy reads the file
  rebuy summary orders.csv                    the headline numbers
  rebuy report orders_export.csv              a Shopify, WooCommerce, Stripe or Etsy export as it is
  rebuy cohorts orders.csv --period quarter   retention by quarter of first purchase
  rebuy rfm orders.csv --segment \"At Risk\"    the customers to win back
  rebuy due orders.csv --fires-on today       the reminders to send today
  rebuy summary orders.csv --by country       who comes back, split by the first order's country
  rebuy trend orders.csv                      new, returning and reactivated customers by month
  rebuy next orders.csv                       what the 2nd purchase holds, given the 1st
  rebuy tiers orders.csv                      loyalty tiers: Bronze, Silver, Gold, Platinum
  rebuy dormant orders.csv -o winback.csv     customers gone quiet, highest revenue first
  rebuy report orders.csv -o report.html      everything on one page, with charts
  rebuy summary 'exports/2024-*.csv.gz' --as-of 2024-06-30 --format json -o summary.json

Exit codes: 0 success, 1 a check gate failed, 2 bad usage or bad input.";

#[derive(Debug, Parser)]
#[command(name = "rebuy", version, about = ABOUT, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show how rebuy reads your files: which column got which role, rows, dates,
    /// customers, orders, occasions, and what was dropped and why.
    #[command(after_help = INSPECT_HELP)]
    Inspect(CommonArgs),

    /// The headline repeat-purchase numbers: customers, repeat purchase rate, days
    /// to the second purchase, the purchase ladder, revenue shares.
    #[command(after_help = SUMMARY_HELP)]
    Summary(SummaryArgs),

    /// Cohort retention: customers grouped by the month (or week, quarter, year) of
    /// their first purchase, and the share buying again in each period after.
    #[command(after_help = COHORTS_HELP)]
    Cohorts(CohortsArgs),

    /// RFM: every customer scored 1-5 on recency, frequency and money, in six
    /// segments with the action for each; or the customer list for an email tool.
    #[command(after_help = RFM_HELP)]
    Rfm(RfmArgs),

    /// Purchase cycles: per product, the days between a customer's purchases of it,
    /// and the reminder trigger days (75%, 100%, 125% of the mean).
    #[command(after_help = CYCLES_HELP)]
    Cycles(CyclesArgs),

    /// The reminder list: every customer due a remind, nudge or offer for a product
    /// they buy on a cycle, for an email or SMS tool; --fires-on for a daily cron job.
    #[command(after_help = DUE_HELP)]
    Due(DueArgs),

    /// Predictions per customer: P(alive), purchases expected over a horizon, expected
    /// spend and value (BG/NBD and Gamma-Gamma fitted on the occasions); a holdout check.
    #[command(after_help = PREDICT_HELP)]
    Predict(PredictArgs),

    /// Month by month (or week, quarter, year): active, new, returning and reactivated
    /// customers, revenue and the returning customers' share, the repeat rate to date.
    #[command(after_help = TREND_HELP)]
    Trend(TrendArgs),

    /// What customers buy on their 2nd purchase, given what they bought on their
    /// 1st: the cross-sell map, with buying the same again (replenishment) kept.
    #[command(after_help = NEXT_HELP)]
    Next(NextArgs),

    /// Loyalty tiers at as-of by purchases or revenue (Bronze, Silver, Gold, and
    /// Platinum for the best Gold customers), moves since a date, the list to import.
    #[command(after_help = TIERS_HELP)]
    Tiers(TiersArgs),

    /// Customers gone quiet, to win back: more than 90, 180, 365 days since their
    /// last purchase, or silent for longer than their own rhythm; the reactivation rate.
    #[command(after_help = DORMANT_HELP)]
    Dormant(DormantArgs),

    /// Gates for CI: fail (exit 1) when a summary number is out of bounds, or has
    /// moved from a baseline summary by more than a tolerance.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),

    /// Print the SQL that computes a command's table where the orders live: DuckDB,
    /// PostgreSQL, Spark, BigQuery or Snowflake.
    #[command(after_help = SQL_HELP)]
    Sql(SqlArgs),

    /// One report of everything: summary, trend, cohort heatmap and retention curves,
    /// RFM segments, loyalty tiers, dormant customers, purchase cycles, next purchase,
    /// definitions; HTML, Markdown, or a folder of CSVs.
    #[command(after_help = REPORT_HELP)]
    Report(ReportArgs),

    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),

    /// Print rebuy's man page (roff), every command in one page.
    #[command(after_help = MAN_HELP)]
    Man,

    /// Write a realistic order export (line items, repurchase cycles, churn,
    /// seasonality) to try rebuy on; the same seed gives the same file.
    #[command(after_help = GENERATE_HELP)]
    Generate(GenerateArgs),
}

const PREDICT_HELP: &str = "\
Examples:
  rebuy predict orders.csv                                  the fitted models and the year ahead
  rebuy predict orders.csv --customers -o predictions.csv   one row per customer, for an email tool
  rebuy predict orders.csv --as-of 2024-06-30 --holdout-until 2024-12-31   test on a later half year

Each customer at as-of: x = occasions - 1, t_x = days from the first occasion to the last,
T = days from the first occasion to as-of, in --unit (week by default, as the published
fits). BG/NBD (Fader, Hardie & Lee 2005) is fitted to (x, t_x, T) by maximum likelihood;
Gamma-Gamma to the mean amount of each repeat customer's repeat occasions (the first left
out; customers with an occasion of unknown amount sit out). A fit that does not converge is
an error (exit 2), never printed.
Keys: customers, as_of, unit, horizon_days, bgnbd.{r, alpha, a, b, log_likelihood,
converged, iterations, gradient_norm}, gamma_gamma.{p, q, gamma, log_likelihood, converged,
customers} (null without amounts), expected_purchases_total, expected_revenue_total,
alive_share, and with --holdout-until: holdout.{until, actual_purchases,
predicted_purchases, weeks} (occasions in (as-of, until] of the customers known at as-of,
against the sum of their expectations over that span; weeks: both, cumulative, week by
week).
--customers: customer_id, x, t_x, T (in the unit), p_alive, expected_purchases (over the
horizon), expected_avg_spend, clv (expected_purchases x expected_avg_spend, each month
discounted at --discount-rate a year); sorted by customer id; CSV when stdout is not a
terminal.";

const TREND_HELP: &str = "\
Examples:
  rebuy trend orders.csv                          month by month, up to the latest order
  rebuy trend orders.csv --period quarter -f csv  by quarter, for a spreadsheet
  rebuy trend orders.csv --dormant-after 90       count customers back after 90 quiet days

One row per calendar period from the first occasion's to as-of's, empty periods included.
active_customers: customers with an occasion in the period; new_customers: those whose
first occasion is in it; returning_customers = active - new; reactivated_customers:
returning customers whose previous occasion was more than --dormant-after days before their
first occasion in the period; occasions, revenue; returning_revenue_share: revenue of
returning customers' occasions / revenue; repeat_purchase_rate_to_date: customers with a 2nd
occasion by the period's end / customers by then; median_days_since_previous: over returning
customers, from the previous occasion to their first in the period; complete: the period
ended on or before as-of (the table marks an incomplete period with *).";

/// Options of `rebuy trend`.
#[derive(Debug, Args)]
pub struct TrendArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Length of a row.
    #[arg(long, value_enum, default_value_t = Period::Month)]
    pub period: Period,

    /// A returning customer is reactivated when their previous occasion was more than
    /// DAYS before.
    #[arg(long, value_name = "DAYS", default_value_t = 180)]
    pub dormant_after: u32,
}

const TIERS_HELP: &str = "\
Examples:
  rebuy tiers orders.csv                               Bronze 1, Silver 2, Gold 5 occasions
  rebuy tiers orders.csv --since 2024-01-01            and who moved up since New Year
  rebuy tiers orders.csv --by revenue --tiers \"Bronze=0,Silver=100,Gold=500\"
  rebuy tiers orders.csv --customers -o tiers.csv      the list a loyalty platform imports

A customer's tier is the highest whose threshold their occasions (or, --by revenue, their
revenue) reach at as-of; below the first threshold: (none). Platinum: customers of the top
tier whose revenue is at least that of the customer ranked at the top --platinum-top
percent of all customers by revenue (rounded up to a whole customer); customers tied at
that cut go in together. Columns: tier, customers, share, revenue, revenue_share,
mean_occasions, mean_days_between (over the tier's customers with 2 or more occasions,
each customer's (last - first) / (occasions - 1)), reached_next (of the customers whose
value reached this tier's threshold, the share who reached the next tier's; for the top
tier, the share who are Platinum). --since DATE adds from, to, customers: each customer's
tier on DATE (from the occasions up to it; (new) before their first) against at as-of.
--customers: customer_id, tier, occasions, revenue, to_next (occasions, or money, still
needed for the next tier; empty at the top), sorted by customer id; CSV when stdout is not
a terminal.";

/// Options of `rebuy tiers`.
#[derive(Debug, Args)]
pub struct TiersArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// The ladder, lowest first: names and thresholds in occasions, or in money with
    /// --by revenue [default: Bronze=1,Silver=2,Gold=5].
    #[arg(long, value_name = "NAME=N,...")]
    pub tiers: Option<String>,

    /// What the thresholds count.
    #[arg(long, value_enum, default_value_t = TierBy::Occasions)]
    pub by: TierBy,

    /// Platinum: top-tier customers among the top PCT percent of all customers by
    /// revenue (0: no Platinum).
    #[arg(long, value_name = "PCT", default_value_t = 5.0)]
    pub platinum_top: f64,

    /// One row per customer (customer_id, tier, occasions, revenue, to_next) instead of
    /// the tier table.
    #[arg(long)]
    pub customers: bool,

    /// Also the moves from each customer's tier on DATE (YYYY-MM-DD) to their tier at
    /// as-of.
    #[arg(long, value_name = "DATE", conflicts_with = "customers")]
    pub since: Option<chrono::NaiveDate>,
}

const DORMANT_HELP: &str = "\
Examples:
  rebuy dormant orders.csv                        quiet for more than 90 days, in bands
  rebuy dormant orders.csv --after 180 -o winback.csv
  rebuy dormant orders.csv --relative             silent for more than twice their usual gap
  rebuy dormant orders.csv --rate                 the reactivation rate, month by month
  rebuy dormant orders.csv --summary -f json      the bands only, for a dashboard

A customer is dormant when their last occasion is more than --after days before as-of
(exactly --after days is not dormant). band: the largest of --bands that days_since is
more than (90+ is more than 90 days). --relative K instead takes repeat customers silent
for more than K times their usual_gap (the median of the days between their occasions;
one-time buyers have none). The list: customer_id, last_purchase, days_since, band,
occasions, revenue, usual_gap, last_products (the products of the last occasion, ids
joined by ';'), highest revenue first: the win-back list, CSV when stdout is not a
terminal; on a terminal, the bands (customers, share of all customers, revenue,
revenue_share) and the first --top customers. --rate: one row per period, period,
dormant_at_start (customers whose last occasion before the period was more than --after
days before its eve, the day before it starts), reactivated (of them, customers with an
occasion in the period, once however many), reactivation_rate, complete.";

/// Options of `rebuy dormant`.
#[derive(Debug, Args)]
pub struct DormantArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Dormant after more than DAYS without a purchase [default: the first band].
    #[arg(long, value_name = "DAYS")]
    pub after: Option<u32>,

    /// Bands of days since the last purchase, ascending.
    #[arg(long, value_name = "DAYS,...", default_value = "90,180,365")]
    pub bands: String,

    /// Repeat customers silent for more than K times their usual gap instead.
    #[arg(long, value_name = "K", num_args = 0..=1, default_missing_value = "2",
          conflicts_with = "after")]
    pub relative: Option<f64>,

    /// The band table only, in any format.
    #[arg(long, conflicts_with = "rate")]
    pub summary: bool,

    /// On a terminal, the first N customers of the list under the bands (0: all).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,

    /// The reactivation rate per period instead of the list.
    #[arg(long, conflicts_with = "relative")]
    pub rate: bool,

    /// With --rate: length of a row.
    #[arg(long, value_enum, default_value_t = Period::Month, requires = "rate")]
    pub period: Period,
}

const COMPLETIONS_HELP: &str = "\
Install, then open a new shell:
  bash        rebuy completions bash > ~/.local/share/bash-completion/completions/rebuy
  zsh         rebuy completions zsh > ~/.zfunc/_rebuy     (with fpath+=~/.zfunc before compinit)
  fish        rebuy completions fish > ~/.config/fish/completions/rebuy.fish
  powershell  rebuy completions powershell >> $PROFILE
  elvish      rebuy completions elvish >> ~/.config/elvish/rc.elv";

/// Options of `rebuy completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete rebuy's commands and flags in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

const MAN_HELP: &str = "\
Install:
  rebuy man > ~/.local/share/man/man1/rebuy.1     then: man rebuy
  rebuy man | man -l -                            read it without installing";

const NEXT_HELP: &str = "\
Examples:
  rebuy next orders.csv                         the top 5 second purchases of each first product
  rebuy next orders.csv --by category --top 3   by category
  rebuy next orders.csv --top 0 -o next.csv     every pair, for a spreadsheet

For customers with a 2nd occasion: first = an item of their 1st occasion, next = an item of
their 2nd, or (same) when it is the same item again (the replenishment signal). customers:
customers with first in occasion 1 and next in occasion 2; share_of_first: of the customers
with first in occasion 1 who had a 2nd occasion; median_days: median days from the 1st to
the 2nd occasion over those customers; first_name and next_name where the export names its
products. A customer counts once in each (first, next) pair of their first two occasions.
Rows sorted by first, then customers (most first), then (same), then next; --top N rows
per first item (0: all). Needs a product (or category) column, like cycles.";

/// Options of `rebuy next`.
#[derive(Debug, Args)]
pub struct NextArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Items by product, or by category.
    #[arg(long, value_enum, default_value_t = CycleBy::Product)]
    pub by: CycleBy,

    /// Rows kept per first item, most customers first (0: all).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub top: usize,
}

/// Options of `rebuy predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Days after as-of over which purchases and value are predicted.
    #[arg(long, value_name = "DAYS", default_value_t = 365)]
    pub horizon: u32,

    /// The unit of time the models are fitted in; only alpha (BG/NBD's scale) and the
    /// log-likelihood depend on it.
    #[arg(long, value_enum, default_value_t = Unit::Week)]
    pub unit: Unit,

    /// Fit on the occasions up to --as-of, and compare the purchases predicted for
    /// (as-of, DATE] with the ones made (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "as_of")]
    pub holdout_until: Option<String>,

    /// One row per customer instead of the summary.
    #[arg(long)]
    pub customers: bool,

    /// Yearly rate at which later purchases count less in clv (0.1 = 10%).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub discount_rate: f64,
}

const GENERATE_HELP: &str = "\
Examples:
  rebuy generate --customers 2000 -o orders.csv
  rebuy generate --customers 2000000 --seed 7 --quirks -o big.csv.gz --truth truth.json

Columns: order_id, customer_id, order_date, sku, product_name, category, quantity,
unit_price, line_total, currency. About 5 lines per customer: most buy once, others come
back on their favourite product's cycle (coffee about 28 days, skincare 60-90, apparel
irregular, furniture almost never) until they churn. --truth writes the catalogue with
each product's true cycle, and counts of what was written.";

/// Options of `rebuy generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many customers arrive over the window (about 5 lines each).
    #[arg(long, value_name = "N")]
    pub customers: u64,

    /// Seed of the random source: the same seed and options give the same bytes.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,

    /// First day of the window (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", default_value = "2023-01-01")]
    pub start: String,

    /// Last day of the window (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", default_value = "2024-12-31")]
    pub end: String,

    /// Add what real exports contain: guest orders, cancellation invoices with
    /// negative quantities, spaces around customer ids, a UTF-8 byte-order mark.
    #[arg(long)]
    pub quirks: bool,

    /// Write to FILE: .csv, .csv.gz or .parquet (default: CSV on stdout).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write the catalogue, each product's true cycle, and the counts as JSON.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,

    /// Draw no progress on stderr and leave out the line saying what was written.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

const INSPECT_HELP: &str = "\
Example:
  rebuy inspect orders.csv

Shows, per file: format, encoding, delimiter, the data rows read and what became of
each (loaded, guest rows, invalid rows: rows = loaded + guest + invalid); the platform
recognised and the header columns that matched it (or \"none: general rules\"), its
rules, and how the day/month order and each money column's decimal separator were
decided, with the value that decided each; and for each role (customer, date, order,
amount, quantity, unit_price, product, category, product_name, status) the column that
plays it and the columns that could have but lost to a preferred name. Then the date
range, customers, orders, purchase occasions, the orders per status value (each marked
purchase or not), and the rows or orders left out:
  guest_rows              rows without a customer id
  invalid_rows            rows whose date, amount or number of fields was wrong (--skip-invalid)
  non_purchase_orders     orders whose amount is 0 or less: refunds, cancellations
  non_purchase_status     orders whose status says they were not bought: cancelled, refunded, failed
  occasions_after_as_of   occasions after --as-of";

const SQL_HELP: &str = "\
Examples:
  rebuy sql summary --dialect duckdb --from \"read_parquet('orders/*.parquet')\" \\
      --map customer=customer_id --map date=order_date --map amount=line_total
  rebuy sql cohorts --period week --dialect postgres --from shop.orders \\
      --map customer=CustomerID --map date=InvoiceDate --map order=InvoiceNo \\
      --map quantity=Quantity --map unit_price=UnitPrice
  rebuy sql due --fires-on 2024-05-01 --dialect bigquery --from shop.lines --map product=sku

The query reads a relation with typed columns (the date a DATE or TIMESTAMP, amounts
numeric, ids text or integers) and returns the rows of `rebuy COMMAND --format csv`
(summary: key, value), following the same contract: guest rows, orders, purchases,
occasions, as-of, Kaplan-Meier, type-7 quantiles, RFM ties, ISO weeks, trigger rounding,
money in DECIMAL(38,4). Each command takes its own flags (rebuy sql cohorts --help).
Columns are named with --map; customer and date default to columns of those names
(product too for cycles and due), the other roles are read only when mapped.";

const SUMMARY_HELP: &str = "\
Examples:
  rebuy summary orders.csv --as-of 2024-06-30
  rebuy summary orders.csv --by country --top 5       who comes back, by first order's country
  rebuy summary orders.csv --by first-product         by gateway product (a customer in each)
  rebuy summary orders.csv --vertical consumables     the repeat rate against shops like it

Keys (json and csv use these names; rates are fractions there, percentages in tables):
  customers                  customer ids with an occasion on or before as-of
  occasions                  purchase occasions: a customer's purchases on one day
  orders                     purchase orders (amount above 0, or unknown)
  revenue                    sum of occasion amounts
  repeat_customers           customers with 2 or more occasions
  repeat_purchase_rate       repeat_customers / customers
  time_to_second.*           days from 1st to 2nd occasion: median, mean, p25, p75
  repeat_within.d30…d365     Kaplan–Meier chance of a 2nd occasion within N days
  purchase_frequency_12m     occasions in the last 365 days per customer active then
  avg_days_between_purchases mean gap between a repeat customer's occasions
  ladder.K.customers         customers with K or more occasions (K = 1..5)
  ladder.K.next_share        share of them who reach K+1
  aov_first, aov_repeat      mean amount of first / of later occasions
  repeat_revenue_share       revenue from occasions after the first / revenue
  top20_revenue_share        revenue of the top fifth of customers / revenue
  dropped.*                  rows and orders left out, by reason
  benchmark.*                with --vertical: vertical, repeat_purchase_rate, position
                             (below_typical, typical, at_target, above_target),
                             no_effort_low/high, typical_low/high, target_low/high
With --by: json {as_of, by, overlapping, groups: [{group, customers, ...every key}], all:
{...}, dropped}; csv group,key,value (the whole file as group (all)); the table, one row per
group: customers, repeat rate, days to 2nd (median), 2nd within 90 days, first and repeat
order value, share of revenue. Empty values are (none).";

const COHORTS_HELP: &str = "\
Examples:
  rebuy cohorts orders.csv                              the monthly triangle, in percent
  rebuy cohorts orders.csv --period week --since 2024-01-01 --metric revenue
  rebuy cohorts orders.csv -o cohorts-$(date +%F).csv   the long format, for a spreadsheet
  rebuy cohorts orders.csv --extras                     repeat within 30..365 days, per cohort

Columns of csv and json (one row per cohort and period offset):
  cohort                            2024-03, 2025-W01 (ISO week-year), 2024-Q1 or 2024
  period_offset                     periods since the cohort's own: 0, 1, 2, ...
  cohort_size                       customers whose first purchase fell in the cohort
  active_customers                  of them, those who bought in period cohort + offset
  retention_rate                    active_customers / cohort_size (1 at offset 0)
  cumulative_revenue_per_customer   the cohort's revenue up to the end of that period
  complete                          false while that period is not over on as-of
With --extras: cohort, cohort_size, repeat_within_30 .. _365 (share with a 2nd purchase
within N days of the 1st; empty until every member has had N days), reached_2nd,
reached_3rd, reached_4plus.";

/// `--metric` of `rebuy cohorts`: what the cells of the triangle show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CohortMetric {
    /// The share of the cohort buying in the period.
    #[default]
    Retention,
    /// The number of the cohort's customers buying in the period.
    Active,
    /// The cohort's revenue up to the end of the period, per customer.
    Revenue,
}

/// The commands `rebuy sql` writes queries for, each with the flags of the command.
#[derive(Debug, Subcommand)]
pub enum SqlCommand {
    /// The rows of `rebuy summary --format csv` (key, value).
    Summary(SqlSource),
    /// The rows of `rebuy cohorts --format csv`, or with --extras the per-cohort table.
    Cohorts(SqlCohortsArgs),
    /// The segment table of `rebuy rfm --format csv`, or with --customers every customer.
    Rfm(SqlRfmArgs),
    /// The rows of `rebuy cycles --format csv`.
    Cycles(SqlCyclesArgs),
    /// The rows of `rebuy due --format csv`.
    Due(SqlDueArgs),
}

/// Options of `rebuy sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    #[command(subcommand)]
    pub command: SqlCommand,
}

impl SqlCommand {
    pub fn source(&self) -> &SqlSource {
        match self {
            SqlCommand::Summary(s) => s,
            SqlCommand::Cohorts(a) => &a.source,
            SqlCommand::Rfm(a) => &a.source,
            SqlCommand::Cycles(a) => &a.source,
            SqlCommand::Due(a) => &a.source,
        }
    }
}

/// Where the orders are and how they are read: the flags every `rebuy sql` command has.
#[derive(Debug, Args)]
pub struct SqlSource {
    /// The SQL dialect: duckdb, postgres, spark, bigquery or snowflake.
    #[arg(long, value_name = "NAME")]
    pub dialect: String,

    /// The orders: a table, a view, or anything the engine reads after FROM.
    #[arg(long, value_name = "RELATION")]
    pub from: String,

    /// Use COLUMN for ROLE. Roles: customer, date (default: columns of those names),
    /// order, amount, quantity, unit_price, status, product, category. Repeatable.
    #[arg(long = "map", value_name = "ROLE=COLUMN")]
    pub map: Vec<String>,

    /// The day the numbers are taken on (YYYY-MM-DD). Default: the latest occasion.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,

    /// Whether a customer's orders on one day are one purchase occasion (merge) or
    /// one each (keep).
    #[arg(long, value_enum, default_value_t = SameDay::Merge)]
    pub same_day: SameDay,

    /// Count calendar days in this zone (Europe/Berlin, UTC): for a date column of
    /// TIMESTAMP WITH TIME ZONE (instants). Without it, the engine's session zone.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,

    /// The order statuses that are not purchases, comma-separated, replacing the
    /// default list (used when a status column is mapped).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub non_purchase_status: Option<Vec<String>>,

    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Options of `rebuy sql cohorts`.
#[derive(Debug, Args)]
pub struct SqlCohortsArgs {
    #[command(flatten)]
    pub source: SqlSource,

    #[command(flatten)]
    pub cohort: CohortFlags,
}

/// Options of `rebuy sql rfm`.
#[derive(Debug, Args)]
pub struct SqlRfmArgs {
    #[command(flatten)]
    pub source: SqlSource,

    #[command(flatten)]
    pub rfm: RfmFlags,
}

/// Options of `rebuy sql cycles`.
#[derive(Debug, Args)]
pub struct SqlCyclesArgs {
    #[command(flatten)]
    pub source: SqlSource,

    #[command(flatten)]
    pub cycle: CycleFlags,
}

/// Options of `rebuy sql due`.
#[derive(Debug, Args)]
pub struct SqlDueArgs {
    #[command(flatten)]
    pub source: SqlSource,

    #[command(flatten)]
    pub due: DueFlags,

    #[command(flatten)]
    pub cycle: CycleFlags,
}

/// Options of `rebuy summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub group: GroupFlags,

    /// Under the summary, the repeat purchase rate against the typical and target
    /// ranges of shops selling the same kind of goods: consumables, fashion, durables
    /// (or beauty, grocery, food, supplements, pet, apparel, shoes, electronics,
    /// furniture, which take the ranges of the one their goods are bought like).
    #[arg(long, value_name = "VERTICAL", conflicts_with = "by")]
    pub vertical: Option<String>,
}

/// `--by` and `--top`: flags of `summary`, `cohorts` and `rfm`.
#[derive(Debug, Args)]
pub struct GroupFlags {
    /// Split the customers by the value of COLUMN on their first purchase (an order
    /// column such as country, channel or discount code; the earliest order's value,
    /// the smallest of several), or by each product (first-product) or category
    /// (first-category) of it, where a customer counts in each.
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,

    /// With --by: the N largest groups by customers, the rest together as (other); 0
    /// keeps all.
    #[arg(long, value_name = "N", default_value_t = 20, requires = "by")]
    pub top: usize,
}

/// Options of `rebuy cohorts`.
#[derive(Debug, Args)]
pub struct CohortsArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub cohort: CohortFlags,

    #[command(flatten)]
    pub group: GroupFlags,

    /// What the cells of the triangle show (the table view; csv and json carry all).
    #[arg(long, value_enum, default_value_t = CohortMetric::Retention)]
    pub metric: CohortMetric,
}

/// Which cohorts, and which table: flags of `rebuy cohorts` and `rebuy sql cohorts`.
#[derive(Debug, Args)]
pub struct CohortFlags {
    /// Length of a cohort and of the periods after it.
    #[arg(long, value_enum, default_value_t = Period::Month)]
    pub period: Period,

    /// Show only cohorts whose period holds or follows DATE (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Show only cohorts whose period holds or precedes DATE (YYYY-MM-DD, or today).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,

    /// Instead of the triangle, one row per cohort: repeat purchase within 30, 60,
    /// 90, 180 and 365 days, and the shares reaching a 2nd, 3rd and 4th purchase.
    #[arg(long)]
    pub extras: bool,
}

const RFM_HELP: &str = "\
Examples:
  rebuy rfm orders.csv                                   segments, actions, the R x F grid
  rebuy rfm orders.csv --customers -o customers.csv      every customer, for an email tool
  rebuy rfm orders.csv --segment \"At Risk\" -o win-back.csv
  rebuy rfm orders.csv --segments-file segments.toml

Scores: recency_days = as-of - last purchase day, frequency = purchase occasions,
monetary = revenue. Each is scored 1 + floor(5 b / n), b the customers with a strictly
worse value, n all customers: ties share a score, which can cap it below 5.
--customers and --segment write CSV when stdout is not a terminal.
Segments, first match wins:
  Champions            R>=4 F>=4 M>=4   reward, engage, ask for reviews
  Loyal Customers      R>=3 F>=3 M>=3   upsell, cross-sell, loyalty programme
  Potential Loyalists  R>=3             nurture, offer subscribe & save
  At Risk              F>=3 M>=3        win-back campaign, special offer
  Need Attention       R=2              reactivation email, product education
  Lost Customers       R=1              aggressive discount or low-touch nurture

A segments file replaces the table, in order:
  [[segment]]
  name = \"Champions\"
  r = \">=4\"          # also a score (r = 4) or a range (r = \"3-5\"); a missing key takes 1-5
  f = \">=4\"
  m = \">=4\"
  action = \"reward, engage, ask for reviews\"

Columns: segment, customers, share, revenue, revenue_share, mean_recency,
mean_frequency, mean_monetary, action; with --customers: customer_id, recency_days,
frequency, monetary, r, f, m, rfm, segment.";

/// Options of `rebuy rfm`.
#[derive(Debug, Args)]
pub struct RfmArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub rfm: RfmFlags,

    #[command(flatten)]
    pub group: GroupFlags,
}

/// Which table and which segments: flags of `rebuy rfm` and `rebuy sql rfm`.
#[derive(Debug, Args)]
pub struct RfmFlags {
    /// One row per customer (customer_id, recency_days, frequency, monetary, r, f, m,
    /// rfm, segment), sorted by customer id, instead of the segment table.
    #[arg(long)]
    pub customers: bool,

    /// Only the customers of this segment (implies --customers), e.g. "At Risk".
    #[arg(long, value_name = "NAME")]
    pub segment: Option<String>,

    /// Segment rules from a TOML file instead of the six of the contract.
    #[arg(long, value_name = "FILE")]
    pub segments_file: Option<PathBuf>,
}

const CYCLES_HELP: &str = "\
Examples:
  rebuy cycles orders.csv                          per product, most intervals first
  rebuy cycles orders.csv --by category --min-intervals 30
  rebuy cycles orders.csv --triggers 0.8,1,1.3 --stat median -o cycles.csv

For each product, each customer's distinct days on which they bought it (purchase
orders on or before as-of); the gaps between consecutive days are the intervals.
Columns: product, customers (with 1 or more interval), intervals, mean, sd (sample),
median, p25, p75, remind, nudge, offer (the trigger days: round(0.75, 1 and 1.25 x the
mean), halves away from zero), status (ok, or insufficient_data below --min-intervals:
then no trigger days). Needs a product column (sku, product_id, stockcode, ...), or a
category column with --by category. Where the export names its products (product_name,
description, ...), a name column goes beside the id.";

/// Options of `rebuy cycles`.
#[derive(Debug, Args)]
pub struct CyclesArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub cycle: CycleFlags,
}

/// How cycles are measured: flags of `rebuy cycles` and `rebuy due`.
#[derive(Debug, Args)]
pub struct CycleFlags {
    /// Cycles per product, or per category.
    #[arg(long, value_enum, default_value_t = CycleBy::Product)]
    pub by: CycleBy,

    /// Fewer intervals than N: no trigger days (status insufficient_data).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub min_intervals: u64,

    /// The trigger days as fractions of the cycle: remind, nudge, offer.
    #[arg(long, value_name = "R,N,O", default_value = "0.75,1.0,1.25")]
    pub triggers: String,

    /// What the fractions multiply: the mean interval, or the median.
    #[arg(long, value_enum, default_value_t = CycleStat::Mean)]
    pub stat: CycleStat,
}

const DUE_HELP: &str = "\
Examples:
  rebuy due orders.csv                                  who is due a reminder, as of the latest order
  rebuy due orders.csv --fires-on today -o due-$(date +%F).csv    what a daily cron job sends
  rebuy due orders.csv --stage lapsed                   customers past the offer, to win back

For every customer and product with trigger days (see rebuy cycles), one-time buyers
included: the last day they bought it, days_since = as-of - that day, the three trigger
dates, and the stage reached: none before remind, then remind, nudge and offer (days_since
at or past the trigger day), lapsed once days_since > offer + (offer - nudge).
Columns: customer_id, product, last_purchase, days_since, remind_on, nudge_on, offer_on,
stage. Rows are sorted by customer id, then product. CSV when stdout is not a terminal.
With --fires-on DATE: only the rows with a trigger date on exactly DATE; their stage is
the one firing that day and days_since counts to DATE.";

/// `--stage` of `rebuy due`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StageChoice {
    None,
    Remind,
    Nudge,
    Offer,
    Lapsed,
    All,
}

/// Options of `rebuy due`.
#[derive(Debug, Args)]
pub struct DueArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub due: DueFlags,

    #[command(flatten)]
    pub cycle: CycleFlags,
}

/// Which rows of the reminder list: flags of `rebuy due` and `rebuy sql due`.
#[derive(Debug, Args)]
pub struct DueFlags {
    /// Only the rows whose remind, nudge or offer date is DATE (YYYY-MM-DD, or today).
    #[arg(long, value_name = "DATE")]
    pub fires_on: Option<String>,

    /// The stages to list (comma-separated or repeated). Default: remind, nudge, offer.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub stage: Vec<StageChoice>,
}

const CHECK_HELP: &str = "\
Examples:
  rebuy check orders.csv --min repeat_purchase_rate=0.25 --max time_to_second.median=45
  rebuy summary fixture.csv -f json -o baseline.json      once, and commit the file
  rebuy check fixture.csv --baseline baseline.json --tolerance 0.02
  rebuy check orders.csv --config gates.toml

Keys are those of rebuy summary as --format csv writes them: repeat_purchase_rate,
time_to_second.median, repeat_within.d30, ladder.2.next_share, dropped.guest_rows, ...
(rebuy summary --help lists them). A missing value (null) passes no bound.
--baseline compares every number of a saved summary JSON: it fails where the value
moved by more than --tolerance, relative to the baseline (0.02 = 2%; default 0, any
change fails), or appeared or went missing.
A gates file: [min] and [max] tables of KEY = NUMBER (quote dotted keys:
\"time_to_second.median\" = 45), and optionally baseline = \"FILE\" and tolerance = N.
Exit codes: 0 every gate passes, 1 a gate failed, 2 bad usage or bad input.";

/// Options of `rebuy check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Fail when KEY is below NUMBER (repeatable).
    #[arg(long, value_name = "KEY=NUMBER")]
    pub min: Vec<String>,

    /// Fail when KEY is above NUMBER (repeatable).
    #[arg(long, value_name = "KEY=NUMBER")]
    pub max: Vec<String>,

    /// A summary saved with rebuy summary --format json: fail on any number that moved.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// How far a number may move from the baseline, relative to it (0.02 = 2%).
    #[arg(long, value_name = "FRACTION")]
    pub tolerance: Option<f64>,

    /// Gates from a TOML file ([min], [max], baseline, tolerance).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

const REPORT_HELP: &str = "\
Examples:
  rebuy report orders.csv -o report.html      one page that works offline: tables and charts
  rebuy report orders.csv -o report.md        Markdown, charts as report-*.svg beside it
  rebuy report orders.csv -o weekly/          summary.json and every table as CSV
  rebuy report orders.csv                     Markdown on stdout (no charts)

Sections: the summary with what was dropped; cohort retention (heatmap, curves, the
triangle with its average); RFM segments with actions and the R x F grid; purchase
cycles with trigger days (when the export has a product column); definitions.";

/// Options of `rebuy report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Cohorts by week, month, quarter or year.
    #[arg(long, value_enum, default_value_t = Period::Month)]
    pub period: Period,

    /// How many products the cycles table shows (those with most intervals).
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub top: usize,

    /// Add a Predictions section (rebuy predict's fitted models, P(alive) and the
    /// year ahead); fitting adds about a third to the report's time on large files.
    #[arg(long)]
    pub predict: bool,

    /// Add a section with the summary per group of customers, as `rebuy summary --by
    /// COLUMN` (a column, first-product or first-category), the 10 largest groups.
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,
}

/// Options every analysis command shares: what to read, how, and where to write.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Order exports: CSV (any of , ; tab |), .csv.gz or Parquet. Several files, or a
    /// quoted glob ('exports/*.csv'), are read as one table; - reads stdin.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,

    /// Use COLUMN for ROLE, where the names do not say it. Roles: customer, date,
    /// order, amount, quantity, unit_price, product, category, product_name, status.
    /// Repeatable; also overrides one role of a recognised platform.
    #[arg(long = "map", value_name = "ROLE=COLUMN")]
    pub map: Vec<String>,

    /// The day the numbers are taken on (YYYY-MM-DD, or today); later
    /// occasions are ignored. Default: the latest occasion.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,

    /// Whether a customer's orders on one day are one purchase occasion (merge) or
    /// one each (keep).
    #[arg(long, value_enum, default_value_t = SameDay::Merge)]
    pub same_day: SameDay,

    /// How to read dates: auto, dmy or mdy (order of slashed dates), or a strftime
    /// pattern such as "%d.%m.%Y %H:%M".
    #[arg(long, value_name = "FORMAT", default_value = "auto")]
    pub date_format: String,

    /// Count calendar days in this zone (Europe/Berlin, UTC, +02:00). Applies to
    /// timestamps with Z, an offset, or Unix time, and to Parquet timestamps with a
    /// time zone; others are taken as written.
    #[arg(long, value_name = "ZONE", allow_hyphen_values = true)]
    pub tz: Option<String>,

    /// Drop rows whose date or amount cannot be read, or whose number of fields is
    /// wrong (they are counted), instead of stopping at the first.
    #[arg(long)]
    pub skip_invalid: bool,

    /// Text encoding of CSV files: auto (UTF-8, else Windows-1252), utf-8, or
    /// windows-1252 (also right for Latin-1).
    #[arg(long, value_name = "NAME", default_value = "auto")]
    pub encoding: String,

    /// CSV delimiter, when sniffing the header picks the wrong one: , ; | or tab.
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,

    /// The platform whose export this is: shopify, woocommerce, stripe, etsy-orders,
    /// etsy-items, olist, … or none for the general rules. Default: recognised by the
    /// header's columns (rebuy inspect shows which).
    #[arg(long, value_name = "NAME")]
    pub platform: Option<String>,

    /// The order statuses that are not purchases, comma-separated (e.g.
    /// cancelled,refunded), replacing the platform's list or the default one
    /// (cancelled, refunded, returned, failed, voided, expired, draft, …).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub non_purchase_status: Option<Vec<String>>,

    /// The decimal separator of every money column: . or ,. Default: decided per
    /// column by values that show it (261,96 or 1,234.50); where none does, a comma
    /// in files separated by ; and a point otherwise.
    #[arg(long, value_name = "SEP")]
    pub decimal: Option<String>,

    /// Output format. Default: from the -o extension (.csv .json .md .html), else table.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,

    /// Write to FILE (atomically: all or nothing) instead of stdout. Never an input.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Draw no progress bar on stderr (none is drawn where stderr is not a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}
