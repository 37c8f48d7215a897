//! A dossier finished at the kiosk: the forms built in, saving it (form and scanned pages) in the outbox, and the
//! receipt printed for the resident.
//! Must not do: name Slint types, log answers, or print more personal data than each paper needs: the receipt
//! names the procedure, the code, the fee and the dates, never the answers; only the paper for the counter, which
//! the resident asks for, prints the answers.

use kiosk_core::config::{Config, Language};
use kiosk_core::dossier::{Delivery, DossierForm};
use kiosk_core::fee::{self, Due};
use kiosk_core::forms::Form;
use kiosk_core::portal::{Fee, Kind};
use kiosk_drivers::printer::document::Document;

use crate::outbox::resident::save_form;
use crate::outbox::store::{EnqueueError, Outbox};
use crate::words;

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
    let mut doc = Document::new().text(words::tr(language, "DOSSIER RECEIPT"), crate::printing::TITLE).rule();
    doc = match &r.code {
        Some(code) => doc
            .line(words::tr(language, "Dossier code:"))
            .text(code.clone(), crate::printing::BIG)
            .qr(code.clone(), 6)
            .line(words::tr(language, "Check it with this code at the kiosk.")),
        None => doc
            .line(words::tr(language, "Kiosk reference:"))
            .text(r.reference.clone(), crate::printing::BIG)
            .qr(r.reference.clone(), 6)
            .line(words::tr(
                language,
                "The dossier is kept safely on the kiosk and will be sent by itself; the office gives its code when it has it.",
            )),
    };
    doc = doc
        .rule()
        .text(words::either(language, &r.procedure_vi, &r.procedure_en), crate::printing::HEADING)
        .line(words::trf(language, "Procedure code: {}", &[&r.procedure_code]))
        .line(words::trf(language, "Fee: {}", &[&words::either(language, &r.fee_vi, &r.fee_en)]));
    doc = fee_lines(doc, r, language);
    doc = doc.line(words::trf(
        language,
        "Expected result date: {} (working days; public holidays not counted)",
        &[&r.result_date],
    ));
    doc = match r.delivery {
        Delivery::AtTheCounter => doc.line(words::trf(
            language,
            "Collect the result at: {}",
            &[&words::either(language, &r.handled_by_vi, &r.handled_by_en)],
        )),
        Delivery::ByPost => doc.line(words::tr(
            language,
            "The result comes by the public postal service to the address you gave (postage charged separately, QĐ 45/2016/QĐ-TTg).",
        )),
    };
    crate::printing::help_lines(doc.rule(), config, language)
        .text(format!("{} · {}", config.kiosk.service_point, config.kiosk.id), crate::printing::CENTRED)
        .cut()
}

/// The paper a resident takes to the one-stop counter while the city's system does not answer (seed 004: the
/// counter then takes dossiers in by hand): the answers in Vietnamese under the form's labels, for the officer;
/// the papers scanned, to bring in the original; and the code(s) the staff console reads back
/// (`kiosk_core::intake`), which also name the kiosk and the dossier it keeps, so the counter can stop it being
/// sent a second time. The words to the resident are in `language`.
pub fn intake_document(
    config: &Config,
    intake: &kiosk_core::intake::Intake,
    reference: &str,
    language: Language,
) -> Document {
    let officer = Language::Vietnamese;
    let reading = crate::held::reading(&intake.form, crate::held::forms(), crate::held::catalogue(), officer);
    let mut doc = Document::new()
        .text(words::tr(language, "PAPER FOR THE COUNTER"), crate::printing::TITLE)
        .line(words::tr(
            language,
            "The city's system did not answer. To have the dossier taken in today, bring this paper and your original papers to the one-stop counter: the staff can take it in by hand.",
        ))
        .line(words::trf(language, "Kiosk reference: {} (kiosk {})", &[&reference, &config.kiosk.id]))
        .rule();
    if let Some(procedure) = &reading.procedure {
        doc = doc.text(procedure.clone(), crate::printing::HEADING);
    }
    doc = doc.text(words::tr(officer, "What the resident wrote"), crate::printing::HEADING);
    for (label, value) in &reading.rows {
        doc = doc.line(format!("{label}: {value}"));
    }
    if !reading.papers.is_empty() {
        doc =
            doc.text(words::tr(officer, "Papers scanned at the kiosk (bring the originals)"), crate::printing::HEADING);
        for (name, pages) in &reading.papers {
            doc = doc.line(words::trf(officer, "- {}: {} pages", &[name, &pages.len()]));
        }
    }
    let codes = kiosk_core::intake::encode(intake);
    doc = doc.rule().line(words::tr(
        language,
        "For the counter: scan the code below in the staff console (Held dossiers, Read a counter paper).",
    ));
    let count = codes.len();
    for (n, code) in codes.into_iter().enumerate() {
        if count > 1 {
            doc = doc.line(words::trf(language, "Code {} of {}", &[&(n + 1), &count]));
        }
        doc = doc.qr(code, 3);
    }
    doc = doc
        .line(words::tr(
            language,
            "This paper holds your personal details: keep it safe and do not leave it at the kiosk. If the counter does not take the dossier in, the kiosk still sends it by itself when the system answers again.",
        ))
        .rule();
    crate::printing::help_lines(doc, config, language)
        .text(format!("{} · {}", config.kiosk.service_point, config.kiosk.id), crate::printing::CENTRED)
        .cut()
}

/// What the receipt says about paying: the VietQR code for what the portal says is owed, into the account it
/// names; or that it is paid or free; or, when the portal named no account or has not answered yet, where to pay
/// instead (never a code to a guessed account).
fn fee_lines(doc: Document, r: &Receipt, language: Language) -> Document {
    let (Some(fee), Some(code)) = (&r.fee, &r.code) else {
        return doc.line(pay_elsewhere(language));
    };
    match (fee::due(fee), fee::payment_code(code, fee), &fee.pay_to) {
        (Due::Owed { remaining, .. }, Ok(payload), Some(pay_to)) => doc
            .line(words::trf(language, "To pay: {} dong", &[&fee::dong(remaining)]))
            .line(words::tr(
                language,
                "Scan this VietQR code with your bank's app to pay; do not change the amount or the payment reference:",
            ))
            .qr(payload, 5)
            .line(words::trf(language, "Bank: {}", &[&pay_to.bank_name]))
            .line(words::trf(language, "Account: {}", &[&pay_to.account]))
            .line(words::trf(language, "Account holder: {}", &[&pay_to.account_name]))
            .line(words::trf(language, "Payment reference: {}", &[code]))
            .line(words::tr(
                language,
                "The kiosk takes no money. After the transfer, check the dossier code at the kiosk to see whether it has been recorded. A wrong or extra transfer: bring this paper to the one-stop counter.",
            )),
        (Due::Paid { amount }, _, _) => doc.line(words::trf(language, "Paid in full: {} dong", &[&fee::dong(amount)])),
        (Due::Free, _, _) => doc.line(words::tr(language, "No fee for this dossier.")),
        (Due::Overpaid { amount, extra }, _, _) => doc.line(words::trf(
            language,
            "You paid {} dong more than the {} dong due. Bring the dossier code to the one-stop counter to ask how to get it back.",
            &[&fee::dong(extra), &fee::dong(amount)],
        )),
        _ => doc.line(pay_elsewhere(language)),
    }
}

/// Where a fee is paid when the kiosk has no code for it (shared/reference/next-features.md §1.4: Decision
/// 31/2021/QĐ-TTg Art. 33, the national portal's payment function). Printed also when the portal has not said
/// yet whether the procedure has a fee, hence "if".
fn pay_elsewhere(language: Language) -> String {
    words::tr(
        language,
        "If the procedure has a fee: pay at the one-stop counter or, once the dossier has its code, online on the National Public Service Portal. The kiosk takes no money.",
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_bundled_form_reads() {
        assert_eq!(super::forms().len(), 5);
    }
}
