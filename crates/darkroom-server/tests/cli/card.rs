//! `darkroom ingest` as a newcomer runs it: from the wrong folder it names
//! the folder it looked in and makes nothing there; `--create` makes the
//! gallery; notes and videos on the card are skipped and counted, not
//! failed; logs written to a pipe carry no colour codes.

use std::process::Command;

use darkroom_db::testing::TestDb;

use crate::ingest::{darkroom_env, owner_token, photo, run};

#[test]
fn ingest_from_a_folder_without_an_instance_names_it_and_makes_nothing() {
    let cwd = tempfile::tempdir().unwrap();
    let card = tempfile::tempdir().unwrap();
    std::fs::write(card.path().join("IMG_0001.JPG"), photo(1)).unwrap();
    let (code, out) = run(Command::new(env!("CARGO_BIN_EXE_darkroom"))
        .args(["ingest", &card.path().display().to_string()])
        .current_dir(cwd.path())
        .env_remove("DARKROOM_DATABASE_URL")
        .env_remove("DARKROOM_DATA_DIR")
        .env("DARKROOM_LOG", "warn"));
    assert_eq!(code, 2, "{out}");
    let looked_in = cwd.path().join("darkroom-data");
    assert!(
        out.contains("no Darkroom instance in")
            && out.contains(&looked_in.display().to_string())
            && out.contains("--data-dir"),
        "{out}"
    );
    assert!(!looked_in.exists(), "no empty instance is made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_makes_its_gallery_and_skips_what_is_not_a_photo() {
    let db = TestDb::create().await;
    owner_token(&db.url).await;
    let data = tempfile::tempdir().unwrap();
    let card = tempfile::tempdir().unwrap();
    let dcim = card.path().join("DCIM/100CANON");
    std::fs::create_dir_all(&dcim).unwrap();
    for i in 0..3u32 {
        std::fs::write(dcim.join(format!("IMG_{i:04}.JPG")), photo(40 + i)).unwrap();
    }
    std::fs::write(card.path().join("README.txt"), "Shot list for Saturday\n").unwrap();
    let mut clip = vec![0, 0, 0, 0x18];
    clip.extend(b"ftypisom\0\0\x02\0isomiso2mp41");
    clip.resize(4096, 0);
    std::fs::write(dcim.join("MVI_0004.MP4"), clip).unwrap();
    let folder = card.path().display().to_string();
    let ingest = |extra: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_darkroom"));
        cmd.args(["ingest", &folder]).args(extra);
        darkroom_env(&mut cmd, &db.url, data.path(), None);
        cmd.env("DARKROOM_LOG", "info");
        run(&mut cmd)
    };

    // Without --create a missing gallery is refused, saying how to make it.
    let (code, out) = ingest(&["--gallery", "Beach Day"]);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("no gallery named `Beach Day`") && out.contains("--create"),
        "{out}"
    );

    let (code, out) = ingest(&["--gallery", "Beach Day", "--create"]);
    assert_eq!(code, 0, "the card's other files fail nothing: {out}");
    assert!(out.contains("Made the gallery Beach Day"), "{out}");
    assert!(out.contains("3 added"), "{out}");
    assert!(
        out.contains("2 other file(s) skipped: not photos"),
        "the note and the video are counted: {out}"
    );
    assert!(
        !out.contains('\u{1b}'),
        "no colour codes in a pipe: {out:?}"
    );

    // Again: the gallery is found, not made twice, and nothing is added twice.
    let (code, out) = ingest(&["--gallery", "Beach Day", "--create"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("Made the gallery"), "{out}");
    assert!(out.contains("0 added, 3 already there"), "{out}");

    // A damaged file named as a photo is still tried, and reported.
    std::fs::write(dcim.join("IMG_0009.JPG"), b"not really a jpeg at all").unwrap();
    let (code, out) = ingest(&["--gallery", "Beach Day"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("IMG_0009.JPG"), "{out}");
}
