//! Photo commands for the terminal: `darkroom ingest`, `darkroom media
//! check`, `darkroom media migrate` and `darkroom studio quota`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use darkroom_core::photos::photo::{Destination, Ingested};
use darkroom_core::{Core, CoreError, Principal, photos::import, photos::media, studio};
use darkroom_domain::{StudioId, TypedId};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

fn bar(len: u64, template: &str) -> ProgressBar {
    let b = ProgressBar::new(len);
    b.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    b
}

/// Files a person means to import: everything under `root` except hidden
/// files and folders and the operating system's own files, sorted by path.
pub fn files_under(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    fn skip(name: &str) -> bool {
        name.starts_with('.')
            || name.eq_ignore_ascii_case("Thumbs.db")
            || name.eq_ignore_ascii_case("desktop.ini")
    }
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            if skip(&name) {
                continue;
            }
            // Symbolic links to folders are not followed (no loops).
            let ft = entry.file_type()?;
            let path = entry.path();
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() || (ft.is_symlink() && path.is_file()) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Extensions photos come in: a file named so is imported even when its
/// bytes are damaged, so that the failure is reported.
const PHOTO_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "png", "webp", "heic", "heif", "hif", "avif", "tif", "tiff", "dng",
    "cr2", "cr3", "crw", "nef", "nrw", "arw", "srf", "sr2", "raf", "orf", "rw2", "pef", "srw",
    "x3f", "3fr", "iiq", "erf", "mef", "mos", "kdc", "dcr", "rwl",
];

/// Whether `path` is a photo to import: its first bytes are a format
/// Darkroom reads, or its name says it is one.
fn may_be_photo(path: &Path) -> bool {
    let by_name = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| PHOTO_EXTENSIONS.iter().any(|p| e.eq_ignore_ascii_case(p)));
    if by_name {
        return true;
    }
    let mut head = [0u8; 64];
    let read = std::fs::File::open(path).and_then(|mut f| {
        use std::io::Read;
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..])? {
                0 => break,
                k => n += k,
            }
        }
        Ok(n)
    });
    // An unreadable file is not skipped: the import reports why.
    read.map_or(true, |n| darkroom_imaging::sniff(&head[..n]).is_ok())
}

/// What happened to each file.
#[derive(Default)]
pub struct IngestSummary {
    pub added: u64,
    pub duplicates: u64,
    pub failures: Vec<(PathBuf, String)>,
}

async fn import_one(
    core: &Core,
    p: &Principal,
    dest: Destination,
    path: &Path,
) -> Result<Ingested, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    darkroom_core::photos::photo::import_file(core, p, dest, &name, path)
        .await
        .map_err(|e| match e {
            CoreError::Validation(errs) => errs
                .0
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        })
}

pub struct IngestArgs {
    pub folder: PathBuf,
    pub gallery: Option<String>,
    /// Make the gallery when missing, in this branch (or the only one).
    pub create: Option<Option<String>>,
    pub studio: Option<String>,
    pub as_email: Option<String>,
    pub jobs: usize,
    pub wait: bool,
}

/// `darkroom ingest`: imports a folder into a gallery (or a new staging
/// batch), skipping files already there, and renders them.
pub async fn ingest(core: Core, args: IngestArgs) -> anyhow::Result<ExitCode> {
    let p = import::operator(&core, args.studio.as_deref(), args.as_email.as_deref()).await?;
    let (dest, gallery) = destination(&core, &p, &args).await?;
    if !args.folder.is_dir() {
        anyhow::bail!(
            "{} is not a folder; give the folder holding the photos (a memory card's DCIM folder works)",
            args.folder.display()
        );
    }
    let all = files_under(&args.folder)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.folder.display()))?;
    // A card also holds notes, videos and camera files: they are not photos,
    // so they are skipped and counted rather than failed.
    let (files, not_photos): (Vec<PathBuf>, Vec<PathBuf>) =
        all.into_iter().partition(|f| may_be_photo(f));
    match &gallery {
        Some(g) => println!(
            "Importing {} file(s) into {} as {}",
            files.len(),
            g.name,
            p.label()
        ),
        None => println!(
            "Importing {} file(s) into a new staging batch as {}",
            files.len(),
            p.label()
        ),
    }

    // Renders run here as photos arrive (and on a running server, if any).
    let stop = CancellationToken::new();
    let worker = args.wait.then(|| {
        tokio::spawn(darkroom_core::kernel::jobs::run_worker(
            core.clone(),
            format!("{}-ingest", darkroom_core::kernel::jobs::worker_name()),
            stop.clone(),
        ))
    });

    let summary = import_all(&core, &p, dest, &files, args.jobs).await;
    if let Some(w) = worker {
        wait_for_renders(&core, &p, dest).await?;
        stop.cancel();
        let _ = w.await;
    } else {
        stop.cancel();
    }

    println!(
        "{} file(s): {} added, {} already there (same content), {} failed",
        files.len(),
        summary.added,
        summary.duplicates,
        summary.failures.len()
    );
    if let Some(first) = not_photos.first() {
        let shown = first.strip_prefix(&args.folder).unwrap_or(first);
        println!(
            "{} other file(s) skipped: not photos (such as {})",
            not_photos.len(),
            shown.display()
        );
    }
    if !summary.failures.is_empty() {
        println!("\nThese files were not imported:");
        for (path, why) in &summary.failures {
            let shown = path.strip_prefix(&args.folder).unwrap_or(path);
            println!("  {}: {why}", shown.display());
        }
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// Where `ingest` puts the photos: the gallery named (made first with
/// `--create`), or a new staging batch.
async fn destination(
    core: &Core,
    p: &Principal,
    args: &IngestArgs,
) -> anyhow::Result<(
    Destination,
    Option<darkroom_core::photos::gallery::GalleryView>,
)> {
    Ok(match &args.gallery {
        Some(r) => {
            let g = match &args.create {
                Some(branch) => {
                    let (g, made) =
                        import::gallery_or_create(core, p, r, branch.as_deref()).await?;
                    if made {
                        println!("Made the gallery {} ({})", g.name, g.id);
                    }
                    g
                }
                None => import::gallery_by_ref(core, p, r).await?,
            };
            (Destination::Gallery(g.id), Some(g))
        }
        None => (Destination::Staging(darkroom_domain::BatchId::new()), None),
    })
}

/// Imports `files`, `jobs` at a time, with a progress bar.
async fn import_all(
    core: &Core,
    p: &Principal,
    dest: Destination,
    files: &[PathBuf],
    jobs: usize,
) -> IngestSummary {
    let progress = bar(
        files.len() as u64,
        "{bar:40} {pos}/{len} files  {elapsed_precise} (eta {eta})  {msg}",
    );
    let mut summary = IngestSummary::default();
    let mut results = futures::stream::iter(files.iter().cloned())
        .map(|path| {
            let core = core.clone();
            let p = p.clone();
            async move {
                let r = import_one(&core, &p, dest, &path).await;
                (path, r)
            }
        })
        .buffered(jobs.max(1));
    while let Some((path, r)) = results.next().await {
        match r {
            Ok(Ingested::Duplicate { .. }) => summary.duplicates += 1,
            Ok(_) => summary.added += 1,
            Err(e) => summary.failures.push((path, e)),
        }
        progress.set_message(format!(
            "{} added, {} already there, {} failed",
            summary.added,
            summary.duplicates,
            summary.failures.len()
        ));
        progress.inc(1);
    }
    progress.finish_and_clear();
    summary
}

/// Waits, with a progress bar, until every photo of `dest` is rendered.
async fn wait_for_renders(core: &Core, p: &Principal, dest: Destination) -> anyhow::Result<()> {
    let left = import::rendering_in(core, p, dest).await?;
    if left == 0 {
        return Ok(());
    }
    let rb = bar(left, "{bar:40} {pos}/{len} rendered  {elapsed_precise}");
    loop {
        let now = import::rendering_in(core, p, dest).await?;
        rb.set_position(left.saturating_sub(now));
        if now == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    rb.finish_and_clear();
    Ok(())
}

/// `darkroom media check [--repair]`.
pub async fn check(core: Core, repair: bool) -> anyhow::Result<ExitCode> {
    let spinner = ProgressBar::new_spinner();
    let r = media::check(&core, repair, |n| {
        if n % 200 == 0 {
            spinner.set_message(format!("{n} photo versions checked"));
            spinner.tick();
        }
    })
    .await?;
    spinner.finish_and_clear();
    println!(
        "{} photo version(s) and {} stored file(s) checked",
        r.versions_checked, r.objects_checked
    );
    let fine = r.missing_originals.is_empty() && r.missing_derivatives == 0 && r.orphans.is_empty();
    if fine {
        println!("everything matches: every row has its bytes and every file has its row");
    }
    if !r.missing_originals.is_empty() {
        println!(
            "{} original(s) missing from the store{}:",
            r.missing_originals.len(),
            if repair {
                " (photos marked missing; upload them again)"
            } else {
                ""
            }
        );
        for k in r.missing_originals.iter().take(50) {
            println!("  {k}");
        }
    }
    if r.missing_derivatives > 0 {
        println!(
            "{} photo(s) missing thumbnails, previews or proofs{}",
            r.missing_derivatives,
            if repair {
                " (queued for rendering)"
            } else {
                ""
            }
        );
    }
    if !r.orphans.is_empty() {
        println!(
            "{} file(s) without a row{}",
            r.orphans.len(),
            if repair && r.orphans_deleted == r.orphans.len() as u64 {
                "; all deleted".to_string()
            } else if repair {
                format!(
                    "; {} deleted, the rest are under {} minute(s) old and may belong to an upload in progress (media.orphan_grace_minutes)",
                    r.orphans_deleted,
                    core.settings().media.orphan_grace.as_secs() / 60
                )
            } else {
                String::new()
            }
        );
    }
    if r.stale_uploads_removed > 0 {
        println!(
            "{} abandoned partial upload(s) removed",
            r.stale_uploads_removed
        );
    }
    if !fine && !repair {
        println!("run `darkroom media check --repair` to fix what can be fixed");
    }
    Ok(if fine || repair {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn studio_of(
    core_studios: &[(StudioId, studio::StorageReport)],
    r: Option<&str>,
) -> anyhow::Result<StudioId> {
    match r {
        Some(r) => {
            let id = StudioId::parse(r).ok();
            core_studios
                .iter()
                .find(|(sid, s)| Some(*sid) == id || s.name == r)
                .map(|(sid, _)| *sid)
                .ok_or_else(|| {
                    anyhow::anyhow!("no studio `{r}`; use its id (`std_...`) or exact name")
                })
        }
        None => match core_studios {
            [(sid, _)] => Ok(*sid),
            [] => anyhow::bail!("this instance has no studio yet"),
            _ => anyhow::bail!("this instance has several studios; choose one with --studio"),
        },
    }
}

/// `darkroom media migrate --to <store> [--studio]`.
pub async fn migrate(
    core: Core,
    to: String,
    studio_ref: Option<String>,
) -> anyhow::Result<ExitCode> {
    let all = studio::storage_report(&core).await?;
    let sid = studio_of(&all, studio_ref.as_deref())?;
    let b = bar(0, "{bar:40} {pos}/{len} files  {elapsed_precise}");
    let r = media::migrate_studio(&core, sid, &to, |done, total| {
        b.set_length(total);
        b.set_position(done);
    })
    .await?;
    b.finish_and_clear();
    println!(
        "moved {} file(s) ({} bytes) to `{to}`; {} original(s) read back with matching SHA-256; the studio now uses `{to}`",
        r.objects, r.bytes, r.originals_verified
    );
    Ok(ExitCode::SUCCESS)
}

/// `500GB`, `1.5 TB`, `800MB`, `none`.
pub fn parse_size(s: &str) -> Result<Option<i64>, String> {
    let t = s.trim().to_ascii_lowercase().replace(' ', "");
    if t == "none" || t == "unlimited" {
        return Ok(None);
    }
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let mult: i64 = match unit {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => {
            return Err(format!(
                "unknown unit `{unit}`; use MB, GB or TB (e.g. 500GB), or `none`"
            ));
        }
    };
    // Exact decimal arithmetic: "1.5" TB is 1_500_000_000_000 bytes.
    let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(format!(
            "`{s}` is not a size; write it like 500GB, 1.5TB or none"
        ));
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| format!("`{s}` is too large"))?
    };
    let mut bytes = w
        .checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too large"))?;
    let mut scale = mult;
    for d in frac.chars() {
        scale /= 10;
        if scale == 0 {
            break;
        }
        bytes += i64::from(d.to_digit(10).unwrap_or(0) as u8) * scale;
    }
    Ok(Some(bytes))
}

fn gb(b: i64) -> String {
    format!(
        "{}.{:02} GB",
        b / 1_000_000_000,
        (b % 1_000_000_000) / 10_000_000
    )
}

/// `darkroom studio quota [--studio] [--set SIZE|none]`.
pub async fn quota(
    core: Core,
    studio_ref: Option<String>,
    set: Option<String>,
) -> anyhow::Result<ExitCode> {
    if let Some(v) = set {
        let all = studio::storage_report(&core).await?;
        let sid = studio_of(&all, studio_ref.as_deref())?;
        let q = parse_size(&v).map_err(|m| anyhow::anyhow!("--set: {m}"))?;
        studio::set_quota(&core, sid, q).await?;
    }
    for (id, s) in studio::storage_report(&core).await? {
        if studio_ref
            .as_deref()
            .is_some_and(|r| r != s.name && r != id.to_string())
        {
            continue;
        }
        let quota = match (s.own_quota, s.effective_quota) {
            (Some(q), _) => format!("quota {}", gb(q)),
            (None, Some(q)) => format!("quota {} (instance default)", gb(q)),
            (None, None) => "no quota".into(),
        };
        println!(
            "{} ({id}): {} used, {quota}, store `{}`",
            s.name,
            gb(s.used_bytes),
            s.store
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_exactly() {
        assert_eq!(parse_size("500GB"), Ok(Some(500_000_000_000)));
        assert_eq!(parse_size("1.5 TB"), Ok(Some(1_500_000_000_000)));
        assert_eq!(parse_size("800mb"), Ok(Some(800_000_000)));
        assert_eq!(parse_size("none"), Ok(None));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5 PB").is_err());
        assert!(parse_size("-5GB").is_err());
        assert!(parse_size("99999999999TB").is_err());
    }

    #[test]
    fn hidden_and_system_files_are_left_out() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("DCIM/100CANON")).unwrap();
        std::fs::create_dir_all(d.path().join(".Trashes")).unwrap();
        for f in [
            "DCIM/100CANON/IMG_0002.JPG",
            "DCIM/100CANON/IMG_0001.JPG",
            "DCIM/100CANON/._IMG_0001.JPG",
            ".Trashes/x.jpg",
            "Thumbs.db",
        ] {
            std::fs::write(d.path().join(f), b"x").unwrap();
        }
        let got: Vec<_> = files_under(d.path())
            .unwrap()
            .iter()
            .map(|p| {
                p.strip_prefix(d.path())
                    .unwrap()
                    .to_string_lossy()
                    .to_string()
            })
            .collect();
        assert_eq!(
            got,
            ["DCIM/100CANON/IMG_0001.JPG", "DCIM/100CANON/IMG_0002.JPG"]
        );
    }
}
