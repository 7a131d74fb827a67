//! Photos a client chose in proofing beyond what the project's package
//! includes, billed as lines of the project's invoice at the package's
//! price per extra photo.

use darkroom_db::entity::invoice;
use darkroom_domain::billing::LineKind;
use darkroom_domain::money::Currency;
use darkroom_domain::{ProjectId, StudioId, TypedId};

use super::draft::mode_of;
use super::line::{LineInput, insert_line};
use super::profile::BillingSettings;
use crate::Core;
use crate::kernel::error::{CoreError, CoreResult};

/// What a package says about extra photos.
pub(crate) struct Terms {
    /// Each extra photo, in minor units, before tax.
    pub price: i64,
    /// Photos included, where a gallery has no limit of its own.
    pub included: Option<i64>,
    pub tax_rate_bp: i64,
}

/// `minor` units as the decimal people type: `50000` paise is `500.00`.
fn decimal(minor: i64, digits: u32) -> String {
    if digits == 0 {
        return minor.to_string();
    }
    let unit = 10_i64.pow(digits);
    format!(
        "{}.{:0width$}",
        minor / unit,
        minor % unit,
        width = digits as usize
    )
}

/// Basis points as the rate people type: `1800` is `18`, `1850` is `18.5`.
fn percent(bp: i64) -> String {
    let (whole, frac) = (bp / 100, bp % 100);
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{frac:02}")
            .trim_end_matches('0')
            .to_string()
    }
}

/// One line per gallery of the project whose clients chose more photos in
/// proofing than it includes (its selection limit, else the package's),
/// at the package's price per extra photo.
pub(crate) async fn lines(
    core: &Core,
    tx: &darkroom_db::Tx,
    (m, s): (&invoice::Model, &BillingSettings),
    project: ProjectId,
    pkg: &Terms,
) -> CoreResult<()> {
    let price = pkg.price;
    let studio = StudioId::from_uuid(m.studio_id);
    let digits = Currency::parse(&m.currency)
        .map_err(|e| CoreError::invalid("currency", e))?
        .minor_digits();
    let galleries = crate::projects::interface::galleries_of(tx, studio, project).await?;
    for (i, g) in galleries.into_iter().enumerate() {
        let Some(ch) = crate::sharing::interface::chosen_in(tx, studio, g).await? else {
            continue;
        };
        let Some(limit) = ch.limit.or(pkg.included) else {
            continue;
        };
        let extra = ch.chosen - limit;
        if extra <= 0 {
            continue;
        }
        let line = LineInput {
            kind: Some(LineKind::ExtraPhotos.into()),
            description: Some(format!("Photos chosen beyond the package: {}", ch.gallery).into()),
            quantity: Some(extra.to_string().into()),
            unit_price: Some(decimal(price, digits).into()),
            tax_rate: Some(percent(pkg.tax_rate_bp).into()),
            ..Default::default()
        };
        let position = i64::try_from(i).unwrap_or(0) + 1;
        match insert_line(core, tx, m, s, mode_of(m), &line, position).await {
            Ok(_) | Err(CoreError::Validation(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_and_rates_read_back_as_typed() {
        assert_eq!(super::decimal(50_000, 2), "500.00");
        assert_eq!(super::decimal(7, 2), "0.07");
        assert_eq!(super::decimal(5_000, 0), "5000");
        assert_eq!(super::decimal(1_234, 3), "1.234");
        assert_eq!(super::percent(1800), "18");
        assert_eq!(super::percent(1850), "18.5");
        assert_eq!(super::percent(825), "8.25");
        assert_eq!(super::percent(0), "0");
    }
}
