//! Backups of the embedded (SQLite) instance: a consistent online snapshot
//! written with `VACUUM INTO` (never a file copy of a live database), the
//! media folder, and a manifest of SHA-256 checksums that restore verifies
//! before touching anything. PostgreSQL is backed up with its own tools; see
//! docs/runbooks/backup.md.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use darkroom_core::kernel::database::{Db, Engine};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;

#[derive(Serialize, Deserialize, Debug)]
pub struct Manifest {
    pub format: u32,
    pub created_at: String,
    pub darkroom_version: String,
    pub engine: String,
    pub schema_version: Option<String>,
    pub files: Vec<FileEntry>,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct FileEntry {
    /// Relative to the backup folder (and to the data folder on restore).
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, hex::encode(h.finalize())))
}

fn files_under(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !root.exists() {
        return Ok(out);
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir)? {
            let e = e?;
            let t = e.file_type()?;
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let b = ProgressBar::new(len);
    b.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    b.set_message(what.to_string());
    b
}

fn fsync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes a backup of the running instance; returns its folder.
pub async fn backup(cfg: &Config, db: &Db, out: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if db.engine() != Engine::Sqlite {
        anyhow::bail!(
            "`darkroom backup` snapshots the embedded SQLite database; for PostgreSQL use \
             `pg_dump --format=custom` (see docs/runbooks/backup.md)"
        );
    }
    let stamp = darkroom_domain::Timestamp::now_system()
        .to_rfc3339()
        .replace([':', '.'], "-");
    let dir = out.unwrap_or_else(|| cfg.data_dir.join("backups").join(&stamp));
    if dir.exists() && fs::read_dir(&dir)?.next().is_some() {
        anyhow::bail!(
            "{} already exists and is not empty; choose another --out",
            dir.display()
        );
    }
    fs::create_dir_all(&dir)?;
    let snapshot = dir.join("darkroom.db");
    db.sqlite_snapshot(&snapshot).await?;
    let mut files = Vec::new();
    let (bytes, sha256) = hash_file(&snapshot)?;
    files.push(FileEntry {
        path: "darkroom.db".into(),
        bytes,
        sha256,
    });

    let media = cfg.data_dir.join("media");
    let media_files = files_under(&media)?;
    if !media_files.is_empty() {
        let b = bar(media_files.len() as u64, "media");
        for src in media_files {
            let rel = src.strip_prefix(&cfg.data_dir)?.to_path_buf();
            let dst = dir.join(&rel);
            if let Some(parent) = dst.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::copy(&src, &dst)?;
            let (bytes, sha256) = hash_file(&dst)?;
            files.push(FileEntry {
                path: rel.to_string_lossy().replace('\\', "/"),
                bytes,
                sha256,
            });
            b.inc(1);
        }
        b.finish_and_clear();
    }
    let manifest = Manifest {
        format: 1,
        created_at: darkroom_domain::Timestamp::now_system().to_rfc3339(),
        darkroom_version: env!("CARGO_PKG_VERSION").into(),
        engine: "sqlite".into(),
        schema_version: db.schema_version().await?,
        files,
    };
    let mut f = File::create(dir.join("manifest.json"))?;
    f.write_all(serde_json::to_string_pretty(&manifest)?.as_bytes())?;
    f.sync_all()?;
    fsync_dir(&dir);
    Ok(dir)
}

/// Verifies a backup's checksums, then puts it in place of the current
/// database. The current database is kept beside it, never overwritten.
pub fn restore(cfg: &Config, from: &Path) -> anyhow::Result<()> {
    if !cfg.database_url().starts_with("sqlite:") {
        anyhow::bail!(
            "`darkroom restore` restores the embedded SQLite database; for PostgreSQL use pg_restore (see docs/runbooks/backup.md)"
        );
    }
    let raw = fs::read_to_string(from.join("manifest.json")).map_err(|e| {
        anyhow::anyhow!(
            "{}: no readable manifest.json ({e}); is this a Darkroom backup folder?",
            from.display()
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&raw)
        .map_err(|e| anyhow::anyhow!("manifest.json is not valid: {e}"))?;
    if manifest.format != 1 || manifest.engine != "sqlite" {
        anyhow::bail!(
            "this backup (format {}, engine {}) cannot be restored by this version",
            manifest.format,
            manifest.engine
        );
    }
    verify(from, &manifest)?;
    let db_path = match cfg.database_url().strip_prefix("sqlite://") {
        Some(rest) => PathBuf::from(rest.split('?').next().unwrap_or(rest)),
        None => cfg.data_dir.join("darkroom.db"),
    };
    let parent = db_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    fs::create_dir_all(&parent)?;
    keep_previous(&db_path, &parent)?;
    let tmp = parent.join("darkroom.db.restoring");
    fs::copy(from.join("darkroom.db"), &tmp)?;
    File::open(&tmp)?.sync_all()?;
    fs::rename(&tmp, &db_path)?;
    let media: Vec<&FileEntry> = manifest
        .files
        .iter()
        .filter(|f| f.path != "darkroom.db")
        .collect();
    let b = bar(media.len() as u64, "media");
    for f in media {
        let dst = cfg.data_dir.join(&f.path);
        if let Some(p) = dst.parent() {
            fs::create_dir_all(p)?;
        }
        fs::copy(from.join(&f.path), &dst)?;
        b.inc(1);
    }
    b.finish_and_clear();
    fsync_dir(&parent);
    Ok(())
}

/// Every file of the backup is there and matches its checksum; nothing is
/// changed before this holds.
fn verify(from: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let b = bar(manifest.files.len() as u64, "verifying");
    for f in &manifest.files {
        if f.path.contains("..") || f.path.starts_with('/') {
            anyhow::bail!(
                "manifest entry `{}` points outside the backup; refusing",
                f.path
            );
        }
        let (bytes, sha) = hash_file(&from.join(&f.path)).map_err(|e| {
            anyhow::anyhow!(
                "{} cannot be read ({e}): the backup is damaged; nothing was changed",
                f.path
            )
        })?;
        if bytes != f.bytes || sha != f.sha256 {
            anyhow::bail!(
                "{} does not match its checksum: the backup is damaged; nothing was changed",
                f.path
            );
        }
        b.inc(1);
    }
    b.finish_and_clear();
    Ok(())
}

/// Moves an existing database (and its WAL files) aside, stamped, so a
/// restore never destroys what was there.
fn keep_previous(db_path: &Path, parent: &Path) -> anyhow::Result<()> {
    let stamp = darkroom_domain::Timestamp::now_system()
        .to_rfc3339()
        .replace([':', '.'], "-");
    if db_path.exists() {
        let keep = parent.join(format!("darkroom.db.before-restore-{stamp}"));
        fs::rename(db_path, &keep)?;
        for ext in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{ext}", db_path.display()));
            if side.exists() {
                fs::rename(&side, PathBuf::from(format!("{}{ext}", keep.display())))?;
            }
        }
        println!("the previous database was kept as {}", keep.display());
    }
    Ok(())
}
