//! The smaller commands: config example, migrate, backup and restore.

use std::process::Command;

fn darkroom(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_darkroom"))
        .args(args)
        .current_dir(dir)
        .env_remove("DARKROOM_DATABASE_URL")
        .env("DARKROOM_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn config_example_is_printed_and_bad_config_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = darkroom(dir.path(), &["config", "example"]);
    assert_eq!(code, 0);
    assert!(out.contains("[smtp]") && out.contains("bind = "), "{out}");
    std::fs::write(
        dir.path().join("darkroom.toml"),
        "[jobs]\nconcurrency = 0\n",
    )
    .unwrap();
    let (code, out) = darkroom(dir.path(), &["migrate"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("jobs"), "{out}");
    std::fs::write(dir.path().join("darkroom.toml"), "colour = \"red\"\n").unwrap();
    let (code, out) = darkroom(dir.path(), &["migrate"]);
    assert_eq!(code, 2);
    assert!(out.contains("colour"), "{out}");
}

#[test]
fn backup_and_restore_round_trip_and_refuse_damage() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, out) = darkroom(d, &["demo"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("/g/"),
        "the demo shares a gallery and prints its link: {out}"
    );
    let (code, out) = darkroom(d, &["backup", "--out", "snap"]);
    assert_eq!(code, 0, "{out}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("snap/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["engine"], "sqlite");
    assert_eq!(manifest["files"][0]["path"], "darkroom.db");
    assert_eq!(manifest["files"][0]["sha256"].as_str().unwrap().len(), 64);

    // Change the live database after the backup, then restore: the change is gone.
    let (code, out) = darkroom(d, &["studio", "new-link"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = darkroom(d, &["restore", "snap"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("kept as"),
        "the replaced database is kept: {out}"
    );
    let (code, out) = darkroom(d, &["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    let kept = std::fs::read_dir(d.join("darkroom-data"))
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("darkroom.db.before-restore-")
        });
    assert!(kept);

    // A damaged backup is refused before anything changes.
    let mut bytes = std::fs::read(d.join("snap/darkroom.db")).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    std::fs::write(d.join("snap/darkroom.db"), bytes).unwrap();
    let (code, out) = darkroom(d, &["restore", "snap"]);
    assert_ne!(code, 0);
    assert!(out.contains("checksum"), "{out}");

    // A backup missing one of its files is damaged too; a refused restore
    // into a new folder leaves no folder behind.
    let mut bytes = std::fs::read(d.join("snap/darkroom.db")).unwrap();
    bytes[n / 2] ^= 0xff;
    std::fs::write(d.join("snap/darkroom.db"), bytes).unwrap();
    let lost = manifest["files"][1]["path"].as_str().unwrap().to_string();
    std::fs::remove_file(d.join("snap").join(&lost)).unwrap();
    let (code, out) = darkroom(d, &["--data-dir", "fresh", "restore", "snap"]);
    assert_ne!(code, 0);
    assert!(
        out.contains("the backup is damaged") && out.contains(&lost),
        "{out}"
    );
    assert!(!d.join("fresh").exists(), "nothing is left behind: {out}");
}

#[test]
fn migrate_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = darkroom(dir.path(), &["migrate"]);
    assert_eq!(code, 0, "{out}");
    let applied: usize = out
        .split(" migration(s) applied")
        .next()
        .and_then(|s| s.rsplit(char::is_whitespace).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {out}"));
    assert!(applied >= 3, "{out}");
    let (code, out) = darkroom(dir.path(), &["migrate"]);
    assert_eq!(code, 0);
    assert!(out.contains("0 migration(s) applied"), "{out}");
}
