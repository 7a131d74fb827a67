//! A line's money: its price, discount and tax under each regime, and an
//! invoice's totals as the sums of its lines.
//!
//! Quantities are thousandths (`1500` = 1.5 miles), rates thousandths of
//! a percent (`18000` = 18%, `8875` = 8.875%), amounts minor units. Products are exact in `i128`; each
//! amount is rounded once, half away from zero (Korea's VAT is cut off
//! below one won, as its tax office computes it).

use serde::Serialize;

use super::TaxRegime;

/// `n / d` rounded half away from zero (`d > 0`).
pub fn div_round(n: i128, d: i128) -> i128 {
    debug_assert!(d > 0);
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d { q + n.signum() } else { q }
}

/// `n / d` cut toward zero (`d > 0`).
pub fn div_trunc(n: i128, d: i128) -> i128 {
    n / d
}

fn clamp(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

/// How an invoice's lines are taxed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaxMode {
    pub regime: TaxRegime,
    /// Prices include the tax (the client pays the price as shown).
    pub inclusive: bool,
    /// For GST: the place of supply is in the supplier's state (CGST +
    /// SGST); otherwise IGST.
    pub intra_state: bool,
    /// The client does not pay tax (exempt, or an export under a bond).
    pub exempt: bool,
}

/// What a line charges before tax is worked out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinePrice {
    /// Thousandths of a unit (`1000` = 1).
    pub quantity_milli: i64,
    pub unit_minor: i64,
    /// Taken off the line's amount (never more than it).
    pub discount_minor: i64,
    /// Thousandths of a percent (`18000` = 18%).
    pub tax_rate_mp: i64,
}

/// A line's money, as printed and summed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineAmounts {
    /// Quantity times unit price.
    pub gross_minor: i64,
    pub discount_minor: i64,
    /// The taxable value (before tax).
    pub net_minor: i64,
    /// GST's central part.
    pub cgst_minor: i64,
    /// GST's state (or union territory) part.
    pub sgst_minor: i64,
    /// GST across states.
    pub igst_minor: i64,
    /// VAT or sales tax.
    pub vat_minor: i64,
    /// What the client pays for the line.
    pub total_minor: i64,
}

impl LineAmounts {
    pub fn tax_minor(&self) -> i64 {
        self.cgst_minor + self.sgst_minor + self.igst_minor + self.vat_minor
    }
}

/// All of a price: a rate of 100%.
pub const FULL_RATE: i64 = 100_000;

/// The tax rates a regime allows, if it restricts them.
pub fn check_rate(regime: TaxRegime, mp: i64) -> Result<(), String> {
    if !(0..=FULL_RATE).contains(&mp) {
        return Err(format!(
            "a tax rate is between 0 and 100%; {}% is not",
            fmt_rate(mp)
        ));
    }
    match regime {
        TaxRegime::GstIn
            if ![0, 100, 250, 3_000, 5_000, 12_000, 18_000, 28_000, 40_000].contains(&mp) =>
        {
            Err(format!(
                "{}% is not a GST rate; use 0, 0.1, 0.25, 3, 5, 12, 18, 28 or 40",
                fmt_rate(mp)
            ))
        }
        TaxRegime::VatKr if mp != 0 && mp != 10_000 => Err(format!(
            "Korea's VAT is 10% (or 0% for zero-rated and exempt supplies); {}% is not",
            fmt_rate(mp)
        )),
        TaxRegime::None if mp != 0 => Err(format!(
            "the branch charges no tax, so a line cannot have {}%; set the branch's tax regime first",
            fmt_rate(mp)
        )),
        _ => Ok(()),
    }
}

/// A rate as a percentage (`18000` → `18`, `8875` → `8.875`).
pub fn fmt_rate(mp: i64) -> String {
    let whole = mp / 1000;
    let frac = (mp % 1000).abs();
    if frac == 0 {
        whole.to_string()
    } else {
        let f = format!("{frac:03}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    }
}

/// Works out a line. Fails when the discount is more than the line.
pub fn line(p: LinePrice, mode: TaxMode) -> Result<LineAmounts, String> {
    let gross = div_round(
        i128::from(p.quantity_milli) * i128::from(p.unit_minor),
        1000,
    );
    let discount = i128::from(p.discount_minor);
    if discount > gross.abs() || discount < 0 {
        return Err(format!(
            "the discount ({}) is more than the line's amount ({gross}); lower it",
            p.discount_minor
        ));
    }
    let amount = gross - discount;
    let rate = if mode.exempt || mode.regime == TaxRegime::None {
        0
    } else {
        i128::from(p.tax_rate_mp)
    };
    let korea = mode.regime == TaxRegime::VatKr;
    let cut = |n: i128, d: i128| {
        if korea {
            div_trunc(n, d)
        } else {
            div_round(n, d)
        }
    };
    let (net, tax) = if mode.inclusive {
        let tax = cut(amount * rate, 100_000 + rate);
        (amount - tax, tax)
    } else {
        (amount, cut(amount * rate, 100_000))
    };
    let mut out = LineAmounts {
        gross_minor: clamp(gross),
        discount_minor: clamp(discount),
        net_minor: clamp(net),
        ..LineAmounts::default()
    };
    match mode.regime {
        TaxRegime::GstIn if mode.intra_state => {
            // Half the rate each; an odd paisa of an inclusive price goes
            // to the central part so the parts add up to the tax.
            let half = if mode.inclusive {
                tax / 2
            } else {
                div_round(net * rate, 200_000)
            };
            let central = if mode.inclusive { tax - half } else { half };
            out.cgst_minor = clamp(central);
            out.sgst_minor = clamp(half);
        }
        TaxRegime::GstIn => out.igst_minor = clamp(tax),
        _ => out.vat_minor = clamp(tax),
    }
    out.total_minor = out.net_minor + out.tax_minor();
    Ok(out)
}

/// An invoice's sums, each the sum of its lines'.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    pub gross_minor: i64,
    pub discount_minor: i64,
    pub net_minor: i64,
    pub cgst_minor: i64,
    pub sgst_minor: i64,
    pub igst_minor: i64,
    pub vat_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

impl Totals {
    pub fn of<'a>(lines: impl IntoIterator<Item = &'a LineAmounts>) -> Totals {
        let mut t = Totals::default();
        for l in lines {
            t.gross_minor += l.gross_minor;
            t.discount_minor += l.discount_minor;
            t.net_minor += l.net_minor;
            t.cgst_minor += l.cgst_minor;
            t.sgst_minor += l.sgst_minor;
            t.igst_minor += l.igst_minor;
            t.vat_minor += l.vat_minor;
            t.tax_minor += l.tax_minor();
            t.total_minor += l.total_minor;
        }
        t
    }
}

/// A discount as sent: an amount (`500`, `12.50`) or a percentage of the
/// line (`10%`), in minor units for a line of `gross_minor`.
pub fn discount_of(
    text: &str,
    gross_minor: i64,
    currency: crate::money::Currency,
) -> Result<i64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(0);
    }
    if let Some(pct) = t.strip_suffix('%') {
        let mp = super::quantity::parse_percent(pct.trim())?;
        return Ok(clamp(div_round(
            i128::from(gross_minor) * i128::from(mp),
            i128::from(FULL_RATE),
        )));
    }
    currency.parse_amount(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mode(regime: TaxRegime, inclusive: bool, intra: bool) -> TaxMode {
        TaxMode {
            regime,
            inclusive,
            intra_state: intra,
            exempt: false,
        }
    }

    fn price(qty: i64, unit: i64, bp: i64) -> LinePrice {
        LinePrice {
            quantity_milli: qty,
            unit_minor: unit,
            discount_minor: 0,
            tax_rate_mp: bp * 10,
        }
    }

    /// Worked examples as the regimes publish them.
    #[test]
    fn published_examples() {
        // India, CBIC's illustration: a service of ₹10,000 at 18% within
        // Karnataka is CGST ₹900 + SGST ₹900; to Maharashtra, IGST ₹1,800.
        let intra = line(
            price(1000, 1_000_000, 1800),
            mode(TaxRegime::GstIn, false, true),
        )
        .unwrap();
        assert_eq!(
            (intra.cgst_minor, intra.sgst_minor, intra.igst_minor),
            (90_000, 90_000, 0)
        );
        assert_eq!(intra.total_minor, 1_180_000);
        let inter = line(
            price(1000, 1_000_000, 1800),
            mode(TaxRegime::GstIn, false, false),
        )
        .unwrap();
        assert_eq!(
            (inter.cgst_minor, inter.igst_minor, inter.total_minor),
            (0, 180_000, 1_180_000)
        );
        // GST at 5% on ₹1,050 inclusive: taxable ₹1,000, tax ₹50 (25 + 25).
        let incl = line(
            price(1000, 105_000, 500),
            mode(TaxRegime::GstIn, true, true),
        )
        .unwrap();
        assert_eq!(
            (incl.net_minor, incl.cgst_minor, incl.sgst_minor),
            (100_000, 2_500, 2_500)
        );
        // HMRC (VAT Notice 700): £100 at 20% is £20 VAT; a VAT-inclusive
        // £1,000 at the standard rate holds £166.67 (the VAT fraction 1/6).
        let uk = line(
            price(1000, 10_000, 2000),
            mode(TaxRegime::Vat, false, false),
        )
        .unwrap();
        assert_eq!((uk.vat_minor, uk.total_minor), (2_000, 12_000));
        let uk_in = line(
            price(1000, 100_000, 2000),
            mode(TaxRegime::Vat, true, false),
        )
        .unwrap();
        assert_eq!(
            (uk_in.vat_minor, uk_in.net_minor, uk_in.total_minor),
            (16_667, 83_333, 100_000)
        );
        // Korea (국세청): supply value ₩100,000 carries ₩10,000 VAT; a
        // ₩10,000 price including VAT is ₩9,091 supply and ₩909 VAT
        // (the tax cut off below one won).
        let kr = line(
            price(1000, 100_000, 1000),
            mode(TaxRegime::VatKr, false, false),
        )
        .unwrap();
        assert_eq!((kr.vat_minor, kr.total_minor), (10_000, 110_000));
        let kr_in = line(
            price(1000, 10_000, 1000),
            mode(TaxRegime::VatKr, true, false),
        )
        .unwrap();
        assert_eq!((kr_in.net_minor, kr_in.vat_minor), (9_091, 909));
        let kr_cut = line(
            price(1000, 12_345, 1000),
            mode(TaxRegime::VatKr, false, false),
        )
        .unwrap();
        assert_eq!(kr_cut.vat_minor, 1_234);
        // Seed 000's mileage: 42.5 miles at $0.66 is $28.05.
        let miles = line(
            price(42_500, 66, 0),
            mode(TaxRegime::SalesTax, false, false),
        )
        .unwrap();
        assert_eq!(miles.total_minor, 2_805);
        // US sales tax 8.875% (New York City) on $250.00 is $22.19 (22.1875).
        let mut ny = price(1000, 25_000, 0);
        ny.tax_rate_mp = 8_875;
        let ny = line(ny, mode(TaxRegime::SalesTax, false, false)).unwrap();
        assert_eq!(ny.vat_minor, 2_219);
    }

    #[test]
    fn exempt_clients_and_discounts() {
        let mut m = mode(TaxRegime::GstIn, false, true);
        m.exempt = true;
        let l = line(price(2000, 5_000, 1800), m).unwrap();
        assert_eq!(
            (l.net_minor, l.tax_minor(), l.total_minor),
            (10_000, 0, 10_000)
        );
        let mut p = price(1000, 10_000, 1800);
        p.discount_minor = 1_000;
        let l = line(p, mode(TaxRegime::GstIn, false, false)).unwrap();
        assert_eq!(
            (l.net_minor, l.igst_minor, l.total_minor),
            (9_000, 1_620, 10_620)
        );
        p.discount_minor = 10_001;
        assert!(
            line(p, mode(TaxRegime::GstIn, false, false))
                .unwrap_err()
                .contains("discount")
        );
    }

    #[test]
    fn rates_each_regime_allows() {
        assert!(check_rate(TaxRegime::GstIn, 18_000).is_ok());
        assert!(
            check_rate(TaxRegime::GstIn, 17_000)
                .unwrap_err()
                .contains("not a GST rate")
        );
        assert!(check_rate(TaxRegime::VatKr, 10_000).is_ok());
        assert!(check_rate(TaxRegime::VatKr, 20_000).is_err());
        assert!(check_rate(TaxRegime::Vat, 21_000).is_ok());
        assert!(check_rate(TaxRegime::Vat, 100_001).is_err());
        assert!(check_rate(TaxRegime::None, 5_000).is_err());
        assert_eq!(fmt_rate(18_000), "18");
        assert_eq!(fmt_rate(250), "0.25");
        assert_eq!(fmt_rate(8_875), "8.875");
        assert_eq!(fmt_rate(5_500), "5.5");
    }

    #[test]
    fn discounts_read_as_amounts_or_percentages() {
        let inr = crate::money::Currency::parse("INR").unwrap();
        assert_eq!(discount_of("10%", 250_000, inr), Ok(25_000));
        assert_eq!(discount_of("12.5 %", 1_000, inr), Ok(125));
        assert_eq!(discount_of("500", 250_000, inr), Ok(50_000));
        assert_eq!(discount_of("", 250_000, inr), Ok(0));
        assert!(discount_of("150%", 1, inr).is_err());
        assert!(discount_of("5.555", 1, inr).is_err());
    }

    fn any_regime() -> impl Strategy<Value = TaxRegime> {
        prop::sample::select(TaxRegime::ALL.to_vec())
    }

    proptest! {
        /// The parts of every line add up to its total, and an inclusive
        /// price is exactly what the client pays.
        #[test]
        fn a_line_adds_up(
            qty in 1i64..10_000_000, unit in 0i64..100_000_000, rate in 0i64..=40_000,
            regime in any_regime(), inclusive: bool, intra: bool, disc_pct in 0i64..=100,
        ) {
            let gross = div_round(i128::from(qty) * i128::from(unit), 1000) as i64;
            let p = LinePrice { quantity_milli: qty, unit_minor: unit, discount_minor: gross * disc_pct / 100, tax_rate_mp: rate };
            let l = line(p, TaxMode { regime, inclusive, intra_state: intra, exempt: false }).unwrap();
            prop_assert_eq!(l.total_minor, l.net_minor + l.cgst_minor + l.sgst_minor + l.igst_minor + l.vat_minor);
            prop_assert_eq!(l.gross_minor - l.discount_minor, if inclusive { l.total_minor } else { l.net_minor });
            prop_assert!(l.tax_minor() >= 0 && l.net_minor >= 0);
            if regime == TaxRegime::GstIn && intra && !inclusive {
                prop_assert_eq!(l.cgst_minor, l.sgst_minor);
            }
            if regime == TaxRegime::GstIn && intra && inclusive {
                prop_assert!((l.cgst_minor - l.sgst_minor).abs() <= 1);
            }
        }

        /// An invoice's every total is the sum of its lines'.
        #[test]
        fn totals_are_the_sums_of_lines(
            prices in prop::collection::vec((1i64..100_000, 0i64..10_000_000, prop::sample::select(vec![0i64, 500, 1200, 1800, 2800])), 0..40),
            inclusive: bool, intra: bool,
        ) {
            let m = TaxMode { regime: TaxRegime::GstIn, inclusive, intra_state: intra, exempt: false };
            let lines: Vec<LineAmounts> = prices.iter().map(|&(q, u, bp)| line(price(q, u, bp), m).unwrap()).collect();
            let t = Totals::of(&lines);
            prop_assert_eq!(t.total_minor, lines.iter().map(|l| l.total_minor).sum::<i64>());
            prop_assert_eq!(t.total_minor, t.net_minor + t.tax_minor);
            prop_assert_eq!(t.tax_minor, t.cgst_minor + t.sgst_minor + t.igst_minor + t.vat_minor);
            prop_assert_eq!(t.gross_minor - t.discount_minor, if inclusive { t.total_minor } else { t.net_minor });
        }
    }
}
