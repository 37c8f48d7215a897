//! A dossier finished at the kiosk: the forms built in, saving it (form and scanned pages) in the outbox, and the
//! receipt printed for the resident.
//! Must not do: name Slint types, log answers, or print more personal data than the receipt needs (it names the
//! procedure, the code, the fee and the dates, never the answers).

use kiosk_core::config::{Config, Language};
use kiosk_core::dossier::{Delivery, DossierForm};
use kiosk_core::fee::{self, Due};
use kiosk_core::forms::Form;
use kiosk_core::portal::{Fee, Kind};
use kiosk_drivers::printer::document::Document;

use crate::outbox::resident::save_form;
use crate::outbox::store::{EnqueueError, Outbox};

/// The forms shipped in assets/forms (each checked by kiosk-core's tests).
pub const BUNDLED: [&str; 5] = [
    include_str!("../../assets/forms/uy-quyen-nhan-luong-huu.toml"),
    include_str!("../../assets/forms/chung-thuc-chu-ky.toml"),
    include_str!("../../assets/forms/dang-ky-khai-sinh.toml"),
    include_str!("../../assets/forms/dang-ky-thuong-tru.toml"),
    include_str!("../../assets/forms/dang-ky-tam-tru.toml"),
];

/// The bundled forms, read.
pub fn forms() -> Vec<Form> {
    BUNDLED
        .iter()
        .map(|text| {
            kiosk_core::forms::parse(text)
                .unwrap_or_else(|problems| panic!("a bundled form is checked by the tests: {problems:?}"))
        })
        .collect()
}

/// Seals and stores the dossier with its pages (JPEGs, in the order of `form.papers`).
pub fn save(outbox: &Outbox, form: &DossierForm, pages: &[Vec<u8>], now: i64) -> Result<String, EnqueueError> {
    save_form(outbox, Kind::Dossier, Some(&form.procedure_code), form, pages, now)
}

/// What the receipt says.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub reference: String,
    /// The portal's dossier code, when it acknowledged before printing.
    pub code: Option<String>,
    pub procedure_vi: String,
    pub procedure_en: String,
    pub procedure_code: String,
    pub fee_vi: String,
    pub fee_en: String,
    pub handled_by_vi: String,
    pub handled_by_en: String,
    /// dd/mm/yyyy
    pub result_date: String,
    pub delivery: Delivery,
    /// The fee as the portal reported it once the dossier had its code (None: not delivered yet, or no answer).
    pub fee: Option<Fee>,
}

pub fn receipt_document(config: &Config, r: &Receipt, language: Language) -> Document {
    let pick = crate::printing::picker(language);
    let mut doc = Document::new().text(pick("GIẤY BIÊN NHẬN HỒ SƠ", "DOSSIER RECEIPT"), crate::printing::TITLE).rule();
    doc = match &r.code {
        Some(code) => doc
            .line(pick("Mã hồ sơ:", "Dossier code:"))
            .text(code.clone(), crate::printing::BIG)
            .qr(code.clone(), 6)
            .line(pick("Tra cứu bằng mã này tại kiosk.", "Check it with this code at the kiosk.")),
        None => doc
            .line(pick("Số tham chiếu tại kiosk:", "Kiosk reference:"))
            .text(r.reference.clone(), crate::printing::BIG)
            .qr(r.reference.clone(), 6)
            .line(pick(
                "Hồ sơ được lưu an toàn tại kiosk và sẽ tự gửi đi khi có kết nối; mã hồ sơ sẽ được báo khi cơ quan nhận.",
                "The dossier is kept safely on the kiosk and will be sent by itself; the office gives its code when it has it.",
            )),
    };
    doc = doc
        .rule()
        .text(pick(&r.procedure_vi, &r.procedure_en), crate::printing::HEADING)
        .line(format!("{}: {}", pick("Mã thủ tục", "Procedure code"), r.procedure_code))
        .line(format!("{}: {}", pick("Lệ phí", "Fee"), pick(&r.fee_vi, &r.fee_en)));
    doc = fee_lines(doc, r, &pick);
    doc = doc.line(format!(
        "{}: {} {}",
        pick("Ngày hẹn trả kết quả (dự kiến)", "Expected result date"),
        r.result_date,
        pick("(tính ngày làm việc, chưa trừ ngày lễ)", "(working days; public holidays not counted)")
    ));
    doc = match r.delivery {
        Delivery::AtTheCounter => doc.line(format!(
            "{}: {}",
            pick("Nhận kết quả tại", "Collect the result at"),
            pick(&r.handled_by_vi, &r.handled_by_en)
        )),
        Delivery::ByPost => doc.line(pick(
            "Kết quả được gửi qua dịch vụ bưu chính công ích đến địa chỉ đã khai (cước phí bưu chính tính riêng, QĐ 45/2016/QĐ-TTg).",
            "The result comes by the public postal service to the address you gave (postage charged separately, QĐ 45/2016/QĐ-TTg).",
        )),
    };
    doc.rule().text(format!("{} · {}", config.kiosk.service_point, config.kiosk.id), crate::printing::CENTRED).cut()
}

/// What the receipt says about paying: the VietQR code for what the portal says is owed, into the account it
/// names; or that it is paid or free; or, when the portal named no account or has not answered yet, where to pay
/// instead (never a code to a guessed account).
fn fee_lines(doc: Document, r: &Receipt, pick: &impl Fn(&str, &str) -> String) -> Document {
    let (Some(fee), Some(code)) = (&r.fee, &r.code) else {
        return doc.line(pick(PAY_ELSEWHERE.0, PAY_ELSEWHERE.1));
    };
    match (fee::due(fee), fee::payment_code(code, fee), &fee.pay_to) {
        (Due::Owed { remaining, .. }, Ok(payload), Some(pay_to)) => doc
            .line(format!("{}: {} {}", pick("Phí phải nộp", "Fee to pay"), fee::dong(remaining), pick("đồng", "dong")))
            .line(pick(
                "Quét mã VietQR dưới đây bằng ứng dụng ngân hàng để nộp phí:",
                "Scan this VietQR code with your bank's app to pay the fee:",
            ))
            .qr(payload, 5)
            .line(format!("{}: {}", pick("Ngân hàng", "Bank"), pay_to.bank_name))
            .line(format!("{}: {}", pick("Số tài khoản", "Account"), pay_to.account))
            .line(format!("{}: {}", pick("Chủ tài khoản", "Account holder"), pay_to.account_name))
            .line(format!("{}: {}", pick("Nội dung chuyển khoản", "Transfer content"), code))
            .line(pick(
                "Kiosk không thu tiền. Sau khi nộp, tra cứu mã hồ sơ tại kiosk để xem phí đã được ghi nhận.",
                "The kiosk takes no money. After paying, check the dossier code at the kiosk to see the payment recorded.",
            )),
        (Due::Paid { amount }, _, _) => {
            doc.line(format!("{}: {} {}", pick("Đã nộp phí", "Fee paid"), fee::dong(amount), pick("đồng", "dong")))
        }
        (Due::Free, _, _) => doc.line(pick("Hồ sơ này không phải nộp phí.", "No fee for this dossier.")),
        _ => doc.line(pick(PAY_ELSEWHERE.0, PAY_ELSEWHERE.1)),
    }
}

/// Where a fee is paid when the kiosk has no code for it (shared/reference/next-features.md §1.4: Decision
/// 31/2021/QĐ-TTg Art. 33, the national portal's payment function; VNeID pays fees since 2024).
const PAY_ELSEWHERE: (&str, &str) = (
    "Nộp lệ phí tại bộ phận một cửa, hoặc trực tuyến trên Cổng Dịch vụ công quốc gia hay ứng dụng VNeID khi hồ sơ đã có mã (kiosk không thu tiền).",
    "Pay the fee at the one-stop counter, or online on the National Public Service Portal or in VNeID once the dossier has its code (the kiosk takes no money).",
);

#[cfg(test)]
mod tests {
    #[test]
    fn every_bundled_form_reads() {
        assert_eq!(super::forms().len(), 5);
    }
}
