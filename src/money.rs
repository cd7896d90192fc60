//! Money in fixed point (contract §1 step 3): whole ten-thousandths in an `i64`, so
//! sums are exact and equal revenues compare equal. Quantities use the same scale.

use std::fmt;

/// Ten-thousandths of a currency unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

pub const SCALE: i64 = 10_000;
const DECIMALS: usize = 4;
/// Above this many whole units a value is refused (also `quantity × unit_price`).
const LIMIT_UNITS: i64 = 100_000_000_000_000;
/// The largest value, in ten-thousandths.
const LIMIT: i64 = LIMIT_UNITS * SCALE;
/// Every sum rebuy makes of amounts (orders, occasions, revenue) is bounded by the sum
/// of their absolute values; `input` refuses an input whose absolute values add up
/// past this, so no sum can wrap.
pub const SUM_LIMIT: Money = Money(i64::MAX);

/// Why a text is not a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumberError {
    NotANumber,
    TooLarge,
}

impl NumberError {
    pub fn describe(&self) -> &'static str {
        match self {
            NumberError::NotANumber => {
                "not a number (rebuy reads decimals such as 1234.56, 1.234,56 or -$3.50)"
            }
            NumberError::TooLarge => "too large for an amount (over 10^14)",
        }
    }
}

impl Money {
    /// Appends what `Display` writes, without the formatting machinery: long lists
    /// write millions of amounts.
    pub fn write_to(self, out: &mut String) {
        if self.0 < 0 {
            out.push('-');
        }
        let magnitude = self.0.unsigned_abs();
        out.push_str(itoa::Buffer::new().format(magnitude / SCALE as u64));
        let mut fraction = magnitude % SCALE as u64;
        if fraction != 0 {
            let mut digits = [b'0'; 4];
            for digit in digits.iter_mut().rev() {
                *digit = b'0' + (fraction % 10) as u8;
                fraction /= 10;
            }
            let shown = 4 - digits.iter().rev().take_while(|&&d| d == b'0').count();
            out.push('.');
            out.extend(digits[..shown].iter().map(|&d| char::from(d)));
        }
    }

    /// Reads a plain decimal: optional sign, digits, optional `.` and digits. More than
    /// four decimals are rounded half away from zero.
    pub fn parse(text: &str) -> Result<Money, NumberError> {
        let b = text.trim().as_bytes();
        let (negative, b) = match b {
            [b'-', rest @ ..] => (true, rest),
            [b'+', rest @ ..] => (false, rest),
            _ => (false, b),
        };
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let (int_part, rest) = b.split_at(int_len);
        let frac_part = match rest {
            [] => &[][..],
            [b'.', frac @ ..] if frac.iter().all(u8::is_ascii_digit) => frac,
            _ => return Err(NumberError::NotANumber),
        };
        Money::from_parts(negative, int_part, frac_part)
    }

    /// The number with these digits before and after the decimal separator (ASCII
    /// digits only). More than four decimals are rounded half away from zero.
    pub fn from_parts(
        negative: bool,
        int_part: &[u8],
        frac_part: &[u8],
    ) -> Result<Money, NumberError> {
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(NumberError::NotANumber);
        }
        let int_digits = int_part.iter().skip_while(|&&c| c == b'0').count();
        if int_digits > 15 {
            return Err(NumberError::TooLarge);
        }
        let units = int_part
            .iter()
            .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
        if units > LIMIT_UNITS {
            return Err(NumberError::TooLarge);
        }
        let mut fraction = 0i64;
        for i in 0..DECIMALS {
            fraction = fraction * 10 + frac_part.get(i).map_or(0, |d| i64::from(d - b'0'));
        }
        let round_up = frac_part.get(DECIMALS).is_some_and(|&d| d >= b'5');
        let magnitude = units * SCALE + fraction + i64::from(round_up);
        Ok(Money(if negative { -magnitude } else { magnitude }))
    }

    /// quantity × unit price, rounded half away from zero to four decimals; too large
    /// past 10^14, like a value read.
    pub fn times(quantity: Money, unit_price: Money) -> Result<Money, NumberError> {
        let product = i128::from(quantity.0) * i128::from(unit_price.0);
        let scale = i128::from(SCALE);
        let half = scale / 2;
        let rounded = if product >= 0 {
            (product + half) / scale
        } else {
            (product - half) / scale
        };
        if rounded.abs() > i128::from(LIMIT) {
            return Err(NumberError::TooLarge);
        }
        Ok(Money(rounded as i64))
    }

    /// A value already in fixed point (a typed column), within the same limit.
    pub fn checked(value: i64) -> Result<Money, NumberError> {
        if value.unsigned_abs() > LIMIT.unsigned_abs() {
            Err(NumberError::TooLarge)
        } else {
            Ok(Money(value))
        }
    }

    pub fn to_f64(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }
}

impl serde::Serialize for Money {
    /// A JSON number; exact for any amount below 2^53 ten-thousandths.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.to_f64())
    }
}

impl fmt::Display for Money {
    /// The exact value with trailing zeros of the fraction dropped: `12.5`, `-3`, `0.0001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let units = magnitude / SCALE as u64;
        let fraction = magnitude % SCALE as u64;
        if fraction == 0 {
            write!(f, "{sign}{units}")
        } else {
            // The fraction's digits without its trailing zeros, with no String made:
            // lists write millions of amounts.
            let (mut fraction, mut width) = (fraction, 4);
            while fraction % 10 == 0 {
                fraction /= 10;
                width -= 1;
            }
            write!(f, "{sign}{units}.{fraction:0width$}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_decimals_exactly() {
        assert_eq!(Money::parse("12.5"), Ok(Money(125_000)));
        assert_eq!(Money::parse(" -3.25 "), Ok(Money(-32_500)));
        assert_eq!(Money::parse("+7"), Ok(Money(70_000)));
        assert_eq!(Money::parse(".5"), Ok(Money(5_000)));
        assert_eq!(Money::parse("5."), Ok(Money(50_000)));
        assert_eq!(Money::parse("0.0001"), Ok(Money(1)));
        assert_eq!(Money::parse("007.10"), Ok(Money(71_000)));
    }

    #[test]
    fn rounds_beyond_four_decimals_half_away_from_zero() {
        assert_eq!(Money::parse("0.00005"), Ok(Money(1)));
        assert_eq!(Money::parse("0.00004999"), Ok(Money(0)));
        assert_eq!(Money::parse("-0.00005"), Ok(Money(-1)));
        assert_eq!(Money::parse("1.23456"), Ok(Money(12_346)));
    }

    #[test]
    fn refuses_what_is_not_a_plain_number() {
        for bad in [
            "", "-", ".", "abc", "1,5", "$3.00", "1.2.3", "1e3", "12 34", "--1",
        ] {
            assert_eq!(Money::parse(bad), Err(NumberError::NotANumber), "{bad:?}");
        }
        assert_eq!(Money::parse("1000000000000000"), Err(NumberError::TooLarge));
    }

    #[test]
    fn sums_are_exact_where_floats_are_not() {
        let tenth = Money::parse("0.1").unwrap();
        let sum: i64 = std::iter::repeat_n(tenth.0, 3).sum();
        assert_eq!(Money(sum), Money::parse("0.3").unwrap());
    }

    #[test]
    fn quantity_times_price_rounds_half_away_from_zero() {
        let m = |s| Money::parse(s).unwrap();
        assert_eq!(Money::times(m("3"), m("2.55")), Ok(m("7.65")));
        assert_eq!(Money::times(m("0.5"), m("0.0001")), Ok(m("0.0001")));
        assert_eq!(Money::times(m("-0.5"), m("0.0001")), Ok(m("-0.0001")));
        assert_eq!(Money::times(m("-12"), m("1.25")), Ok(m("-15")));
    }

    #[test]
    fn quantity_times_price_past_the_limit_is_too_large() {
        let m = |s| Money::parse(s).unwrap();
        assert_eq!(
            Money::times(m("100000000000000"), m("1")),
            Ok(m("100000000000000"))
        );
        assert_eq!(
            Money::times(m("99999999999999"), m("99999999999999")),
            Err(NumberError::TooLarge)
        );
        assert_eq!(
            Money::times(m("-2"), m("60000000000000")),
            Err(NumberError::TooLarge)
        );
        assert_eq!(Money::checked(-LIMIT), Ok(Money(-LIMIT)));
        assert_eq!(Money::checked(i64::MIN), Err(NumberError::TooLarge));
    }

    #[test]
    fn displays_exact_values() {
        assert_eq!(Money(125_000).to_string(), "12.5");
        assert_eq!(Money(-30_000).to_string(), "-3");
        assert_eq!(Money(1).to_string(), "0.0001");
        assert_eq!(Money(-5_000).to_string(), "-0.5");
        for m in [
            0,
            1,
            -1,
            10,
            1_000,
            12_345,
            -120_500,
            99_999,
            i64::MAX,
            -i64::MAX,
            i64::MIN,
        ] {
            let mut written = String::new();
            Money(m).write_to(&mut written);
            assert_eq!(written, Money(m).to_string(), "{m}");
        }
    }
}
