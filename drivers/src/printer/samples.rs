//! Documents in the shape of the kiosk's standard slips (queue ticket, guidance slip, submission receipt) and
//! the printer self-test page, with realistic Vietnamese content. The kiosk builds its real slips from its own
//! data; these serve the tests, the technician's test prints and the benchmark, so all three print the same.
//! The sample codes and names are made up and say so on the paper ("MẪU" = sample).

use super::document::{Align, Document, Style};

const TITLE: Style = Style { scale: 1, bold: true, align: Align::Center };
const CENTER: Style = Style { scale: 1, bold: false, align: Align::Center };

/// A queue ticket: service, number, people ahead, pager, ward, time, QR.
pub fn queue_ticket() -> Document {
    Document::new()
        .text("UBND PHƯỜNG HOÀN KIẾM", TITLE)
        .text("Điểm phục vụ hành chính công", CENTER)
        .rule()
        .text("Chứng thực", Style { scale: 2, bold: true, align: Align::Center })
        .text("CT-042", Style { scale: 4, bold: true, align: Align::Center })
        .text("Số người đang chờ trước bạn: 5", CENTER)
        .text("Thẻ rung số 17 sẽ rung khi đến lượt", Style { scale: 1, bold: true, align: Align::Center })
        .text("23/11/2026 09:25 · phiếu MẪU", CENTER)
        .qr("https://dichvucong.gov.vn/tra-cuu?ma=MAU-CT-042", 6)
        .cut()
}

/// A guidance slip for one procedure: what to bring, fee, time.
pub fn guidance_slip() -> Document {
    Document::new()
        .text("HƯỚNG DẪN THỦ TỤC (MẪU)", TITLE)
        .text("Chứng thực chữ ký trong các giấy tờ, văn bản", Style { scale: 1, bold: true, align: Align::Left })
        .rule()
        .line("Cần mang: giấy tờ tùy thân còn giá trị; giấy tờ cần chứng thực chữ ký.")
        .line("Lệ phí: 10.000 đồng/trường hợp.")
        .line("Thời gian: trong ngày làm việc.")
        .line("Nơi nộp: Bộ phận một cửa UBND phường.")
        .rule()
        .text("Giữ phiếu này để hỏi cán bộ khi cần.", CENTER)
        .cut()
}

/// A 20-line submission receipt with the dossier code and its QR.
pub fn submission_receipt() -> Document {
    let mut doc = Document::new()
        .text("GIẤY BIÊN NHẬN HỒ SƠ (MẪU)", TITLE)
        .text("Mã hồ sơ: MAU-H26-261123-0007", Style { scale: 1, bold: true, align: Align::Center })
        .rule();
    for line in [
        "Thủ tục: Chứng thực chữ ký trên giấy ủy quyền nhận lương hưu",
        "Người nộp: Nguyễn Thị Hằng (mẫu)",
        "Nộp lúc: 09:40 ngày 23/11/2026",
        "Tại: kiosk phường Hoàn Kiếm",
        "Số trang đã quét: 3",
        "Lệ phí: 10.000 đồng",
        "Cách nộp lệ phí: tại quầy hoặc chuyển khoản",
        "Ngày hẹn trả kết quả: 24/11/2026",
        "Nhận kết quả: tại quầy Bộ phận một cửa",
        "Hồ sơ đang chờ gửi lên Cổng dịch vụ công",
        "Kiosk sẽ gửi ngay khi có kết nối",
        "Tra cứu: quét mã QR hoặc nhập mã hồ sơ",
        "Hỗ trợ: Tổ Hành chính công xung kích",
        "Điện thoại hỗ trợ: 1900 1009",
        "Xin cảm ơn ông/bà!",
    ] {
        doc = doc.line(line);
    }
    doc.rule().qr("MAU-H26-261123-0007", 5).cut()
}

/// Every Vietnamese letter in both cases, signs, sizes and a QR: what a technician prints to check a printer.
pub fn self_test(profile_name: &str) -> Document {
    let lower = "àảãáạ ăằẳẵắặ âầẩẫấậ èẻẽéẹ êềểễếệ ìỉĩíị òỏõóọ ôồổỗốộ ơờởỡớợ ùủũúụ ưừửữứự ỳỷỹýỵ đ";
    let upper: String = lower.chars().flat_map(char::to_uppercase).collect();
    Document::new()
        .text("TRANG TỰ KIỂM TRA MÁY IN", TITLE)
        .text(format!("Hồ sơ máy in: {profile_name}"), CENTER)
        .rule()
        .line(lower)
        .line(upper)
        .line("Tiếng Việt: Đăng ký khai sinh, chứng thực chữ ký, ủy quyền.")
        .text("Chữ đậm · Bold", Style { scale: 1, bold: true, align: Align::Left })
        .text("Cỡ 2", Style { scale: 2, bold: false, align: Align::Left })
        .qr("KIEM-TRA-MAY-IN", 6)
        .cut()
}
