//! SIGTERM drains with a deadline: a client that stalls in the middle of an
//! upload does not keep the server up past `http.shutdown_grace_secs`, and
//! the upload resumes after the restart from what was stored.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use darkroom_db::testing::TestDb;

use crate::ingest::{darkroom_env, free_port, owner_token, photo, wait_ready};

fn spawn(db: &str, data: &std::path::Path, port: u16) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_darkroom"));
    cmd.arg("serve")
        .env("DARKROOM_BIND", format!("127.0.0.1:{port}"))
        .env("DARKROOM_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("DARKROOM_HTTP__SHUTDOWN_GRACE_SECS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    darkroom_env(&mut cmd, db, data, None);
    cmd.spawn().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_within_the_grace_while_an_upload_stalls() {
    let db = TestDb::create().await;
    let token = owner_token(&db.url).await;
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut server = spawn(&db.url, data.path(), port);
    wait_ready(&http, &base).await;

    let bytes = photo(77);
    let r = http
        .post(format!("{base}/api/v1/uploads"))
        .bearer_auth(&token)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", bytes.len().to_string())
        .header("upload-metadata", "filename c3RhbGwuanBn")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let url = r.headers()["location"].to_str().unwrap().to_string();
    let path = url.strip_prefix(&base).unwrap_or(&url).to_string();

    // A PATCH that sends a third of its body and then nothing more.
    let mut stalled = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let sent = bytes.len() / 3;
    write!(
        stalled,
        "PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\
         Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n\
         Content-Type: application/offset+octet-stream\r\nContent-Length: {}\r\n\r\n",
        bytes.len()
    )
    .unwrap();
    stalled.write_all(&bytes[..sent]).unwrap();
    stalled.flush().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let asked = Instant::now();
    let ok = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let status = loop {
        if let Some(s) = server.try_wait().unwrap() {
            break Some(s);
        }
        // Far beyond the 1 s grace, far below the 60 s an idle upload is
        // otherwise given.
        if asked.elapsed() > Duration::from_secs(20) {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let Some(status) = status else {
        server.kill().unwrap();
        panic!("the server was still up 20 s after SIGTERM with a 1 s grace");
    };
    assert!(status.success(), "{status:?}");
    drop(stalled);

    // After a restart the upload is there to resume.
    let mut server = spawn(&db.url, data.path(), port);
    wait_ready(&http, &base).await;
    let r = http
        .head(format!("{base}{path}"))
        .bearer_auth(&token)
        .header("tus-resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let offset: usize = r.headers()["upload-offset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(offset <= sent, "{offset} of {sent}");
    let r = http
        .patch(format!("{base}{path}"))
        .bearer_auth(&token)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", offset.to_string())
        .header("content-type", "application/offset+octet-stream")
        .body(bytes[offset..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204, "{:?}", r.text().await);
    server.kill().unwrap();
    server.wait().unwrap();
}
