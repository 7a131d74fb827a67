//! Renders HEIC when darkroom-jpeg was built with libheif (it found the
//! library on this machine): its build script says so as DEP_JPEG_HEIF.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(darkroom_heif)");
    println!("cargo:rerun-if-env-changed=DEP_JPEG_HEIF");
    if std::env::var_os("DEP_JPEG_HEIF").is_some() {
        println!("cargo:rustc-cfg=darkroom_heif");
    }
}
