//! Money as exports write it (platforms §1 rule 6): white space and no-break spaces
//! around it, one currency symbol before or after the number with a sign on either
//! side of it, and a decimal point or a decimal comma, decided per column from the
//! values that show which one they use.

pub use super::schema::Decimal;
use crate::money::{Money, NumberError};

/// What one value says about its column's decimal separator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// No separator: the same number either way.
    Plain,
    /// Only one separator can be the decimal one: `261.96`, `0.368`, `1,234.50` show a
    /// point, `261,96`, `41,9136`, `1.234,50` a comma.
    Shows(Decimal),
    /// `1,706` and `22.368`: 1–3 digits (not starting with 0), one separator, exactly
    /// three digits; a decimal or a thousands separator.
    Ambiguous(Decimal),
}

/// A number read under a decimal separator, and what it said about the separator.
#[inline]
pub fn read(raw: &[u8], decimal: Decimal) -> Result<(Money, Shape), NumberError> {
    if let Some(read) = plain(raw, decimal) {
        return read;
    }
    let decoded;
    let text = match std::str::from_utf8(raw) {
        Ok(text) => text,
        Err(_) => {
            decoded = super::schema::windows_1252_to_utf8(raw);
            &decoded
        }
    };
    let (negative, body) = unwrap(text).ok_or(NumberError::NotANumber)?;
    let shape = shape(body).ok_or(NumberError::NotANumber)?;
    // The decimal separator of this value; the other one, if any, groups thousands.
    let separator = match shape {
        Shape::Plain => None,
        Shape::Shows(d) => Some(d),
        Shape::Ambiguous(_) => Some(decimal),
    };
    let (int, frac) = match separator.and_then(|s| body.rfind(s.char())) {
        Some(at) => (&body[..at], &body[at + 1..]),
        None => (body, ""),
    };
    let digits: String = int.chars().filter(char::is_ascii_digit).collect();
    Money::from_parts(negative, digits.as_bytes(), frac.as_bytes()).map(|m| (m, shape))
}

const SPACES: [char; 3] = [' ', '\u{a0}', '\u{202f}'];
const CURRENCIES: [char; 5] = ['$', '€', '£', '¥', '₹'];

/// The common case without a copy: an optional `-`, digits and at most one `.`.
#[inline(always)]
fn plain(raw: &[u8], decimal: Decimal) -> Option<Result<(Money, Shape), NumberError>> {
    let (negative, body) = match raw {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, raw),
    };
    let mut dot = None;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'0'..=b'9' => {}
            b'.' if dot.is_none() => dot = Some(i),
            _ => return None,
        }
    }
    let Some(at) = dot else {
        if body.is_empty() {
            return None;
        }
        return Some(Money::from_parts(negative, body, b"").map(|m| (m, Shape::Plain)));
    };
    let (int, frac) = (&body[..at], &body[at + 1..]);
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if (1..=3).contains(&int.len()) && int[0] != b'0' && frac.len() == 3 {
        let shape = Shape::Ambiguous(Decimal::Point);
        if decimal == Decimal::Comma {
            // The dot groups thousands: `1.250` is 1250.
            let mut digits = [0u8; 6];
            digits[..int.len()].copy_from_slice(int);
            digits[int.len()..int.len() + 3].copy_from_slice(frac);
            let money = Money::from_parts(negative, &digits[..int.len() + 3], b"");
            return Some(money.map(|m| (m, shape)));
        }
        return Some(Money::from_parts(negative, int, frac).map(|m| (m, shape)));
    }
    Some(Money::from_parts(negative, int, frac).map(|m| (m, Shape::Shows(Decimal::Point))))
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || SPACES.contains(&c))
}

/// The sign and the digits with their separators, without spaces, currency symbol and
/// sign; `None` when anything else is there (`0%`, `16GB`, `(5)`).
fn unwrap(text: &str) -> Option<(bool, &str)> {
    let mut rest = trim(text);
    let mut negative = None;
    let sign = |rest: &mut &str, negative: &mut Option<bool>| {
        if negative.is_none() {
            if let Some(tail) = rest.strip_prefix('-') {
                *negative = Some(true);
                *rest = trim(tail);
            } else if let Some(tail) = rest.strip_prefix('+') {
                *negative = Some(false);
                *rest = trim(tail);
            }
        }
    };
    sign(&mut rest, &mut negative);
    let mut currency = false;
    if let Some(tail) = rest.strip_prefix(CURRENCIES) {
        currency = true;
        rest = trim(tail);
        sign(&mut rest, &mut negative);
    }
    if !currency {
        if let Some(head) = rest.strip_suffix(CURRENCIES) {
            rest = trim(head);
        }
    }
    let digits = rest.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0
        || !rest
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    Some((negative.unwrap_or(false), rest))
}

/// What the separators of a number's digits say; `None` when they cannot be a number
/// (`1.2.3`, `1,23,4`).
fn shape(body: &str) -> Option<Shape> {
    let separators: Vec<(usize, char)> = body
        .char_indices()
        .filter(|(_, c)| matches!(c, '.' | ','))
        .collect();
    let kind = |c: char| {
        if c == '.' {
            Decimal::Point
        } else {
            Decimal::Comma
        }
    };
    let Some(&(last_at, last)) = separators.last() else {
        return Some(Shape::Plain);
    };
    let groups_of_three = |upto: usize, group: char| -> bool {
        // Every part between separators `group` before `upto` is three digits; the
        // first is 1–3.
        let parts: Vec<&str> = body[..upto].split(group).collect();
        parts.len() >= 2
            && (1..=3).contains(&parts[0].len())
            && parts[1..].iter().all(|p| p.len() == 3)
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    };
    let kinds_differ = separators.iter().any(|&(_, c)| c != last);
    if kinds_differ {
        // `1,234.50`: the last separator is the decimal one, the others group.
        let group = if last == '.' { ',' } else { '.' };
        if separators[..separators.len() - 1]
            .iter()
            .any(|&(_, c)| c != group)
            || !groups_of_three(last_at, group)
            || body[last_at + 1..].is_empty()
        {
            return None;
        }
        return Some(Shape::Shows(kind(last)));
    }
    if separators.len() > 1 {
        // `1,234,567`: the separator groups thousands; the decimal one is the other.
        if !groups_of_three(body.len(), last) {
            return None;
        }
        return Some(Shape::Shows(kind(last).other()));
    }
    let (int, frac) = (&body[..last_at], &body[last_at + 1..]);
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if (1..=3).contains(&int.len()) && !int.starts_with('0') && frac.len() == 3 {
        return Some(Shape::Ambiguous(kind(last)));
    }
    Some(Shape::Shows(kind(last)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decimal::{Comma, Point};

    fn value(text: &str, decimal: Decimal) -> Result<String, NumberError> {
        read(text.as_bytes(), decimal).map(|(m, _)| m.to_string())
    }

    fn shape_of(text: &str) -> Shape {
        read(text.as_bytes(), Point).unwrap().1
    }

    #[test]
    fn the_contract_examples_show_their_separator() {
        assert_eq!(shape_of("261,96"), Shape::Shows(Comma));
        assert_eq!(shape_of("41,9136"), Shape::Shows(Comma));
        assert_eq!(shape_of("1.234,50"), Shape::Shows(Comma));
        assert_eq!(shape_of("261.96"), Shape::Shows(Point));
        assert_eq!(shape_of("0.368"), Shape::Shows(Point));
        assert_eq!(shape_of("1,234.50"), Shape::Shows(Point));
        assert_eq!(shape_of("1,706"), Shape::Ambiguous(Comma));
        assert_eq!(shape_of("22.368"), Shape::Ambiguous(Point));
        assert_eq!(shape_of("12"), Shape::Plain);
        assert_eq!(shape_of("1,234,567"), Shape::Shows(Point));
        assert_eq!(shape_of("1.234.567"), Shape::Shows(Comma));
    }

    #[test]
    fn values_under_each_separator() {
        assert_eq!(value("261,96", Point).unwrap(), "261.96");
        assert_eq!(value("1.234,50", Point).unwrap(), "1234.5");
        assert_eq!(value("1,234.50", Comma).unwrap(), "1234.5");
        assert_eq!(value("1,706", Point).unwrap(), "1706");
        assert_eq!(value("1,706", Comma).unwrap(), "1.706");
        assert_eq!(value("22.368", Point).unwrap(), "22.368");
        assert_eq!(value("22.368", Comma).unwrap(), "22368");
        assert_eq!(value("1,234,567", Comma).unwrap(), "1234567");
        assert_eq!(value("0,5", Point).unwrap(), "0.5");
        assert_eq!(value(",5", Point).unwrap(), "0.5");
        assert_eq!(value("5.", Point).unwrap(), "5");
        assert_eq!(value("1234,567", Point).unwrap(), "1234.567");
    }

    #[test]
    fn currency_symbols_and_signs_either_side() {
        for (text, expected) in [
            ("$12.50", "12.5"),
            ("-$12.50", "-12.5"),
            ("$-12.50", "-12.5"),
            ("12,50 €", "12.5"),
            ("-12,50 €", "-12.5"),
            ("£3", "3"),
            ("¥1,000", "1000"),
            ("₹ 99.9", "99.9"),
            ("\u{a0}7.25\u{a0}", "7.25"),
            ("+4", "4"),
        ] {
            assert_eq!(value(text, Point).unwrap(), expected, "{text:?}");
        }
    }

    #[test]
    fn what_is_not_a_number() {
        for bad in [
            "",
            "-",
            ".",
            ",",
            "abc",
            "0%",
            " 16GB",
            "(5)",
            "1.2.3",
            "1,23,4",
            "$$5",
            "1e3",
            "12 34",
            "--1",
            "5 $ €",
            "1.234,5.6",
        ] {
            assert_eq!(value(bad, Point), Err(NumberError::NotANumber), "{bad:?}");
        }
    }

    #[test]
    fn windows_1252_currency_symbols() {
        assert_eq!(read(b"\x8012,50", Point).unwrap().0.to_string(), "12.5");
        assert_eq!(read(b"\xa33", Point).unwrap().0.to_string(), "3");
    }

    mod round_trip {
        //! Every money form: format a random value in it, read it back under the
        //! separator it was written with, same value.
        use super::*;
        use proptest::prelude::*;

        /// `units` with `sep` between groups of three digits.
        fn grouped(units: u64, sep: char) -> String {
            let digits = units.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(sep);
                }
                out.push(c);
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn every_money_form_round_trips(
                ten_thousandths in -10_000_000_000_000i64..10_000_000_000_000,
                decimals in 0usize..5,
                comma in any::<bool>(),
                group in any::<bool>(),
                wrap in 0usize..6,
            ) {
                // The value rounded to the decimals written.
                let scale = 10i64.pow(4 - decimals as u32);
                let value = ten_thousandths / scale * scale;
                let magnitude = value.unsigned_abs();
                let (units, fraction) = (magnitude / 10_000, magnitude % 10_000);
                let (decimal, thousands) = if comma { (',', '.') } else { ('.', ',') };
                let mut body = if group { grouped(units, thousands) } else { units.to_string() };
                if decimals > 0 {
                    let digits = format!("{fraction:04}");
                    body.push(decimal);
                    body.push_str(&digits[..decimals]);
                }
                let sign = if value < 0 { "-" } else { "" };
                let text = match wrap {
                    0 => format!("{sign}{body}"),
                    1 => format!("{sign}${body}"),
                    2 => format!("${sign}{body}"),
                    3 => format!("{sign}{body} €"),
                    4 => format!(" {sign}£{body}\u{a0}"),
                    _ => format!("{sign}{body}₹"),
                };
                let written = if comma { Comma } else { Point };
                let (money, shape) = read(text.as_bytes(), written).unwrap();
                prop_assert_eq!(money, Money(value), "{}", text);
                // What a value shows never contradicts how it was written.
                if let Shape::Shows(d) = shape {
                    prop_assert_eq!(d, written, "{}", text);
                }
            }
        }
    }
}
