//! Stripe's webhook signature (`Stripe-Signature: t=…,v1=…`): an
//! HMAC-SHA256, keyed by the endpoint's signing secret, of the timestamp, a
//! dot and the raw body, hex-encoded. Several `v1` values may be present
//! while a secret is being rolled; one match is enough. Old timestamps are
//! refused so a captured notice cannot be replayed later.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Why a notice's signature was refused; the text says what to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// No header, or no `t=` or no `v1=` in it.
    Malformed(&'static str),
    /// Signed too long ago (or too far ahead): a replay, or a wrong clock.
    Stale { age_secs: i64 },
    /// No `v1` value is the HMAC of this body with this secret.
    Mismatch,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Malformed(what) => write!(
                f,
                "the Stripe-Signature header {what}; Stripe sends `t=<unix time>,v1=<hex>`"
            ),
            Refused::Stale { age_secs } => write!(
                f,
                "the notice was signed {age_secs} s away from now, beyond the tolerance; a replay, or this server's clock is wrong"
            ),
            Refused::Mismatch => f.write_str(
                "no signature in Stripe-Signature matches this body: check that the endpoint's signing secret (whsec_…) in Darkroom is the one Stripe shows for this endpoint",
            ),
        }
    }
}

fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length; `new_from_slice` cannot fail here.
    #[allow(clippy::expect_used)]
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(payload);
    m
}

/// The header Stripe would send for `payload` signed at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    let hex = hex::encode(mac(secret, timestamp, payload).finalize().into_bytes());
    format!("t={timestamp},v1={hex}")
}

/// Checks `header` for `payload` against `secret` at `now` (unix seconds):
/// the timestamp within `tolerance_secs` of now, and one `v1` equal to the
/// expected HMAC, compared in constant time.
pub fn verify(
    header: Option<&str>,
    payload: &[u8],
    secret: &str,
    now: i64,
    tolerance_secs: i64,
) -> Result<i64, Refused> {
    let header = header.ok_or(Refused::Malformed("is missing"))?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            continue;
        };
        match k {
            "t" => timestamp = v.parse::<i64>().ok(),
            "v1" => signatures.push(v),
            _ => {}
        }
    }
    let t = timestamp.ok_or(Refused::Malformed("has no timestamp (t=)"))?;
    if signatures.is_empty() {
        return Err(Refused::Malformed("has no v1 signature"));
    }
    let expected = hex::encode(mac(secret, t, payload).finalize().into_bytes());
    let matched = signatures.iter().fold(subtle::Choice::from(0), |acc, s| {
        acc | expected.as_bytes().ct_eq(s.as_bytes())
    });
    if !bool::from(matched) {
        return Err(Refused::Mismatch);
    }
    let age = now - t;
    if age.abs() > tolerance_secs {
        return Err(Refused::Stale { age_secs: age });
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;

    #[test]
    fn a_signature_made_the_way_stripe_makes_it_passes() {
        // Computed independently: printf '%s' '1700000000.{body}' | openssl dgst -sha256 -hmac whsec_test_secret
        let h = sign(SECRET, 1_700_000_000, BODY);
        assert!(h.starts_with("t=1700000000,v1="));
        assert_eq!(
            verify(Some(&h), BODY, SECRET, 1_700_000_010, 300),
            Ok(1_700_000_000)
        );
    }

    #[test]
    fn a_known_vector_matches() {
        // HMAC-SHA256("whsec_test_secret", "1700000000.{...}") from openssl.
        let h = sign(SECRET, 1_700_000_000, BODY);
        let hex = h.split("v1=").nth(1).unwrap();
        assert_eq!(hex, KNOWN);
    }

    const KNOWN: &str = include_str!("signature_vector.txt");

    #[test]
    fn any_of_several_v1_values_may_match_and_other_schemes_are_ignored() {
        let good = sign(SECRET, 1_700_000_000, BODY);
        let hex = good.split("v1=").nth(1).unwrap();
        let h = format!("t=1700000000,v0=abc,v1={},v1={hex}", "0".repeat(64));
        assert!(verify(Some(&h), BODY, SECRET, 1_700_000_000, 300).is_ok());
    }

    #[test]
    fn forged_stale_and_malformed_headers_are_refused() {
        let h = sign(SECRET, 1_700_000_000, BODY);
        assert_eq!(
            verify(Some(&h), BODY, "whsec_other", 1_700_000_000, 300),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify(Some(&h), b"{\"id\":\"evt_2\"}", SECRET, 1_700_000_000, 300),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify(Some(&h), BODY, SECRET, 1_700_000_301, 300),
            Err(Refused::Stale { age_secs: 301 })
        );
        assert_eq!(
            verify(Some(&h), BODY, SECRET, 1_699_999_000, 300),
            Err(Refused::Stale { age_secs: -1000 })
        );
        // A changed timestamp breaks the signature (it is signed too).
        let moved = h.replace("t=1700000000", "t=1700000200");
        assert_eq!(
            verify(Some(&moved), BODY, SECRET, 1_700_000_200, 300),
            Err(Refused::Mismatch)
        );
        assert!(matches!(
            verify(None, BODY, SECRET, 0, 300),
            Err(Refused::Malformed(_))
        ));
        assert!(matches!(
            verify(Some("v1=abcd"), BODY, SECRET, 0, 300),
            Err(Refused::Malformed(_))
        ));
        assert!(matches!(
            verify(Some("t=1700000000"), BODY, SECRET, 1_700_000_000, 300),
            Err(Refused::Malformed(_))
        ));
    }
}
