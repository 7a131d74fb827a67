//! Real peers the tests talk to, installed on first use (see
//! ../shared/docs/TEST_PEERS.md): an SMTP server from aiosmtpd.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// A Python with aiosmtpd: `DARKROOM_TEST_PYTHON`, the system's if it has
/// aiosmtpd, else a virtualenv under target/ that this creates once.
pub fn python_with_aiosmtpd() -> PathBuf {
    python_with("aiosmtpd", "aiosmtpd")
}

/// A Python that can import `module`: `DARKROOM_TEST_PYTHON` if it can, the
/// system's if it can, else the virtualenv under target/test-peers, into
/// which `package` is installed from PyPI once.
pub fn python_with(module: &str, package: &str) -> PathBuf {
    let has = |py: &Path| {
        Command::new(py)
            .args(["-c", &format!("import {module}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if let Some(p) = std::env::var_os("DARKROOM_TEST_PYTHON").map(PathBuf::from)
        && has(&p)
    {
        return p;
    }
    if has(Path::new("python3")) {
        return PathBuf::from("python3");
    }
    let dir = target_dir().join("test-peers");
    std::fs::create_dir_all(&dir).unwrap();
    let lock = std::fs::File::create(dir.join(".lock")).unwrap();
    lock.lock().unwrap();
    let venv = dir.join("venv");
    let py = venv.join("bin/python");
    if !has(&py) {
        let ok = (py.exists()
            || Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .unwrap()
                .success())
            && Command::new(&py)
                .args(["-m", "pip", "install", "--quiet", package])
                .status()
                .unwrap()
                .success();
        assert!(
            ok,
            "could not install {package} (needs python3 with venv and access to PyPI)"
        );
    }
    py
}

/// A node_modules folder holding `package` (installed from npm once, under
/// target/test-peers/node).
pub fn node_modules_with(package: &str) -> PathBuf {
    let dir = target_dir().join("test-peers/node");
    std::fs::create_dir_all(&dir).unwrap();
    let lock = std::fs::File::create(dir.join(".lock")).unwrap();
    lock.lock().unwrap();
    let modules = dir.join("node_modules");
    if !modules.join(package).join("package.json").exists() {
        let ok = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(package)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "could not install {package} (needs node, npm and access to npm)"
        );
    }
    modules
}

/// A running SMTP sink; messages land as files in `dir`.
pub struct SmtpSink {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Child,
}

impl SmtpSink {
    pub fn start(delay_secs: f64) -> Self {
        let py = python_with_aiosmtpd();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/smtp_sink.py");
        let mut child = Command::new(py)
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path())
            .arg(delay_secs.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "READY", "the SMTP sink did not start");
        SmtpSink { port, dir, child }
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(self.dir.path()).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "eml") {
                out.push(std::fs::read_to_string(p).unwrap());
            }
        }
        out
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Message-ID header of a raw message.
pub fn message_id(raw: &str) -> Option<String> {
    raw.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("message-id")
            .then(|| v.trim().to_string())
    })
}
