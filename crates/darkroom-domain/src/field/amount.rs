//! Amounts of money as people type them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validate;

ascii_field!(
    /// An amount of money as people type it: digits with an optional
    /// decimal point (`45000`, `45000.50`); how many decimals a currency
    /// takes is checked against the currency.
    Amount, "^[0-9]{1,12}([.][0-9]{1,3})?$", "45000.50",
    "is not an amount; write digits with an optional decimal point, e.g. 45000.50",
    |s| {
        let (w, f) = s.split_once('.').unwrap_or((s, "0"));
        (1..=12).contains(&w.len()) && (1..=3).contains(&f.len())
            && w.bytes().chain(f.bytes()).all(|b| b.is_ascii_digit())
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_digits_and_at_most_three_decimals() {
        for ok in ["0", "45000", "45000.5", "45000.50", "1.125", "999999999999"] {
            assert!(Amount::from(ok).check().is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-5",
            "1e3",
            "12.",
            ".5",
            "1.2345",
            "1,000",
            "9999999999999",
            "٣",
        ] {
            assert!(Amount::from(bad).check().is_err(), "{bad}");
        }
        let re = regex::Regex::new(Amount::PATTERN).unwrap();
        for s in ["0", "12.5", "12.", "1.2345", "-1"] {
            assert_eq!(re.is_match(s), Amount::from(s).check().is_ok(), "{s}");
        }
    }
}
