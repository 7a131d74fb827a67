//! Builds the small C shim over libjpeg (Debian's libjpeg62-turbo-dev) and links it.

fn main() {
    println!("cargo:rerun-if-changed=csrc/shim.c");
    let mut b = cc::Build::new();
    b.file("csrc/shim.c").opt_level(2).warnings(true);
    if let Ok(inc) = std::env::var("DARKROOM_JPEG_INCLUDE") {
        b.include(inc);
    }
    b.compile("darkroom_jpeg_shim");
    if let Ok(dir) = std::env::var("DARKROOM_JPEG_LIB_DIR") {
        println!("cargo:rustc-link-search=native={dir}");
    }
    println!("cargo:rustc-link-lib=jpeg");

    // HEIC/HEIF through libheif (Debian's libheif-dev), only when asked for.
    if std::env::var_os("CARGO_FEATURE_HEIF").is_some() {
        println!("cargo:rerun-if-changed=csrc/heif.c");
        let mut h = cc::Build::new();
        h.file("csrc/heif.c").opt_level(2).warnings(true);
        if let Ok(inc) = std::env::var("DARKROOM_HEIF_INCLUDE") {
            h.include(inc);
        }
        h.compile("darkroom_heif_shim");
        println!("cargo:rustc-link-lib=heif");
    }
}
