//! Whole-gallery ZIP downloads for staff: exact length, the stored bytes,
//! safe unique names, previews, rights, and an audit record.

use std::process::Command;

use reqwest::StatusCode;

use crate::helpers::{TestApp, jpeg};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gallery_downloads_as_one_zip_with_every_original() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Zip").await;
    let g = app.gallery(&owner, "Riverside / wedding").await;
    let files = [
        ("IMG_0001.jpg", jpeg(640, 480, 1)),
        ("img_0001.JPG", jpeg(640, 480, 2)),
        ("../../secret.jpg", jpeg(480, 640, 3)),
    ];
    for (name, bytes) in &files {
        let r = app.upload(&owner, ("gallery", &g), name, bytes).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    app.drain_jobs().await;

    let r = app
        .http
        .get(app.url(&format!("/galleries/{g}/download")))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "application/zip");
    let disposition = h["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("wedding - originals.zip"),
        "{disposition}"
    );
    let declared: usize = h["content-length"].to_str().unwrap().parse().unwrap();
    let body = r.bytes().await.unwrap();
    assert_eq!(
        body.len(),
        declared,
        "the length announced is the length sent"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.zip");
    std::fs::write(&path, &body).unwrap();
    let t = Command::new("unzip").arg("-t").arg(&path).output().unwrap();
    assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stdout));
    let out = dir.path().join("x");
    let x = Command::new("unzip")
        .args(["-q", "-d"])
        .arg(&out)
        .arg(&path)
        .output()
        .unwrap();
    assert!(x.status.success(), "{}", String::from_utf8_lossy(&x.stderr));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"secret.jpg".to_string()), "{names:?}");
    let mut found = 0;
    for n in &names {
        let got = std::fs::read(out.join(n)).unwrap();
        assert!(
            files.iter().any(|(_, b)| *b == got),
            "{n} is not one of the uploaded files"
        );
        found += 1;
    }
    assert_eq!(found, 3);
    assert!(
        names.iter().any(|n| n.contains(" (2)")),
        "two names differing only in case are made unique: {names:?}"
    );

    // Previews: JPEGs of every photo, without EXIF.
    let r = app
        .http
        .get(app.url(&format!("/galleries/{g}/download?contents=previews")))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.bytes().await.unwrap();
    std::fs::write(&path, &body).unwrap();
    let l = Command::new("unzip")
        .arg("-Z1")
        .arg(&path)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&l.stdout).to_string();
    assert_eq!(listed.lines().count(), 3, "{listed}");
    assert!(listed.lines().all(|n| n.ends_with(".jpg")), "{listed}");

    // A bad choice is a clear 422; each download is an audited export.
    let r = app
        .http
        .get(app.url(&format!("/galleries/{g}/download?contents=raw")))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("originals or previews"));
    assert_eq!(app.audit_count(owner.studio, "gallery.exported").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_people_who_may_see_the_gallery_download_it() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Zip rights").await;
    let g = app.gallery(&owner, "Private shoot").await;
    let r = app
        .upload(&owner, ("gallery", &g), "a.jpg", &jpeg(300, 200, 9))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let other_branch = app.branch(&owner, "Elsewhere").await;
    let outsider = app.member(&owner, "photographer", Some(other_branch)).await;
    let get = |token: String, path: String| {
        let http = app.http.clone();
        let url = app.url(&path);
        async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        get(outsider.token.clone(), format!("/galleries/{g}/download")).await,
        StatusCode::FORBIDDEN
    );
    let stranger = app.studio("Someone else").await;
    assert_eq!(
        get(stranger.token.clone(), format!("/galleries/{g}/download")).await,
        StatusCode::NOT_FOUND
    );
    // An empty gallery says so.
    let empty = app.gallery(&owner, "Empty").await;
    assert_eq!(
        get(owner.token.clone(), format!("/galleries/{empty}/download")).await,
        StatusCode::CONFLICT
    );
    assert_eq!(app.audit_count(owner.studio, "gallery.exported").await, 0);
}
