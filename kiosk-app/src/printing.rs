//! Printing from the kiosk: the shipped font for the encoder, the configured printer profile, and the
//! simulated printer's paper as a picture (what the demo shows the resident after printing).
//! Must not do: block the UI thread (printing runs where the devices live).

use kiosk_drivers::printer::decode;
use kiosk_drivers::printer::document::{Align, Style};
use kiosk_drivers::printer::profile::Profile;
use kiosk_drivers::printer::raster::Typeface;

/// The slips' type styles: a title line, a large line (a code, a number), a section heading, a centred note.
pub const TITLE: Style = Style { scale: 1, bold: true, align: Align::Center };
pub const BIG: Style = Style { scale: 2, bold: true, align: Align::Center };
pub const HEADING: Style = Style { scale: 1, bold: true, align: Align::Left };
pub const CENTRED: Style = Style { scale: 1, bold: false, align: Align::Center };

/// The help lines of the configuration (`[help]`) at the foot of a slip: "Need help? Call:" and each line with
/// its number. Nothing when none is configured.
pub fn help_lines(
    doc: kiosk_drivers::printer::document::Document,
    config: &kiosk_core::config::Config,
    language: kiosk_core::config::Language,
) -> kiosk_drivers::printer::document::Document {
    if config.help.is_empty() {
        return doc;
    }
    let mut doc = doc.text(crate::words::tr(language, "Need help? Call:"), HEADING);
    for line in &config.help {
        doc = doc.line(format!("{}: {}", crate::words::either(language, &line.name_vi, &line.name_en), line.number));
    }
    doc
}

/// The kiosk's font (Be Vietnam Pro, shipped in assets/fonts), for downloaded characters and raster text; parsed
/// once for the whole process and shared with the simulated scanner.
pub fn typeface() -> &'static Typeface {
    Typeface::shipped()
}

/// Draws a job as the paper that would come out of a printer of `profile`, as a PNG file.
pub fn paper_png(job: &[u8], profile: &Profile, face: &Typeface, path: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let printed = decode::paper(job, profile, face).context("decoding the printed job")?;
    let picture = decode::render(&printed, profile, face);
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    decode::write_png(&picture, std::io::BufWriter::new(file)).with_context(|| format!("writing {}", path.display()))
}
