//! A home-visit request, once the resident has answered every question: saved in the outbox (sealed, like a
//! dossier) and a printed confirmation saying what happens next.
//! Must not do: name Slint types, log the answers, or print more personal data than the resident needs on a
//! paper they may lose (the slip names the ward, not the street, and only the end of the phone number).

use kiosk_core::config::{Config, Language};
use kiosk_core::portal::Kind;
use kiosk_core::visit::{VisitRequest, When};
use kiosk_drivers::printer::document::Document;

use crate::outbox::resident::save_form;
use crate::outbox::store::{EnqueueError, Outbox};

/// Seals and stores the request; when this returns the request will reach the portal.
pub fn save(outbox: &Outbox, request: &VisitRequest, now: i64) -> Result<String, EnqueueError> {
    save_form(outbox, Kind::HomeVisit, request.procedure_code.as_deref(), request, &[], now)
}

/// What the confirmation slip says.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub reference: String,
    /// The portal's code, when it acknowledged before printing.
    pub code: Option<String>,
    pub ward: String,
    pub need_vi: String,
    pub need_en: String,
    pub when: When,
    /// The last 3 digits of the phone number the team will call.
    pub phone_tail: String,
    /// The visit certifies a signature: sign in front of the team, not before.
    pub signature: bool,
}

pub fn confirmation_document(config: &Config, c: &Confirmation, language: Language) -> Document {
    let pick = crate::printing::picker(language);
    let when = match c.when {
        When::AnyTime => pick("Lúc nào cũng được", "Any time"),
        When::Morning => pick("Buổi sáng", "In the morning"),
        When::Afternoon => pick("Buổi chiều", "In the afternoon"),
    };
    let mut doc = Document::new()
        .text(pick("ĐỀ NGHỊ HỖ TRỢ TẠI NHÀ", "HOME VISIT REQUEST"), crate::printing::TITLE)
        .text(pick("Tổ Hành chính công xung kích", "Ward mobile public-service team"), crate::printing::TITLE)
        .rule();
    doc = match &c.code {
        Some(code) => {
            doc.line(pick("Mã đề nghị:", "Request code:")).text(code.clone(), crate::printing::BIG).qr(code.clone(), 6)
        }
        None => doc
            .line(pick("Số tham chiếu tại kiosk:", "Kiosk reference:"))
            .text(c.reference.clone(), crate::printing::BIG)
            .line(pick(
                "Đề nghị đã được lưu an toàn tại kiosk và sẽ tự gửi đi khi có kết nối.",
                "The request is kept safely on the kiosk and will be sent by itself when the connection is back.",
            )),
    };
    doc = doc
        .rule()
        .line(format!("{}: {}", pick("Phường/xã", "Ward"), c.ward))
        .line(format!("{}: {}", pick("Việc cần làm", "What needs doing"), pick(&c.need_vi, &c.need_en)))
        .line(format!("{}: {}", pick("Thời gian thuận tiện", "Best time"), when))
        .rule()
        .text(pick("Tiếp theo:", "What happens next:"), crate::printing::HEADING)
        .line(format!(
            "{} …{}.",
            pick(
                "Tổ hỗ trợ của phường sẽ gọi điện để hẹn ngày giờ đến nhà, vào số điện thoại có đuôi",
                "The ward's team will phone to agree a day and time, on the number ending"
            ),
            c.phone_tail
        ));
    if c.signature {
        doc = doc.line(pick(
            "Chứng thực chữ ký: KHÔNG ký trước vào giấy tờ. Ông/bà ký trước mặt cán bộ khi họ đến. Chuẩn bị sẵn thẻ căn cước.",
            "Signature certification: do NOT sign the paper beforehand. You sign in front of the officer when they come. Have your ID card ready.",
        ));
    }
    let source = if c.signature {
        pick(
            "Nguồn: Kế hoạch 63/KH-UBND ngày 13/02/2026 của UBND TP Hà Nội; chứng thực ngoài trụ sở cho người già yếu: thủ tục 2.000884, Cổng DVC quốc gia.",
            "Source: Hanoi plan 63/KH-UBND of 13/02/2026; certification outside the office for the frail: procedure 2.000884, national public-service portal.",
        )
    } else {
        pick(
            "Nguồn: Kế hoạch 63/KH-UBND ngày 13/02/2026 của UBND TP Hà Nội.",
            "Source: Hanoi plan 63/KH-UBND of 13/02/2026.",
        )
    };
    doc.rule()
        .line(source)
        .text(format!("{} · {}", config.kiosk.service_point, config.kiosk.id), crate::printing::CENTRED)
        .cut()
}
