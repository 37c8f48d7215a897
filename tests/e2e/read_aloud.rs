//! Reading aloud through the screen (Slint's testing backend): the speaker button reads the screen it is on,
//! in the screen's language, through espeak-ng (its Vietnamese and English voices). What was said is captured
//! as a transcript and WAV files instead of being played: every utterance is measured with sox (not silence,
//! as long as its text needs), a Vietnamese screen is read with no English text in it, the header, the staff's
//! status strip and the on-screen keys are not read, numbers are read as words and ticket numbers digit by
//! digit, and an answer being typed is read back. A counter's call is said aloud too.

use std::path::Path;

use kiosk_app::ui::{self, AppWindow};

use crate::screens::{count, start_kiosk, start_kiosk_speaking, tap, Running, NO_PORTAL};
use crate::visit::type_keys;

/// The utterances so far: (language code, text).
fn transcript(kiosk: &Running) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(kiosk.dir.join("speech/transcript.txt")).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let (_, rest) = line.split_once(" [")?;
            let (language, said) = rest.split_once("] ")?;
            Some((language.to_owned(), said.to_owned()))
        })
        .collect()
}

/// Taps the speaker button and waits for what it said.
fn read_aloud(kiosk: &Running, label: &str) -> (String, String) {
    let before = transcript(kiosk).len();
    tap(kiosk.window(), label);
    kiosk.settle("the screen read aloud", || transcript(kiosk).len() > before);
    transcript(kiosk).pop().expect("an utterance")
}

/// sox's measure of a WAV file: (seconds, RMS amplitude).
pub(crate) fn measure(wav: &Path) -> (f64, f64) {
    let output =
        std::process::Command::new("sox").arg(wav).args(["-n", "stat"]).output().expect("sox (Debian package sox)");
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    let field = |name: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(':').next())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in sox's answer:\n{text}"))
    };
    (field("Length (seconds)"), field("RMS     amplitude"))
}

/// The English texts the UI has (the msgids of kiosk-app.po with three words or more).
pub(crate) fn english_texts() -> Vec<String> {
    let po = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/lang/vi/LC_MESSAGES/kiosk-app.po"),
    )
    .expect("kiosk-app.po");
    po.lines()
        .filter_map(|l| l.strip_prefix("msgid \"")?.strip_suffix('"').map(str::to_owned))
        .filter(|m| m.split_whitespace().count() >= 3 && !m.contains('{'))
        .collect()
}

#[test]
fn the_speaker_reads_each_screen_in_its_language_and_only_the_screen() {
    let kiosk = start_kiosk("read-aloud", 1080, 1920, NO_PORTAL);
    let app: &AppWindow = kiosk.window();
    let english = english_texts();

    // Home, in Vietnamese: the greeting and the tiles with their second lines; not the header or the strip.
    let (language, said) = read_aloud(&kiosk, "Đọc to");
    assert_eq!(language, "vi");
    assert!(said.starts_with("Xin chào! Ông Bà cần làm gì hôm nay?"), "{said}");
    for tile in ["Tra cứu thủ tục, Giấy tờ cần mang", "Lấy số thứ tự", "Đặt lịch hẹn", "Đề nghị hỗ trợ tại nhà"]
    {
        assert!(said.contains(tile), "{tile:?} in {said}");
    }
    for not_read in ["Máy in", "Tiếng Việt", "English", "HN-DEMO", "Đọc to", "Cỡ chữ"] {
        assert!(!said.contains(not_read), "{not_read:?} is not the screen's: {said}");
    }
    for text in &english {
        assert!(!said.contains(text.as_str()), "English {text:?} on a Vietnamese screen: {said}");
    }

    // A ticket: its number letter by letter and digit by digit, the wait in words.
    tap(app, "Lấy số thứ tự");
    tap(app, "Hộ tịch");
    tap(app, "Không thuộc nhóm nào");
    kiosk.settle("the number", || count(app, "Số thứ tự của Ông/Bà là HT-001") == 1);
    let (_, said) = read_aloud(&kiosk, "Đọc to");
    assert!(said.contains("Số thứ tự của Ông Bà là hát tê, không không một"), "{said}");

    // A counter calls it: the call is said aloud, as the waiting room hears it.
    let before = transcript(&kiosk).len();
    let (day, now) = kiosk_app::clock::now();
    kiosk.app.queue.run(|q| q.call_next(1, &["HT".to_owned()], day, now)).expect("stored").expect("called");
    kiosk.settle("the call said aloud", || transcript(&kiosk).len() > before);
    let (language, said) = transcript(&kiosk).pop().expect("the call");
    assert_eq!((language.as_str(), said.as_str()), ("vi", "Mời số hát tê, không không một đến quầy một"));

    // The status screen: its keys are not read out one by one.
    ui::start_over(app);
    tap(app, "Tra cứu tình trạng hồ sơ");
    let (_, said) = read_aloud(&kiosk, "Đọc to");
    assert!(said.contains("Nhập mã in trên phiếu biên nhận hoặc phiếu hẹn"), "{said}");
    assert!(!said.contains(" A. ") && !said.contains(" Xóa hết"), "keys read out: {said}");

    // An answer being typed is read back with its question.
    ui::start_over(app);
    tap(app, "Đề nghị hỗ trợ tại nhà");
    tap(app, "Bắt đầu");
    tap(app, "Chính tôi");
    type_keys(app, "ddawngj vawn uwng");
    let (_, said) = read_aloud(&kiosk, "Đọc to");
    assert!(said.contains("Đặng Văn Ưng"), "the answer so far: {said}");

    // In English, in English.
    ui::start_over(app);
    tap(app, "English");
    let (language, said) = read_aloud(&kiosk, "Read aloud");
    assert_eq!(language, "en");
    assert!(said.contains("Hello! What do you need to do today?"), "{said}");
    assert!(!said.contains("Xin chào"), "{said}");

    // Every utterance was synthesised, and is speech, not silence, about as long as its text.
    let said = transcript(&kiosk);
    assert_eq!(said.len(), 6);
    for (n, (_, text)) in said.iter().enumerate() {
        let (seconds, rms) = measure(&kiosk.dir.join(format!("speech/{:03}.wav", n + 1)));
        let words = text.split_whitespace().count() as f64;
        assert!(rms > 0.02, "utterance {}: silence (RMS {rms})", n + 1);
        assert!(seconds > words * 0.15 && seconds < words * 1.5, "utterance {}: {seconds} s for {words} words", n + 1);
    }
}

/// The processes of a player that "plays" for half a minute: each writes its process id to `players`.
fn players(dir: &Path) -> Vec<u32> {
    std::fs::read_to_string(dir.join("players"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.trim().parse().ok())
        .collect()
}

fn playing(pid: u32) -> bool {
    // A stopped player is killed and reaped by the speech thread: its /proc entry goes.
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// While the screen is being read, a second tap on the speaker starts the reading again (the first stops), and
/// a tap on anything else stops it: the player process (here one that would play for 30 s) is gone at once.
#[test]
fn a_tap_stops_the_reading_and_a_second_tap_on_the_speaker_reads_again() {
    let dir = kiosk_tests::scratch_dir("read-aloud-stop");
    let script = dir.join("player.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho $$ >> '{}'\ncat > /dev/null\nexec sleep 30\n", dir.join("players").display()),
    )
    .expect("player script");
    let player = vec!["sh".to_owned(), script.display().to_string()];
    let kiosk = start_kiosk_speaking("read-aloud-stop-kiosk", 1080, 1920, NO_PORTAL, Some(player));

    tap(kiosk.window(), "Đọc to");
    kiosk.settle("the reading to start", || players(&dir).len() == 1);
    let first = players(&dir)[0];
    assert!(playing(first), "the first reading plays");

    tap(kiosk.window(), "Đọc to");
    kiosk.settle("the reading to start again", || players(&dir).len() == 2 && !playing(first));
    let second = players(&dir)[1];
    assert!(playing(second), "the second reading plays");

    tap(kiosk.window(), "Tra cứu thủ tục");
    kiosk.settle("the reading to stop at the tap", || !playing(second));
    assert_eq!(count(kiosk.window(), "Hoặc chọn lĩnh vực:"), 1, "and the tap did what it says");
    assert_eq!(players(&dir).len(), 2, "nothing more was read");
}
