//! The audit log's rules: severities, and the hash chain that makes the log
//! tamper-evident.
//!
//! Each entry's hash covers its own fields and the previous entry's hash in
//! the same chain (one chain per studio). Changing, inserting or deleting a
//! row anywhere breaks every later hash, which `darkroom audit verify` finds.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How much an event matters to someone reviewing the log.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub const ALL: &'static [Severity] = &[Severity::Low, Severity::Medium, Severity::High];

    pub fn name(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            _ => Err(format!(
                "`{s}` is not a severity; use `low`, `medium` or `high`"
            )),
        }
    }
}

/// The hash that starts every chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an entry that its hash covers, in their stored form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainFields<'a> {
    pub chain: &'a str,
    pub seq: i64,
    pub id: &'a str,
    pub created_at_micros: i64,
    pub actor: &'a str,
    pub actor_label: &'a str,
    pub branch: &'a str,
    pub event_type: &'a str,
    pub severity: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub ip: &'a str,
    pub payload: &'a str,
    pub prev_hash: &'a str,
}

/// SHA-256 over every field, each length-prefixed so no two different
/// entries can produce the same input.
pub fn entry_hash(f: &ChainFields<'_>) -> String {
    let mut h = Sha256::new();
    h.update(b"darkroom-audit-v1");
    let seq = f.seq.to_string();
    let at = f.created_at_micros.to_string();
    for part in [
        f.chain,
        &seq,
        f.id,
        &at,
        f.actor,
        f.actor_label,
        f.branch,
        f.event_type,
        f.severity,
        f.target_type,
        f.target_id,
        f.ip,
        f.payload,
        f.prev_hash,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(payload: &'a str, prev: &'a str) -> ChainFields<'a> {
        ChainFields {
            chain: "std_1",
            seq: 1,
            id: "aud_1",
            created_at_micros: 5,
            actor: "usr_1",
            actor_label: "Asha <asha@example.com>",
            branch: "",
            event_type: "branch.deleted",
            severity: "high",
            target_type: "branch",
            target_id: "brn_1",
            ip: "127.0.0.1",
            payload,
            prev_hash: prev,
        }
    }

    #[test]
    fn hash_changes_with_any_field() {
        let a = entry_hash(&fields("{}", GENESIS_HASH));
        assert_eq!(a.len(), 64);
        assert_ne!(a, entry_hash(&fields("{\"x\":1}", GENESIS_HASH)));
        assert_ne!(a, entry_hash(&fields("{}", &a)));
        let mut f = fields("{}", GENESIS_HASH);
        f.seq = 2;
        assert_ne!(a, entry_hash(&f));
    }

    #[test]
    fn every_field_is_covered() {
        let base = fields("{}", GENESIS_HASH);
        let h = entry_hash(&base);
        type Edit = Box<dyn Fn(&mut ChainFields<'static>)>;
        let edits: Vec<Edit> = vec![
            Box::new(|f| f.chain = "other"),
            Box::new(|f| f.seq = 9),
            Box::new(|f| f.id = "aud_2"),
            Box::new(|f| f.created_at_micros = 6),
            Box::new(|f| f.actor = "usr_2"),
            Box::new(|f| f.actor_label = "Someone else"),
            Box::new(|f| f.branch = "brn_2"),
            Box::new(|f| f.event_type = "branch.created"),
            Box::new(|f| f.severity = "low"),
            Box::new(|f| f.target_type = "user"),
            Box::new(|f| f.target_id = "usr_3"),
            Box::new(|f| f.ip = "10.0.0.1"),
            Box::new(|f| f.payload = "{\"a\":1}"),
            Box::new(|f| f.prev_hash = "ff"),
        ];
        for (i, edit) in edits.iter().enumerate() {
            let mut f = fields("{}", GENESIS_HASH);
            edit(&mut f);
            assert_ne!(entry_hash(&f), h, "field #{i} is not covered by the hash");
        }
    }

    #[test]
    fn length_prefix_prevents_shifting() {
        let mut f1 = fields("{}", GENESIS_HASH);
        f1.actor = "ab";
        f1.branch = "c";
        let mut f2 = fields("{}", GENESIS_HASH);
        f2.actor = "a";
        f2.branch = "bc";
        assert_ne!(entry_hash(&f1), entry_hash(&f2));
    }
}
