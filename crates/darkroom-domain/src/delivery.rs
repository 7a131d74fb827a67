//! Physical deliverables: what they are and how their status moves.
//!
//! `preparing -> ready -> shipped -> delivered`, where `ready` means ready to
//! hand over or post; steps may be skipped (a USB stick handed over in the
//! studio goes from preparing to delivered). `cancelled` ends any that is
//! not delivered. Shipping needs a carrier; delivered is final.

pub const KINDS: &[&str] = &["usb", "album", "prints", "other"];
pub const STATUSES: &[&str] = &["preparing", "ready", "shipped", "delivered", "cancelled"];

fn rank(s: &str) -> Option<usize> {
    STATUSES[..4].iter().position(|x| *x == s)
}

/// Whether a deliverable may go from `from` to `to`; the reason if not.
pub fn can_move(from: &str, to: &str) -> Result<(), String> {
    if !STATUSES.contains(&to) {
        return Err(format!(
            "`{to}` is not a delivery status; use preparing, ready, shipped, delivered or cancelled"
        ));
    }
    if from == to {
        return Ok(());
    }
    match from {
        "delivered" => Err("this deliverable was delivered; its status is final".into()),
        "cancelled" => Err("this deliverable was cancelled; add a new one instead".into()),
        _ if to == "cancelled" => Ok(()),
        _ => match (rank(from), rank(to)) {
            (Some(a), Some(b)) if b > a => Ok(()),
            _ => Err(format!("a deliverable cannot go back from {from} to {to}")),
        },
    }
}

/// Whether the client is told when a deliverable reaches this status.
pub fn notifies(status: &str) -> bool {
    matches!(status, "ready" | "shipped" | "delivered")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
