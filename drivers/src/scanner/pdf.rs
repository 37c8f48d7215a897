//! One PDF per document: each finished page's JPEG embedded as it is (DCTDecode, never re-encoded), the page
//! sized from the image's pixels and resolution, so it prints at its real size. Written and read back with lopdf.

use super::pipeline::Page;
use lopdf::{dictionary, Document, Object, Stream};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("a document needs at least one page")]
    NoPages,
    #[error("the PDF could not be written or read: {0}")]
    Pdf(#[from] lopdf::Error),
}

/// The PDF of a document's pages, in order.
pub fn assemble(pages: &[Page]) -> Result<Vec<u8>, Error> {
    if pages.is_empty() {
        return Err(Error::NoPages);
    }
    let mut document = Document::with_version("1.5");
    let pages_id = document.new_object_id();
    let mut kids: Vec<Object> = Vec::with_capacity(pages.len());
    for page in pages {
        let image = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => page.width as i64,
                "Height" => page.height as i64,
                "ColorSpace" => if page.colour { "DeviceRGB" } else { "DeviceGray" },
                "BitsPerComponent" => 8,
                "Filter" => "DCTDecode",
            },
            page.jpeg.clone(),
        )
        .with_compression(false);
        let image_id = document.add_object(image);
        let width_pt = page.width as f64 * 72.0 / f64::from(page.dpi);
        let height_pt = page.height as f64 * 72.0 / f64::from(page.dpi);
        let content = format!("q {width_pt:.3} 0 0 {height_pt:.3} 0 0 cm /Im0 Do Q\n");
        let content_id = document.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page_id = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(width_pt as f32), Object::Real(height_pt as f32)],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
            "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    document
        .objects
        .insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }));
    let catalog_id = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).map_err(lopdf::Error::from)?;
    Ok(bytes)
}

/// What a PDF holds, read back: each page's size in points and its image's pixels and JPEG bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadPage {
    pub width_pt: f64,
    pub height_pt: f64,
    pub image_width: i64,
    pub image_height: i64,
    pub jpeg_len: usize,
}

/// Parses a PDF and lists its pages (for tests and the technician's tool).
pub fn read_back(bytes: &[u8]) -> Result<Vec<ReadPage>, Error> {
    let document = Document::load_mem(bytes)?;
    let mut pages = Vec::new();
    for (_, page_id) in document.get_pages() {
        let page = document.get_dictionary(page_id)?;
        let media = page.get(b"MediaBox")?.as_array()?;
        let number = |o: &Object| o.as_float().map(f64::from).or_else(|_| o.as_i64().map(|v| v as f64));
        let (width_pt, height_pt) = (number(&media[2])?, number(&media[3])?);
        let resources = page.get(b"Resources")?.as_dict()?;
        let xobjects = resources.get(b"XObject")?.as_dict()?;
        let image_id = xobjects.get(b"Im0")?.as_reference()?;
        let image = document.get_object(image_id)?.as_stream()?;
        pages.push(ReadPage {
            width_pt,
            height_pt,
            image_width: image.dict.get(b"Width")?.as_i64()?,
            image_height: image.dict.get(b"Height")?.as_i64()?,
            jpeg_len: image.content.len(),
        });
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanner::pipeline::{finish, Options};
    use crate::scanner::sim::{SimDocument, SimScanner};
    use crate::scanner::{ColourMode, PageSize, Scanner as _, Settings, Source};

    #[test]
    fn three_simulated_letter_pages_become_one_a4_pdf_of_small_jpeg_pages() {
        let (mut scanner, control) = SimScanner::new();
        control.load_feeder(3);
        let raw = scanner.scan(&Settings { source: Source::Feeder, ..Settings::default() }).expect("three pages");
        let pages: Vec<_> = raw.iter().map(|page| finish(page, &Options::TEXT).expect("finished")).collect();
        for page in &pages {
            assert_eq!((page.width, page.height, page.dpi, page.colour), (1653, 2339, 200, false));
            assert!(page.jpeg.len() < 200_000, "a text page under 200 KB: {}", page.jpeg.len());
            assert!((page.skew_degrees + 1.3).abs() < 0.2, "the simulated skew undone: {}", page.skew_degrees);
            assert!(page.preview.width <= 600 && page.preview.height <= 850 && page.preview.width >= 590);
        }
        let bytes = assemble(&pages).expect("pdf");
        assert!(bytes.starts_with(b"%PDF-1.5"));
        let read = read_back(&bytes).expect("parsed back");
        assert_eq!(read.len(), 3);
        for (page, back) in pages.iter().zip(&read) {
            assert!((back.width_pt - 595.1).abs() < 0.5 && (back.height_pt - 842.0).abs() < 0.5, "{back:?}");
            assert_eq!((back.image_width, back.image_height), (1653, 2339));
            assert_eq!(back.jpeg_len, page.jpeg.len(), "the JPEG embedded as it is");
        }
        assert!(matches!(assemble(&[]), Err(Error::NoPages)));
    }

    #[test]
    fn a_card_is_kept_in_colour_and_cropped() {
        let (mut scanner, control) = SimScanner::new();
        control.place(SimDocument::IdCard);
        let settings = Settings { mode: ColourMode::Colour, size: PageSize::IdCard, ..Settings::default() };
        let raw = scanner.scan(&settings).expect("card").remove(0);
        let page = finish(&raw, &Options::ID_CARD).expect("finished");
        assert!(page.colour && page.cropped);
        // ID-1 is 85.6 x 54 mm: 1011 x 638 at 300 dpi, plus 2 mm around.
        assert!((1011..1080).contains(&page.width) && (638..710).contains(&page.height), "{page:?}");
        let read = read_back(&assemble(&[page]).expect("pdf")).expect("parsed");
        assert!((read[0].width_pt - 90.0 / 25.4 * 72.0).abs() < 10.0, "{read:?}");
    }
}
