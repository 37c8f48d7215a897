//! What gets printed, as data: lines of text with size, weight and alignment, rules, QR codes, images, feeds and
//! cuts. Built by the application, turned into bytes by `encode` for a given printer profile.
//! Must not do: know about tickets or receipts as business objects.

use unicode_normalization::UnicodeNormalization;

use super::raster::Bitmap;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph: wrapped to the paper width at word boundaries.
    Text { text: String, style: Style },
    /// A horizontal line across the paper.
    Rule,
    /// A QR code (model 2) holding `data` exactly, `module` dots per module, centred.
    Qr { data: String, module: u8 },
    /// A picture (a logo), centred.
    Image(Bitmap),
    /// Blank lines.
    Feed(u8),
    /// Feed to the cutter and cut (or just feed past the tear bar on a printer without a cutter).
    Cut,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Character magnification, 1 (normal) to 4 (a queue number across the ticket).
    pub scale: u8,
    pub bold: bool,
    pub align: Align,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

impl Style {
    pub const NORMAL: Style = Style { scale: 1, bold: false, align: Align::Left };

    pub fn scale(self) -> u8 {
        self.scale.clamp(1, 4)
    }
}

impl Document {
    pub fn new() -> Document {
        Document::default()
    }

    pub fn text(mut self, text: impl Into<String>, style: Style) -> Document {
        self.blocks.push(Block::Text { text: text.into(), style });
        self
    }

    pub fn line(self, text: impl Into<String>) -> Document {
        self.text(text, Style::NORMAL)
    }

    pub fn rule(mut self) -> Document {
        self.blocks.push(Block::Rule);
        self
    }

    pub fn qr(mut self, data: impl Into<String>, module: u8) -> Document {
        self.blocks.push(Block::Qr { data: data.into(), module });
        self
    }

    pub fn feed(mut self, lines: u8) -> Document {
        self.blocks.push(Block::Feed(lines));
        self
    }

    pub fn cut(mut self) -> Document {
        self.blocks.push(Block::Cut);
        self
    }

    /// Every character any text block prints, for the downloaded-character strategy: each block's text in NFC, as
    /// the encoder prints it (a letter and a combining mark after it are one character on paper).
    pub fn characters(&self) -> impl Iterator<Item = char> + '_ {
        self.blocks.iter().flat_map(|block| match block {
            Block::Text { text, .. } => text.nfc().collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    }
}
