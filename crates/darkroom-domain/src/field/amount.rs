//! Amounts of money, quantities, rates and billing's choices as people type them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::names::Named;
use crate::validate;

pick!(/// A tax regime.
    TaxRegimeName => crate::billing::TaxRegime);
pick!(/// An invoice kind.
    InvoiceKindName => crate::billing::InvoiceKind);
pick!(/// An invoice status.
    InvoiceStatusName => crate::billing::InvoiceStatus);
pick!(/// What a line is for.
    LineKindName => crate::billing::LineKind);
pick!(/// A custom fee, or `""` for none.
    FeeKindOrBlank => crate::billing::FeeKind, or blank);
pick!(/// How money moved.
    PaymentMethodName => crate::billing::PaymentMethod);
pick!(/// Who a cash receipt is issued to.
    ReceiptIdentityName => crate::billing::ReceiptIdentity);
pick!(/// What a cash receipt is for.
    ReceiptPurposeName => crate::billing::ReceiptPurpose);
pick!(/// Where a contract stands.
    ContractStatusName => crate::billing::contract::ContractStatus);
pick!(/// How a signature was made.
    SignatureKindName => crate::billing::contract::SignatureKind);
pick!(/// Where a cash receipt stands.
    ReceiptStatusName => crate::billing::ReceiptStatus);

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

ascii_field!(
    /// How many of a line's unit: digits with up to three decimals (`1`,
    /// `42.5` miles), more than zero, at most a million.
    Quantity, "^[0-9]{1,7}([.][0-9]{1,3})?$", "42.5",
    "is not a quantity; write digits with an optional decimal point (up to 3 decimals), e.g. 2 or 42.5",
    |s| {
        let (w, f) = s.split_once('.').unwrap_or((s, "0"));
        (1..=7).contains(&w.len()) && (1..=3).contains(&f.len())
            && w.bytes().chain(f.bytes()).all(|b| b.is_ascii_digit())
    }
);

ascii_field!(
    /// A percentage from 0 to 100 with up to three decimals (`18`, `8.875`).
    Percent, "^[0-9]{1,3}([.][0-9]{1,3})?$", "18",
    "is not a percentage; write a number from 0 to 100 with up to 3 decimals, e.g. 18 or 8.875",
    |s| {
        let (w, f) = s.split_once('.').unwrap_or((s, "0"));
        (1..=3).contains(&w.len()) && (1..=3).contains(&f.len())
            && w.bytes().chain(f.bytes()).all(|b| b.is_ascii_digit())
    }
);

ascii_field!(
    /// A discount: an amount (`500`, `12.50`), a percentage (`10%`), or
    /// `""` for none.
    Discount, "^([0-9]{1,12}([.][0-9]{1,3})?%?)?$", "10%",
    "is not a discount; write an amount (e.g. 500) or a percentage (e.g. 10%), or leave it empty",
    |s| {
        let t = s.strip_suffix('%').unwrap_or(s);
        s.is_empty() || {
            let (w, f) = t.split_once('.').unwrap_or((t, "0"));
            (1..=12).contains(&w.len()) && (1..=3).contains(&f.len())
                && w.bytes().chain(f.bytes()).all(|b| b.is_ascii_digit())
        }
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
        for (pattern, check, samples) in [
            (
                Quantity::PATTERN,
                (|s: &str| Quantity::from(s).check().is_ok()) as fn(&str) -> bool,
                ["1", "42.5", "0.001", "1.", "12345678", "-1", "1.2345"],
            ),
            (
                Percent::PATTERN,
                |s: &str| Percent::from(s).check().is_ok(),
                ["18", "8.875", "100", "1000", "1.", "", "-1"],
            ),
            (
                Discount::PATTERN,
                |s: &str| Discount::from(s).check().is_ok(),
                ["", "10%", "12.5", "12.5%", "%", "1.%", "-1"],
            ),
        ] {
            let re = regex::Regex::new(pattern).unwrap();
            for s in samples {
                assert_eq!(re.is_match(s), check(s), "{pattern} {s}");
            }
        }
        let re = regex::Regex::new(Amount::PATTERN).unwrap();
        for s in ["0", "12.5", "12.", "1.2345", "-1"] {
            assert_eq!(re.is_match(s), Amount::from(s).check().is_ok(), "{s}");
        }
    }
}
