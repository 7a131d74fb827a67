//! Contracts (decision 0034): the terms that drive money (deposit, balance
//! due before the event, the refund schedule, penalties), where a contract
//! stands, and its template's variables. Pure: no clock, no database.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lines::{FULL_RATE, div_round};
use super::split::by_weight;
use crate::named_enum;

named_enum!(
    /// Where a contract stands (seed 003).
    ContractStatus, "contract status" {
        /// Being prepared; its proposal and terms change freely.
        Draft => "draft",
        /// Sent to the client's signers; nothing of it changes now.
        Sent => "sent",
        /// Every signer and the studio have signed.
        Signed => "signed",
        /// The deposit is paid: the date is held.
        Active => "active",
        Completed => "completed",
        Cancelled => "cancelled",
    }
);

named_enum!(
    /// Who signs.
    SignerRole, "signer role" {
        /// The client, or each partner of a couple.
        Client => "client",
        /// The studio's countersignature.
        Studio => "studio",
    }
);

named_enum!(
    /// How a signature was made.
    SignatureKind, "signature kind" {
        /// The signer typed their name.
        Typed => "typed",
        /// The signer drew it (kept as the PNG the browser made).
        Drawn => "drawn",
    }
);

impl ContractStatus {
    /// Its proposal, body and terms can still change.
    pub fn is_editable(self) -> bool {
        self == ContractStatus::Draft
    }

    /// Signed by all, and not ended.
    pub fn is_binding(self) -> bool {
        matches!(self, ContractStatus::Signed | ContractStatus::Active)
    }
}

/// The deposit: a share of the total or an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Deposit {
    /// Thousandths of a percent of the total (`30000` = 30%).
    Percent { rate_mp: i64 },
    /// Minor units of the contract's currency.
    Amount { minor: i64 },
}

/// A step of the refund schedule: cancelled at least `days_before` days
/// before the event, `percent_mp` of what was paid comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundTier {
    pub days_before: i64,
    /// Thousandths of a percent (`50000` = 50%).
    pub percent_mp: i64,
}

/// The structured terms of a contract (what drives money, not just text).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    pub deposit: Deposit,
    /// The balance is due this many days before the event.
    pub balance_days_before: i64,
    /// From the furthest out to the nearest; closer than the last tier's
    /// days, nothing comes back.
    pub refund_tiers: Vec<RefundTier>,
    /// Kept from any refund when the client cancels (minor units).
    pub cancellation_fee_minor: i64,
    /// Charged to move the event to another day (minor units).
    pub reschedule_fee_minor: i64,
}

impl Default for Terms {
    /// 30% deposit, balance 14 days before, full refund 90+ days out, half
    /// from 30, none within 30.
    fn default() -> Self {
        Terms {
            deposit: Deposit::Percent { rate_mp: 30_000 },
            balance_days_before: 14,
            refund_tiers: vec![
                RefundTier {
                    days_before: 90,
                    percent_mp: FULL_RATE,
                },
                RefundTier {
                    days_before: 30,
                    percent_mp: 50_000,
                },
            ],
            cancellation_fee_minor: 0,
            reschedule_fee_minor: 0,
        }
    }
}

/// The most refund tiers a schedule has.
pub const MAX_TIERS: usize = 10;

impl Terms {
    /// Each problem with its field (`refund_tiers[1].percent`).
    pub fn problems(&self, total_minor: Option<i64>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match self.deposit {
            Deposit::Percent { rate_mp } if !(0..=FULL_RATE).contains(&rate_mp) => out.push((
                "deposit".into(),
                "a deposit is between 0% and 100% of the total".into(),
            )),
            Deposit::Amount { minor } if minor < 0 => {
                out.push(("deposit".into(), "a deposit cannot be negative".into()))
            }
            Deposit::Amount { minor } if total_minor.is_some_and(|t| minor > t) => out.push((
                "deposit".into(),
                "the deposit is more than the proposal's total; lower it or add to the proposal"
                    .into(),
            )),
            _ => {}
        }
        if !(0..=730).contains(&self.balance_days_before) {
            out.push((
                "balance_days_before".into(),
                "the balance falls due 0 to 730 days before the event".into(),
            ));
        }
        if self.refund_tiers.len() > MAX_TIERS {
            out.push((
                "refund_tiers".into(),
                format!("a refund schedule has at most {MAX_TIERS} steps"),
            ));
        }
        let mut last: Option<RefundTier> = None;
        for (i, t) in self.refund_tiers.iter().enumerate() {
            if !(0..=3650).contains(&t.days_before) {
                out.push((
                    format!("refund_tiers[{i}].days_before"),
                    "a step is 0 to 3650 days before the event".into(),
                ));
            }
            if !(0..=FULL_RATE).contains(&t.percent_mp) {
                out.push((
                    format!("refund_tiers[{i}].percent"),
                    "a refund is between 0% and 100% of what was paid".into(),
                ));
            }
            if let Some(l) = last
                && (t.days_before >= l.days_before || t.percent_mp > l.percent_mp)
            {
                out.push((
                    format!("refund_tiers[{i}]"),
                    "list the steps from the furthest out to the nearest, each with fewer days and no more refund than the one before".into(),
                ));
            }
            last = Some(*t);
        }
        for (field, v) in [
            ("cancellation_fee", self.cancellation_fee_minor),
            ("reschedule_fee", self.reschedule_fee_minor),
        ] {
            if v < 0 {
                out.push((field.into(), "a fee cannot be negative".into()));
            }
        }
        out
    }

    /// The deposit of a contract totalling `total` (rounded half away
    /// from zero; never more than the total).
    pub fn deposit_of(&self, total: i64) -> i64 {
        match self.deposit {
            Deposit::Percent { rate_mp } => i64::try_from(div_round(
                i128::from(total) * i128::from(rate_mp),
                i128::from(FULL_RATE),
            ))
            .unwrap_or(total),
            Deposit::Amount { minor } => minor,
        }
        .clamp(0, total.max(0))
    }

    /// The share of what was paid that comes back when cancelled
    /// `days_before` days before the event (thousandths of a percent).
    pub fn refund_rate(&self, days_before: i64) -> i64 {
        self.refund_tiers
            .iter()
            .find(|t| days_before >= t.days_before)
            .map_or(0, |t| t.percent_mp)
    }

    /// What the schedule gives back of `paid` when the client cancels
    /// `days_before` days before the event: the tier's share, less the
    /// cancellation fee, never below nothing nor above what was paid.
    pub fn refund_allowed(&self, paid: i64, days_before: i64) -> i64 {
        if paid <= 0 {
            return 0;
        }
        let share = div_round(
            i128::from(paid) * i128::from(self.refund_rate(days_before)),
            i128::from(FULL_RATE),
        );
        let after_fee = share - i128::from(self.cancellation_fee_minor);
        i64::try_from(after_fee.clamp(0, i128::from(paid))).unwrap_or(0)
    }
}

/// The deposit's and the balance's share of each line (by the lines'
/// totals, exactly: each pair sums to its line, the deposits to `deposit`).
pub fn schedule_shares(line_totals: &[i64], deposit: i64) -> Vec<(i64, i64)> {
    let deposits = by_weight(deposit, line_totals);
    line_totals
        .iter()
        .zip(deposits)
        .map(|(t, d)| (d, t - d))
        .collect()
}

/// The variables a contract's text may use, with what each stands for.
pub const VARIABLES: &[(&str, &str)] = &[
    ("client.name", "the client's name"),
    ("partner.name", "the second partner's name (a couple)"),
    ("studio.name", "the studio's name"),
    ("project.name", "the project's name"),
    ("event.date", "the event's day"),
    ("event.venue", "where it happens"),
    ("package.name", "the package sold"),
    ("contract.number", "the contract's number (given when sent)"),
    ("total", "the proposal's total"),
    ("deposit", "the deposit"),
    ("balance", "the balance"),
    ("balance.due", "the day the balance is due"),
    ("refund.schedule", "the refund schedule, in words"),
    ("cancellation.fee", "the cancellation fee"),
    ("reschedule.fee", "the rescheduling fee"),
];

/// Each `{{ name }}` in `body` with its line, or what is wrong with one
/// (an unknown name, an unclosed brace).
pub fn check_body(body: &str) -> Result<(), String> {
    render(body, &BTreeMap::new(), false).map(|_| ())
}

/// `body` with each `{{ name }}` replaced by `values[name]` (a known
/// variable with no value prints as empty when `fill` is set).
pub fn render(body: &str, values: &BTreeMap<&str, String>, fill: bool) -> Result<String, String> {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let line = body[..body.len() - rest.len() + start]
            .matches('\n')
            .count()
            + 1;
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(format!(
                "line {line}: `{{{{` is not closed with `}}}}`; write variables as {{{{ client.name }}}}"
            ));
        };
        let name = after[..end].trim();
        if !VARIABLES.iter().any(|(n, _)| *n == name) {
            let known: Vec<&str> = VARIABLES.iter().map(|(n, _)| *n).collect();
            return Err(format!(
                "line {line}: there is no variable `{name}`; use one of {}",
                known.join(", ")
            ));
        }
        if fill {
            out.push_str(values.get(name).map_or("", String::as_str));
        } else {
            out.push_str(&rest[start..start + 2 + end + 2]);
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiers() -> Terms {
        Terms {
            deposit: Deposit::Percent { rate_mp: 30_000 },
            balance_days_before: 14,
            refund_tiers: vec![
                RefundTier {
                    days_before: 90,
                    percent_mp: 100_000,
                },
                RefundTier {
                    days_before: 30,
                    percent_mp: 50_000,
                },
                RefundTier {
                    days_before: 0,
                    percent_mp: 0,
                },
            ],
            cancellation_fee_minor: 0,
            reschedule_fee_minor: 5_000,
        }
    }

    #[test]
    fn refund_schedule_steps_down() {
        let t = tiers();
        for (days, allowed) in [
            (365, 100_000),
            (90, 100_000),
            (89, 50_000),
            (30, 50_000),
            (29, 0),
            (0, 0),
            (-3, 0),
        ] {
            assert_eq!(t.refund_allowed(100_000, days), allowed, "{days} days");
        }
        assert_eq!(t.refund_allowed(0, 365), 0);
        let fee = Terms {
            cancellation_fee_minor: 20_000,
            ..tiers()
        };
        assert_eq!(fee.refund_allowed(100_000, 100), 80_000);
        assert_eq!(fee.refund_allowed(30_000, 40), 0, "fee beyond the share");
        assert_eq!(t.refund_allowed(33_333, 40), 16_667, "half, rounded");
    }

    #[test]
    fn deposits() {
        assert_eq!(tiers().deposit_of(100_001), 30_000);
        assert_eq!(tiers().deposit_of(100_005), 30_002);
        let amount = Terms {
            deposit: Deposit::Amount { minor: 50_000 },
            ..tiers()
        };
        assert_eq!(amount.deposit_of(200_000), 50_000);
        assert_eq!(amount.deposit_of(10_000), 10_000, "never above the total");
        let shares = schedule_shares(&[70_000, 20_000, 10_001], 30_000);
        assert_eq!(shares.iter().map(|s| s.0).sum::<i64>(), 30_000);
        for (s, t) in shares.iter().zip([70_000, 20_000, 10_001]) {
            assert_eq!(s.0 + s.1, t);
        }
    }

    #[test]
    fn terms_are_checked_with_their_fields() {
        assert!(tiers().problems(Some(1)).is_empty());
        let mut bad = tiers();
        bad.refund_tiers.swap(0, 1);
        bad.deposit = Deposit::Percent { rate_mp: 120_000 };
        bad.cancellation_fee_minor = -1;
        let fields: Vec<String> = bad.problems(None).into_iter().map(|p| p.0).collect();
        assert_eq!(fields, ["deposit", "refund_tiers[1]", "cancellation_fee"]);
        let big = Terms {
            deposit: Deposit::Amount { minor: 10 },
            ..tiers()
        };
        assert_eq!(big.problems(Some(5))[0].0, "deposit");
    }

    #[test]
    fn templates_render_known_variables_only() {
        let mut v = BTreeMap::new();
        v.insert("client.name", "Ji-woo Kim".to_string());
        let out = render("Between {{ client.name }} and {{studio.name}}.", &v, true).unwrap();
        assert_eq!(out, "Between Ji-woo Kim and .");
        assert!(check_body("Hello {{ client.name }}").is_ok());
        let e = check_body("one\ntwo {{ client.nam }}").unwrap_err();
        assert!(
            e.starts_with("line 2: there is no variable `client.nam`"),
            "{e}"
        );
        assert!(check_body("{{ total").unwrap_err().contains("not closed"));
        assert_eq!(render("no vars", &v, true).unwrap(), "no vars");
    }
}
