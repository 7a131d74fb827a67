//! Physical deliverables: what they are and how their status moves.
//!
//! `preparing -> ready -> shipped -> delivered`, where `ready` means ready to
//! hand over or post; steps may be skipped (a USB stick handed over in the
//! studio goes from preparing to delivered). `cancelled` ends any that is
//! not delivered. Shipping needs a carrier; delivered is final.

use crate::names::DeliverableStatus;

pub const KINDS: &[&str] = &["usb", "album", "prints", "other"];
pub const STATUSES: &[&str] = &["preparing", "ready", "shipped", "delivered", "cancelled"];

/// How far along the way to the client a status is (`cancelled` is off it).
fn rank(s: DeliverableStatus) -> Option<usize> {
    use DeliverableStatus::*;
    match s {
        Preparing => Some(0),
        Ready => Some(1),
        Shipped => Some(2),
        Delivered => Some(3),
        Cancelled => None,
    }
}

/// Whether a deliverable may go from `from` to `to`; the reason if not.
pub fn can_move(from: DeliverableStatus, to: DeliverableStatus) -> Result<(), String> {
    use DeliverableStatus::*;
    if from == to {
        return Ok(());
    }
    match (from, to) {
        (Delivered, _) => Err("this deliverable was delivered; its status is final".into()),
        (Cancelled, _) => Err("this deliverable was cancelled; add a new one instead".into()),
        (_, Cancelled) => Ok(()),
        _ => match (rank(from), rank(to)) {
            (Some(a), Some(b)) if b > a => Ok(()),
            _ => Err(format!("a deliverable cannot go back from {from} to {to}")),
        },
    }
}

/// Whether the client is told when a deliverable reaches this status.
pub fn notifies(status: DeliverableStatus) -> bool {
    use DeliverableStatus::*;
    matches!(status, Ready | Shipped | Delivered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::DeliverableKind;

    fn can_move(from: &str, to: &str) -> Result<(), String> {
        super::can_move(
            DeliverableStatus::parse(from)?,
            DeliverableStatus::parse(to)?,
        )
    }

    #[test]
    fn forward_moves_and_cancelling_are_allowed() {
        assert!(can_move("preparing", "ready").is_ok());
        assert!(can_move("preparing", "delivered").is_ok());
        assert!(can_move("shipped", "delivered").is_ok());
        assert!(can_move("ready", "cancelled").is_ok());
        assert!(can_move("shipped", "shipped").is_ok());
    }

    #[test]
    fn backward_final_and_unknown_moves_are_refused() {
        assert!(can_move("shipped", "preparing").is_err());
        assert!(can_move("delivered", "cancelled").is_err());
        assert!(can_move("cancelled", "ready").is_err());
        assert!(can_move("ready", "lost").unwrap_err().contains("preparing"));
        assert!(KINDS.iter().all(|k| DeliverableKind::parse(k).is_ok()));
        assert!(STATUSES.iter().all(|k| DeliverableStatus::parse(k).is_ok()));
    }
}
