//! The commands that work on an instance's data: the audit chain, backups
//! and restores; ingest and the media store; studios, tokens and sign-ins.

#[allow(clippy::wildcard_imports)]
use super::*;

/// The audit chain, backups and restores.
pub(super) async fn data_command(cmd: Command, cfg: Config) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Audit {
            action: AuditAction::Verify,
        } => audit_verify(&cfg).await,
        Command::Backup { out } => {
            let db = open_db(&cfg, false).await?;
            let dir = backup::backup(&cfg, &db, out).await?;
            println!("backup written to {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from } => {
            let existed = cfg.data_dir.exists();
            let lock = lock_data_dir(&cfg, true)?;
            if let Err(e) = backup::restore(&cfg, &from) {
                // A refused restore into a new folder leaves no folder behind.
                drop(lock);
                if !existed {
                    let _ = std::fs::remove_file(cfg.data_dir.join(".darkroom.lock"));
                    let _ = std::fs::remove_dir(&cfg.data_dir);
                }
                return Err(e);
            }
            println!(
                "restored {} into {}",
                from.display(),
                cfg.data_dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        other => anyhow::bail!("{other:?} is not handled here"),
    }
}

/// Importing photos and looking after the media store.
pub(super) async fn media_command(cmd: Command, cfg: Config) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Ingest {
            folder,
            gallery,
            create,
            branch,
            studio,
            as_email,
            jobs,
            no_wait,
        } => {
            let _lock = lock_data_dir(&cfg, false)?;
            let core = open_core(&cfg, open_db(&cfg, true).await?).await?;
            media_cmd::ingest(
                core,
                media_cmd::IngestArgs {
                    folder,
                    gallery,
                    create: create.then_some(branch),
                    studio,
                    as_email,
                    jobs,
                    wait: !no_wait,
                },
            )
            .await
        }
        Command::Media {
            action: MediaAction::Check { repair },
        } => {
            let _lock = lock_data_dir(&cfg, false)?;
            let core = open_core(&cfg, open_db(&cfg, true).await?).await?;
            media_cmd::check(core, repair).await
        }
        Command::Media {
            action: MediaAction::Migrate { to, studio },
        } => {
            let _lock = lock_data_dir(&cfg, false)?;
            let core = open_core(&cfg, open_db(&cfg, true).await?).await?;
            media_cmd::migrate(core, to, studio).await
        }
        other => anyhow::bail!("{other:?} is not handled here"),
    }
}

/// Studios, tokens and sign-ins on this instance.
pub(super) async fn people_command(cmd: Command, cfg: Config) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Studio {
            action: StudioAction::Quota { studio, set },
        } => {
            let core = open_core(&cfg, open_db(&cfg, true).await?).await?;
            media_cmd::quota(core, studio, set).await
        }
        Command::Token {
            action:
                TokenAction::Create {
                    studio,
                    as_email,
                    name,
                    days,
                },
        } => {
            let core = open_core(&cfg, open_db(&cfg, true).await?).await?;
            let p = darkroom_core::photos::import::operator(
                &core,
                studio.as_deref(),
                as_email.as_deref(),
            )
            .await?;
            let t = darkroom_core::studio::token::create_full(
                &core,
                &p,
                &darkroom_core::Meta::system(),
                &name,
                days,
            )
            .await?;
            eprintln!(
                "API token for {} (expires {}); send it as `Authorization: Bearer <token>`. It is shown only now:",
                p.label(),
                t.info.expires_at
            );
            println!("{}", t.token);
            Ok(ExitCode::SUCCESS)
        }
        Command::Account {
            action: AccountAction::ResetLink { email },
        } => {
            let core = open_core(&cfg, open_db(&cfg, true).await?).await?;
            println!(
                "Give this one-time link to the person, and only to them (it sets their password):\n  {}",
                darkroom_core::studio::auth::operator_reset_link(&core, &email).await?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Studio {
            action: StudioAction::NewLink,
        } => {
            let core = open_core(&cfg, open_db(&cfg, true).await?).await?;
            println!(
                "Open this one-time link to create a studio (valid 24 hours):\n  {}",
                darkroom_core::studio::setup::new_studio_link(&core).await?
            );
            Ok(ExitCode::SUCCESS)
        }
        other => anyhow::bail!("{other:?} is not handled here"),
    }
}

/// `darkroom audit verify`: every chain's hashes, then every signed
/// contract's document and PDF against the hashes its chain recorded.
async fn audit_verify(cfg: &Config) -> anyhow::Result<ExitCode> {
    let core = open_core(cfg, open_db(cfg, false).await?).await?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let report = darkroom_core::kernel::audit::verify_all(&core, |chain, n| {
        bar.set_message(format!(
            "chain {}: {n} entries checked",
            darkroom_core::kernel::audit::chain_label(chain)
        ))
    })
    .await?;
    let contracts = darkroom_core::billing::contract::verify::verify_contracts(&core, |n| {
        bar.set_message(format!("signed contracts: {n} checked"))
    })
    .await?;
    bar.finish_and_clear();
    let mut ok = true;
    if report.faults.is_empty() {
        println!(
            "audit log intact: {} entries in {} chain(s) verified",
            report.entries, report.chains
        );
    } else {
        ok = false;
        println!(
            "AUDIT LOG TAMPERED: {} problem(s) in {} entries",
            report.faults.len(),
            report.entries
        );
        for f in &report.faults {
            println!(
                "  chain {} entry #{} (aud_{}): {}",
                darkroom_core::kernel::audit::chain_label(&f.chain),
                f.seq,
                f.id.simple(),
                f.problem
            );
        }
    }
    if contracts.problems.is_empty() {
        println!(
            "signed contracts intact: {} document(s) and PDF(s) match the hashes in the audit chain",
            contracts.checked
        );
    } else {
        ok = false;
        println!(
            "SIGNED CONTRACTS ALTERED: {} problem(s) in {} contract(s)",
            contracts.problems.len(),
            contracts.checked
        );
        for p in &contracts.problems {
            println!("  {p}");
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
