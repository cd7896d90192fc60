#!/usr/bin/env bash
# Runs rebuy on the real exports in ../shared/data (see its README) and compares the
# output with the expected files beside this script; checks every platform export in
# real-exports/ against figures exports.py works out from the file itself; where DuckDB is available, also
# compares every summary key, cohort cell, customer's RFM scores, product cycle, trend period, next pair, group by Country, customer's tier, dormant customer and
# reactivation period with
# the SQL definitions in tests/bench/.
# Usage, from the repository root: tests/real_data/check.sh path/to/rebuy
# Regenerate after an intended change: tests/real_data/check.sh path/to/rebuy --update
set -uo pipefail
rebuy=${1:?usage: check.sh REBUY [--update]}
update=${2:-}
here=tests/real_data
data=../shared/data
passed=0
failed=0

check() {  # name, then rebuy's arguments
  local name=$1; shift
  local actual
  if ! actual=$("$rebuy" "$@" 2>&1); then
    echo "FAIL $name: rebuy $* exited non-zero:"; echo "$actual"; failed=$((failed + 1)); return
  fi
  if [ "$update" = "--update" ]; then
    printf '%s\n' "$actual" > "$here/$name"
  fi
  if diff -u "$here/$name" <(printf '%s\n' "$actual"); then
    echo "ok   $name"; passed=$((passed + 1))
  else
    echo "FAIL $name: output differs from $here/$name"; failed=$((failed + 1))
  fi
}

check cdnow.inspect.json inspect "$data/cdnow.csv" --format json
check cdnow.summary.json summary "$data/cdnow.csv" --format json
check online_retail.inspect.json inspect "$data/online_retail.csv.gz" --format json
check online_retail.summary.json summary "$data/online_retail.csv.gz" --format json
check online_retail.summary-as-of-2011-06-30.json summary "$data/online_retail.csv.gz" --as-of 2011-06-30 --format json
check cdnow.cohorts.csv cohorts "$data/cdnow.csv" --format csv
check cdnow.cohorts-extras.csv cohorts "$data/cdnow.csv" --extras --format csv
check online_retail.cohorts.csv cohorts "$data/online_retail.csv.gz" --format csv
check online_retail.cohorts-week-extras.csv cohorts "$data/online_retail.csv.gz" --period week --extras --format csv
check cdnow.rfm.csv rfm "$data/cdnow.csv" --format csv
check online_retail.rfm.csv rfm "$data/online_retail.csv.gz" --format csv
check online_retail.cycles.csv cycles "$data/online_retail.csv.gz" --format csv
check online_retail.rfm-as-of-2011-06-30.json rfm "$data/online_retail.csv.gz" --as-of 2011-06-30 --format json
check online_retail.summary-by-country.csv summary "$data/online_retail.csv.gz" --by Country --top 5 --format csv
check online_retail.summary-by-first-product.json summary "$data/online_retail.csv.gz" --by first-product --top 5 --format json
check online_retail.trend.csv trend "$data/online_retail.csv.gz" --format csv
check cdnow.trend-quarter.csv trend "$data/cdnow.csv" --period quarter --format csv
check online_retail.next-top-1.csv next "$data/online_retail.csv.gz" --top 1 --format csv
check online_retail.tiers.csv tiers "$data/online_retail.csv.gz" --format csv
check cdnow.tiers-since-1997-07-01.json tiers "$data/cdnow.csv" --since 1997-07-01 --format json
check online_retail.dormant-bands.csv dormant "$data/online_retail.csv.gz" --summary --format csv
check cdnow.dormant-bands.csv dormant "$data/cdnow.csv" --summary --format csv
check online_retail.dormant-rate.csv dormant "$data/online_retail.csv.gz" --rate --format csv
check cdnow.dormant-rate.csv dormant "$data/cdnow.csv" --rate --format csv

# Every platform export, read with no flags, against figures worked out independently.
if python3 tests/real_data/exports.py "$rebuy"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

if ! python3 -c 'import duckdb' 2>/dev/null; then
  timeout 300 python3 -m pip install --quiet duckdb >/dev/null 2>&1 || true
fi
if ! python3 -c 'import duckdb' 2>/dev/null; then
  echo "FAIL DuckDB cross-check: python3 cannot import duckdb and pip could not install it"
  failed=$((failed + 1))
else
  for args in "$data/cdnow.csv cdnow" "$data/online_retail.csv.gz online_retail" \
              "$data/online_retail.csv.gz online_retail --as-of 2011-06-30" \
              "$data/cdnow.csv cdnow --cohorts month" "$data/cdnow.csv cdnow --cohorts week" \
              "$data/online_retail.csv.gz online_retail --cohorts month" \
              "$data/online_retail.csv.gz online_retail --cohorts week" \
              "$data/online_retail.csv.gz online_retail --as-of 2011-06-30 --cohorts quarter" \
              "$data/cdnow.csv cdnow --rfm yes" "$data/online_retail.csv.gz online_retail --rfm yes" \
              "$data/online_retail.csv.gz online_retail --as-of 2011-06-30 --rfm yes" \
              "$data/online_retail.csv.gz online_retail --cycles yes" \
              "$data/online_retail.csv.gz online_retail --as-of 2011-06-30 --cycles yes" \
              "$data/cdnow.csv cdnow --trend month" "$data/cdnow.csv cdnow --trend quarter" \
              "$data/online_retail.csv.gz online_retail --trend month" \
              "$data/online_retail.csv.gz online_retail --trend week" \
              "$data/online_retail.csv.gz online_retail --as-of 2011-06-30 --trend month" \
              "$data/online_retail.csv.gz online_retail --next yes" \
              "$data/online_retail.csv.gz online_retail --by-country yes" \
              "$data/cdnow.csv cdnow --tiers yes" "$data/online_retail.csv.gz online_retail --tiers yes" \
              "$data/cdnow.csv cdnow --dormant yes" "$data/online_retail.csv.gz online_retail --dormant yes" \
              "$data/online_retail.csv.gz online_retail --as-of 2011-06-30 --dormant yes" \
              "$data/cdnow.csv cdnow --rate month" "$data/online_retail.csv.gz online_retail --rate month" \
              "$data/online_retail.csv.gz online_retail --rate week"; do
    # shellcheck disable=SC2086
    if python3 tests/bench/crosscheck.py "$rebuy" $args; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
    fi
  done
fi

echo "real-data: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
