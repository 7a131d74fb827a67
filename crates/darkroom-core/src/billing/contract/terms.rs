//! A contract's terms as staff send and see them: amounts and percentages
//! as people write them, read into the domain's [`Terms`] in the
//! contract's currency (a template keeps them as written).

use darkroom_domain::billing::contract::{Deposit, RefundTier, Terms};
use darkroom_domain::billing::lines::{FULL_RATE, fmt_rate};
use darkroom_domain::billing::quantity;
use darkroom_domain::field::{Amount, Discount, Percent, Ranged};
use darkroom_domain::money::Currency;
use darkroom_domain::validate::FieldErrors;
use serde::{Deserialize, Serialize};

/// A step of the refund schedule as sent.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierInput {
    /// Cancelled at least this many days before the event...
    pub days_before: Ranged<0, 3650>,
    /// ...this share of what was paid comes back (`50`, `100`).
    pub refund: Percent,
}

/// Terms as staff send them; what is left out keeps its value (a new
/// contract's come from its template, a template's from the defaults).
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsInput {
    /// A percentage of the total (`30%`) or an amount (`20000`).
    pub deposit: Option<Discount>,
    /// The balance is due this many days before the event.
    pub balance_days_before: Option<Ranged<0, 730>>,
    /// From the furthest out to the nearest: `[{"days_before": 90,
    /// "refund": "100"}, {"days_before": 30, "refund": "50"}]`; closer
    /// than the last step, nothing comes back.
    #[schema(max_items = 10)]
    pub refund_schedule: Option<Vec<TierInput>>,
    /// Kept from any refund when the client cancels.
    pub cancellation_fee: Option<Amount>,
    /// Charged to move the event to another day.
    pub reschedule_fee: Option<Amount>,
}

/// Terms as shown: the structured values and each in words.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TermsView {
    /// `30%` or an amount (`20,000.00`).
    pub deposit: String,
    pub balance_days_before: i64,
    pub refund_schedule: Vec<TierView>,
    pub cancellation_fee: String,
    pub reschedule_fee: String,
    /// The refund schedule in a sentence.
    pub refund_words: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TierView {
    pub days_before: i64,
    /// `50` (percent).
    pub refund: String,
}

fn bare(currency: Currency, minor: i64) -> String {
    let shown = currency.format_minor(minor);
    shown
        .split_once(' ')
        .map_or(shown.clone(), |(_, n)| n.to_string())
        .replace(',', "")
}

/// `terms` changed by `input`, each amount read in `currency`; problems
/// go to `errs` under `terms.<field>`.
pub fn apply(
    terms: &Terms,
    input: &TermsInput,
    currency: Currency,
    total: Option<i64>,
    errs: &mut FieldErrors,
) -> Terms {
    let mut t = terms.clone();
    if let Some(d) = &input.deposit {
        let s = d.0.trim();
        let read = if let Some(p) = s.strip_suffix('%') {
            quantity::parse_percent(p.trim()).map(|rate_mp| Deposit::Percent { rate_mp })
        } else {
            currency
                .parse_amount(s)
                .map(|minor| Deposit::Amount { minor })
        };
        if let Some(d) = errs.check("terms.deposit", read) {
            t.deposit = d;
        }
    }
    if let Some(n) = &input.balance_days_before
        && let Some(n) = errs.check("terms.balance_days_before", n.check())
    {
        t.balance_days_before = n;
    }
    if let Some(tiers) = &input.refund_schedule {
        let mut out = Vec::new();
        for (i, x) in tiers.iter().enumerate() {
            let days = errs.check(
                &format!("terms.refund_schedule[{i}].days_before"),
                x.days_before.check(),
            );
            let rate = errs.check(
                &format!("terms.refund_schedule[{i}].refund"),
                quantity::parse_percent(x.refund.0.trim().trim_end_matches('%')),
            );
            if let (Some(days_before), Some(percent_mp)) = (days, rate) {
                out.push(RefundTier {
                    days_before,
                    percent_mp,
                });
            }
        }
        t.refund_tiers = out;
    }
    for (field, value, slot) in [
        (
            "terms.cancellation_fee",
            &input.cancellation_fee,
            &mut t.cancellation_fee_minor,
        ),
        (
            "terms.reschedule_fee",
            &input.reschedule_fee,
            &mut t.reschedule_fee_minor,
        ),
    ] {
        if let Some(v) = value
            && let Some(v) = errs.check(field, currency.parse_amount(v.0.trim()))
        {
            *slot = v;
        }
    }
    for (field, message) in t.problems(total) {
        let field = field.replace("refund_tiers", "refund_schedule");
        errs.add(&format!("terms.{field}"), "invalid", message);
    }
    t
}

/// The terms as shown, amounts in `currency`.
pub fn view(t: &Terms, currency: Currency) -> TermsView {
    TermsView {
        deposit: match t.deposit {
            Deposit::Percent { rate_mp } => format!("{}%", fmt_rate(rate_mp)),
            Deposit::Amount { minor } => bare(currency, minor),
        },
        balance_days_before: t.balance_days_before,
        refund_schedule: t
            .refund_tiers
            .iter()
            .map(|x| TierView {
                days_before: x.days_before,
                refund: fmt_rate(x.percent_mp),
            })
            .collect(),
        cancellation_fee: bare(currency, t.cancellation_fee_minor),
        reschedule_fee: bare(currency, t.reschedule_fee_minor),
        refund_words: words(t, currency),
    }
}

/// The refund schedule in a sentence.
pub fn words(t: &Terms, currency: Currency) -> String {
    if t.refund_tiers.is_empty() {
        return "Nothing paid is refunded on cancellation.".into();
    }
    let mut parts: Vec<String> = t
        .refund_tiers
        .iter()
        .map(|x| {
            let share = if x.percent_mp == FULL_RATE {
                "all of what was paid".to_string()
            } else if x.percent_mp == 0 {
                "nothing".to_string()
            } else {
                format!("{}% of what was paid", fmt_rate(x.percent_mp))
            };
            format!(
                "cancelled {} or more days before the event, {share} is refunded",
                x.days_before
            )
        })
        .collect();
    let last = t.refund_tiers.last().map_or(0, |x| x.days_before);
    if last > 0 {
        parts.push(format!(
            "cancelled less than {last} days before, nothing is refunded"
        ));
    }
    let mut s = parts.join("; ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    if t.cancellation_fee_minor > 0 {
        s.push_str(&format!(
            "; a cancellation fee of {} is kept from any refund",
            currency.format_minor(t.cancellation_fee_minor)
        ));
    }
    s.push('.');
    s
}
