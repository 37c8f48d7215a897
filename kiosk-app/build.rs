//! Compiles the .slint UI into Rust, with the Vietnamese translations bundled into the binary.

fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/lang"))
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    slint_build::compile_with_config("ui/app.slint", config).expect("the .slint UI compiles");
    println!("cargo:rerun-if-changed=../assets/lang");
}
