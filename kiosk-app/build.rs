//! Compiles the .slint UI into Rust, with the Vietnamese translations bundled into the binary.

fn main() {
    // Read at run time, not with env!(): a build script compiled in one checkout may be reused from a shared
    // target directory by another checkout at a different path.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    // The speaker button reads the screen from its element tree (ui/read_aloud.rs), which needs the debug info;
    // .cargo/config.toml sets it for the workspace, and a build outside it (a package) gets it here.
    if std::env::var_os("SLINT_EMIT_DEBUG_INFO").is_none() {
        std::env::set_var("SLINT_EMIT_DEBUG_INFO", "1");
    }
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations(format!("{manifest_dir}/../assets/lang"))
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    slint_build::compile_with_config("ui/app.slint", config).expect("the .slint UI compiles");
    println!("cargo:rerun-if-changed=../assets/lang");
}
