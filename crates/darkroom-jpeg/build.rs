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

    // HEIC/HEIF through libheif (Debian's libheif-dev) whenever the machine
    // has it: detected here, not asked for. The `heif` feature makes it
    // required (the build fails without it); DARKROOM_HEIF=0 leaves it out.
    println!("cargo::rustc-check-cfg=cfg(darkroom_heif)");
    println!("cargo:rerun-if-changed=csrc/heif.c");
    println!("cargo:rerun-if-env-changed=DARKROOM_HEIF");
    println!("cargo:rerun-if-env-changed=DARKROOM_HEIF_INCLUDE");
    let required = std::env::var_os("CARGO_FEATURE_HEIF").is_some();
    let refused = std::env::var("DARKROOM_HEIF").is_ok_and(|v| v == "0");
    if refused && !required {
        return;
    }
    let mut h = cc::Build::new();
    h.file("csrc/heif.c")
        .opt_level(2)
        .warnings(true)
        .cargo_warnings(false);
    if let Ok(inc) = std::env::var("DARKROOM_HEIF_INCLUDE") {
        h.include(inc);
    }
    match h.try_compile("darkroom_heif_shim") {
        Ok(()) => {
            println!("cargo:rustc-link-lib=heif");
            println!("cargo:rustc-cfg=darkroom_heif");
            // Seen by dependents' build scripts as DEP_JPEG_HEIF.
            println!("cargo:heif=1");
        }
        Err(e) if required => panic!(
            "the `heif` feature needs libheif's headers (apt install libheif-dev, or set DARKROOM_HEIF_INCLUDE): {e}"
        ),
        Err(_) => {
            // Installing libheif-dev later touches the include folder, which
            // makes the next build look again instead of keeping this answer.
            let dir =
                std::env::var("DARKROOM_HEIF_INCLUDE").unwrap_or_else(|_| "/usr/include".into());
            if std::path::Path::new(&dir).is_dir() {
                println!("cargo:rerun-if-changed={dir}");
            }
            println!(
                "cargo:warning=libheif not found: HEIC photos will be stored without previews (apt install libheif-dev, then build again to render them)"
            )
        }
    }
}
