//! The fee panel's view of a dossier's fee: the state, the amounts written the Vietnamese way, and the VietQR
//! code for what is owed, drawn from the same payload the receipt prints.
//! Must not do: show a code the portal did not name an account for (kiosk_core::fee refuses to build one).

use kiosk_core::fee::{self, Due, NoCode};
use kiosk_core::portal::Fee;

use super::{FeeState, FeeView};

/// Dots per QR module on screen: a 49-module code (a fee's payload, version 8) with its quiet zone is 456 px,
/// scaled into a 300 px square, large enough for a phone held at arm's length.
const MODULE_PIXELS: u8 = 8;

/// The panel for dossier `code`'s fee. `payable`: whether a code may be shown (false for a status the kiosk
/// only remembers: what is owed may have changed since).
pub fn view(code: &str, fee: Option<&Fee>, payable: bool) -> FeeView {
    let Some(fee) = fee else {
        return FeeView::default();
    };
    let mut view = FeeView { amount: fee::dong(fee.amount_vnd).into(), ..FeeView::default() };
    match fee::due(fee) {
        Due::Free => view.state = FeeState::Free,
        Due::Paid { .. } => view.state = FeeState::Paid,
        Due::Overpaid { extra, .. } => {
            view.state = FeeState::Overpaid;
            view.extra = fee::dong(extra).into();
        }
        Due::Owed { paid, remaining, .. } => {
            view.paid = fee::dong(paid).into();
            view.remaining = fee::dong(remaining).into();
            view.state = FeeState::Elsewhere;
            match fee::payment_code(code, fee) {
                Ok(payload) if payable => {
                    if let (Some(picture), Some(pay_to)) =
                        (kiosk_drivers::printer::raster::qr_bitmap(&payload, MODULE_PIXELS), &fee.pay_to)
                    {
                        view.qr = image(&picture);
                        view.bank = pay_to.bank_name.as_str().into();
                        view.account = pay_to.account.as_str().into();
                        view.account_name = pay_to.account_name.as_str().into();
                        view.note = code.into();
                        view.state = FeeState::Owed;
                    }
                }
                Ok(_) | Err(NoCode::NoAccount | NoCode::NothingOwed) => {}
                Err(NoCode::Invalid(error)) => {
                    tracing::warn!(%error, "the portal's account for a fee cannot be put in a payment code");
                }
            }
        }
    }
    view
}

fn image(picture: &kiosk_drivers::printer::raster::Bitmap) -> slint::Image {
    let mut buffer = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::new(picture.width, picture.height);
    for (pixel, dark) in buffer.make_mut_slice().iter_mut().zip(&picture.dots) {
        let grey = if *dark { 0 } else { 255 };
        *pixel = slint::Rgb8Pixel { r: grey, g: grey, b: grey };
    }
    slint::Image::from_rgb8(buffer)
}
