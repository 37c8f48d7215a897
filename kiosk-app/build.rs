//! Compiles the .slint UI into Rust, with the Vietnamese translations bundled into the binary.

fn main() {
    // Read at run time, not with env!(): a build script compiled in one checkout may be reused from a shared
    // target directory by another checkout at a different path.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations(format!("{manifest_dir}/../assets/lang"))
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    slint_build::compile_with_config("ui/app.slint", config).expect("the .slint UI compiles");
    println!("cargo:rerun-if-changed=../assets/lang");
}
