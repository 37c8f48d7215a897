//! Text prepared for a speech synthesiser the way a person would read it aloud: in Vietnamese, numbers as words
//! ("50.000 đồng" → "năm mươi nghìn đồng"), dates ("05/12/2026" → "ngày năm tháng mười hai năm hai nghìn không
//! trăm hai mươi sáu"), times ("17:30" → "mười bảy giờ ba mươi"), ticket numbers, codes and phone numbers
//! letter by letter and digit by digit ("HT-004" → "hát tê, không không bốn"), the abbreviations residents
//! meet on papers expanded (UBND, CCCD, TTHC, BHXH, HĐND…), "ông/bà" read as two words. In English, dates and
//! codes the same way, numbers left to the synthesiser (espeak-ng reads English numbers well).
//!
//! Northern usage, as Hanoi speaks: "nghìn" (not "ngàn"), "linh" for a zero tens digit ("một trăm linh năm"),
//! "mốt", "tư" and "lăm" after a tens digit of two or more.

use crate::config::{Language, NumberReading};
use crate::text::nfc;

/// `text` as it should be spoken in `language` (NFC in, NFC out).
pub fn prepare(text: &str, language: Language) -> String {
    let text = nfc(text);
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let next = words.get(i + 1).map(|w| strip(w).1);
        let previous = i.checked_sub(1).map(|p| strip(words[p]).1);
        match count_of(previous, word, language) {
            Some(spoken) => out.push(spoken),
            None => out.push(word_aloud(word, next, language)),
        }
    }
    out.join(" ")
}

/// "Câu 2/8", "Bước 10/12", "Step 3/19": a count after the word that names what is counted, read "hai trên
/// tám" / "3 of 19" rather than as a date ("Bước 10/12" is not the tenth of December).
fn count_of(previous: Option<&str>, word: &str, language: Language) -> Option<String> {
    const COUNTED: [&str; 10] = ["câu", "bước", "trang", "phần", "tờ", "question", "step", "page", "part", "sheet"];
    let previous = previous?.to_lowercase();
    if !COUNTED.contains(&previous.as_str()) {
        return None;
    }
    let (lead, core, trail) = strip(word);
    let (n, of) = core.split_once('/')?;
    let (n, of): (u64, u64) = (n.parse().ok()?, of.parse().ok()?);
    Some(match language {
        Language::Vietnamese => format!("{lead}{} trên {}{trail}", number_vi(n), number_vi(of)),
        Language::English => format!("{lead}{n} of {of}{trail}"),
    })
}

/// Splits leading and trailing punctuation off a word: (leading, core, trailing).
fn strip(word: &str) -> (&str, &str, &str) {
    let is_mark = |c: char| matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | '(' | ')' | '«' | '»' | '"' | '“' | '”');
    let start = word.len() - word.trim_start_matches(is_mark).len();
    let core = &word[start..];
    let trimmed = core.trim_end_matches(is_mark);
    (&word[..start], trimmed, &core[trimmed.len()..])
}

fn word_aloud(word: &str, next: Option<&str>, language: Language) -> String {
    let (lead, core, trail) = strip(word);
    if core.is_empty() {
        return word.to_owned();
    }
    // A pause where the page had a dash or an ellipsis.
    let trail = trail.replace("…", ",");
    let spoken = match language {
        Language::Vietnamese => core_vi(core, next),
        Language::English => core_en(core),
    };
    match spoken {
        Some(spoken) => format!("{lead}{spoken}{trail}"),
        None => format!("{lead}{core}{trail}"),
    }
}

fn core_vi(core: &str, next: Option<&str>) -> Option<String> {
    if let Some(expanded) = abbreviation_vi(core) {
        return Some(expanded.to_owned());
    }
    if let Some((d, m, y)) = date(core) {
        return Some(format!("ngày {} tháng {} năm {}", number_vi(d), number_vi(m), number_vi(y)));
    }
    if let Some((d, m)) = day_month(core) {
        return Some(format!("ngày {} tháng {}", number_vi(d), number_vi(m)));
    }
    if let Some((from, to)) = core.split_once(['–', '-']).filter(|(a, b)| time(a).is_some() && time(b).is_some()) {
        return Some(format!("từ {} đến {}", time_vi(from)?, time_vi(to)?));
    }
    if time(core).is_some() {
        return time_vi(core);
    }
    if let Some(amount) = grouped_number(core) {
        return Some(number_vi(amount));
    }
    if let Some(code) = procedure_code(core) {
        return Some(code.iter().map(|part| digits_vi(part)).collect::<Vec<_>>().join(" chấm "));
    }
    if core.bytes().all(|b| b.is_ascii_digit()) {
        // A long digit run, or one starting with 0, is a phone number or part of a code: digit by digit. A
        // number before "đồng" is always an amount.
        let amount = next.is_some_and(|n| n.eq_ignore_ascii_case("đồng"));
        if !amount && (core.len() >= 5 || (core.len() > 1 && core.starts_with('0'))) {
            return Some(digits_vi(core));
        }
        return core.parse::<u64>().ok().map(number_vi);
    }
    if let Some(code) = code_aloud(core, letter_vi, digits_vi) {
        return Some(code);
    }
    if let Some((a, b)) = core.split_once('/').filter(|(a, b)| is_word(a) && is_word(b)) {
        return Some(format!("{a} {b}"));
    }
    if core.ends_with('%') {
        let n = core.trim_end_matches('%').trim().parse::<u64>().ok()?;
        return Some(format!("{} phần trăm", number_vi(n)));
    }
    None
}

fn core_en(core: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    if let Some((d, m, y)) = date(core) {
        return Some(format!("{d} {} {y}", MONTHS[(m - 1) as usize]));
    }
    if let Some((from, to)) = core.split_once(['–', '-']).filter(|(a, b)| time(a).is_some() && time(b).is_some()) {
        return Some(format!("from {from} to {to}"));
    }
    if core.bytes().all(|b| b.is_ascii_digit()) && (core.len() >= 5 || (core.len() > 1 && core.starts_with('0'))) {
        return Some(spaced(core.chars().map(|c| c.to_string())));
    }
    if let Some(amount) = grouped_number(core) {
        return Some(amount.to_string());
    }
    code_aloud(core, |c| Some(c.to_string()), |d| spaced(d.chars().map(|c| c.to_string())))
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(char::is_alphabetic)
}

fn spaced(parts: impl Iterator<Item = String>) -> String {
    parts.collect::<Vec<_>>().join(" ")
}

/// "dd/mm/yyyy" (or d/m/yyyy): (day, month, year), checked.
fn date(s: &str) -> Option<(u64, u64, u64)> {
    let mut parts = s.split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || !(1..=2).contains(&d.len()) || !(1..=2).contains(&m.len()) {
        return None;
    }
    let (d, m, y) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    ((1..=31).contains(&d) && (1..=12).contains(&m)).then_some((d, m, y))
}

/// "dd/mm" (a day of the coming weeks, as the booking pages write it): (day, month), checked.
fn day_month(s: &str) -> Option<(u64, u64)> {
    let (d, m) = s.split_once('/')?;
    if d.len() != 2 || m.len() != 2 {
        return None;
    }
    let (d, m) = (d.parse().ok()?, m.parse().ok()?);
    ((1..=31).contains(&d) && (1..=12).contains(&m)).then_some((d, m))
}

/// "HH:MM": (hours, minutes), checked.
fn time(s: &str) -> Option<(u64, u64)> {
    let (h, m) = s.split_once(':')?;
    if !(1..=2).contains(&h.len()) || m.len() != 2 {
        return None;
    }
    let (h, m) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

fn time_vi(s: &str) -> Option<String> {
    let (h, m) = time(s)?;
    Some(if m == 0 { format!("{} giờ", number_vi(h)) } else { format!("{} giờ {}", number_vi(h), number_vi(m)) })
}

/// A number written with dots between groups of three ("10.000", "1.500.000"; the Vietnamese way) or commas
/// (the English way, "10,000").
fn grouped_number(s: &str) -> Option<u64> {
    let separator = if s.contains('.') { '.' } else { ',' };
    let groups: Vec<&str> = s.split(separator).collect();
    if groups.len() < 2 || groups[0].is_empty() || groups[0].len() > 3 {
        return None;
    }
    if !groups.iter().all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
        || groups[1..].iter().any(|g| g.len() != 3)
    {
        return None;
    }
    groups.concat().parse().ok()
}

/// A national procedure code ("2.001019", "1.004194"): its two parts, read digit by digit.
fn procedure_code(s: &str) -> Option<[&str; 2]> {
    let (a, b) = s.split_once('.')?;
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    (a.len() == 1 && b.len() == 6 && digits(a) && digits(b)).then_some([a, b])
}

/// A ticket number or code: letters, then digits, in groups joined by '-' ("HT-004", "LH-261207-000001",
/// "SIM-261129-000001", "3FA2-91C0"): each group of letters spelled, each group of digits digit by digit.
fn code_aloud(s: &str, letter: impl Fn(char) -> Option<String>, digits: impl Fn(&str) -> String) -> Option<String> {
    if !s.contains('-') && !s.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let groups: Vec<&str> = s.split('-').collect();
    if groups.iter().any(|g| g.is_empty() || !g.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())) {
        return None;
    }
    if !s.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut spoken = Vec::new();
    for group in groups {
        let mut run = String::new();
        let mut parts = Vec::new();
        for c in group.chars() {
            if c.is_ascii_digit() {
                run.push(c);
            } else {
                if !run.is_empty() {
                    parts.push(digits(&std::mem::take(&mut run)));
                }
                parts.push(letter(c)?);
            }
        }
        if !run.is_empty() {
            parts.push(digits(&run));
        }
        spoken.push(parts.join(" "));
    }
    Some(spoken.join(", "))
}

const DIGITS_VI: [&str; 10] = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];

fn digits_vi(s: &str) -> String {
    spaced(s.bytes().map(|b| DIGITS_VI[(b - b'0') as usize].to_owned()))
}

/// A capital letter's Vietnamese name, as letters are spelled out.
fn letter_vi(c: char) -> Option<String> {
    let name = match c {
        'A' => "a",
        'B' => "bê",
        'C' => "xê",
        'D' => "dê",
        'E' => "e",
        'F' => "ép",
        'G' => "giê",
        'H' => "hát",
        'I' => "i",
        'J' => "gi",
        'K' => "ca",
        'L' => "e-lờ",
        'M' => "em-mờ",
        'N' => "en-nờ",
        'O' => "o",
        'P' => "pê",
        'Q' => "quy",
        'R' => "e-rờ",
        'S' => "ét-xì",
        'T' => "tê",
        'U' => "u",
        'V' => "vê",
        'W' => "vê kép",
        'X' => "ích-xì",
        'Y' => "i dài",
        'Z' => "dét",
        _ => return None,
    };
    Some(name.to_owned())
}

/// The abbreviations residents meet on the kiosk's pages and papers.
fn abbreviation_vi(word: &str) -> Option<&'static str> {
    Some(match word {
        "UBND" => "ủy ban nhân dân",
        "HĐND" => "hội đồng nhân dân",
        "CCCD" => "căn cước công dân",
        "CMND" => "chứng minh nhân dân",
        "TTHC" => "thủ tục hành chính",
        "BHXH" => "bảo hiểm xã hội",
        "BHYT" => "bảo hiểm y tế",
        "TP" => "thành phố",
        "QĐ" => "quyết định",
        "NĐ-CP" => "nghị định của Chính phủ",
        "VNeID" => "vê en e i đê",
        "VietQR" => "việt quy a",
        "QR" => "quy a",
        "kiosk" => "ki-ốt",
        _ => return None,
    })
}

/// A number in Vietnamese words (Northern usage).
pub fn number_vi(n: u64) -> String {
    if n == 0 {
        return "không".into();
    }
    const SCALES: [&str; 4] = ["", "nghìn", "triệu", "tỷ"];
    // Groups of three, most significant first (a number above 999 tỷ reads its tỷ group as a whole number).
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 && groups.len() < 3 {
        groups.push(rest % 1000);
        rest /= 1000;
    }
    let mut words: Vec<String> = Vec::new();
    if rest > 0 {
        words.push(format!("{} tỷ", number_vi(rest)));
    }
    let leading = rest == 0;
    for (i, &group) in groups.iter().enumerate().rev() {
        if group == 0 {
            continue;
        }
        let first = leading && i == groups.len() - 1;
        let mut spoken = hundreds_vi(group, !first);
        if !SCALES[i].is_empty() {
            spoken.push(' ');
            spoken.push_str(SCALES[i]);
        }
        words.push(spoken);
    }
    words.join(" ")
}

/// 1..=999; `full`: a group after a larger one, read with its hundreds ("không trăm linh năm").
fn hundreds_vi(n: u64, full: bool) -> String {
    let (h, t, u) = (n / 100, n / 10 % 10, n % 10);
    let mut words: Vec<&str> = Vec::new();
    if h > 0 || full {
        words.push(DIGITS_VI[h as usize]);
        words.push("trăm");
    }
    match (t, u) {
        (0, 0) => {}
        (0, u) => {
            if h > 0 || full {
                words.push("linh");
            }
            words.push(DIGITS_VI[u as usize]);
        }
        (1, u) => {
            words.push("mười");
            match u {
                0 => {}
                5 => words.push("lăm"),
                u => words.push(DIGITS_VI[u as usize]),
            }
        }
        (t, u) => {
            words.push(DIGITS_VI[t as usize]);
            words.push("mươi");
            match u {
                0 => {}
                1 => words.push("mốt"),
                4 => words.push("tư"),
                5 => words.push("lăm"),
                u => words.push(DIGITS_VI[u as usize]),
            }
        }
    }
    words.join(" ")
}

/// What the waiting-room board says for a call of ticket `label` (`HT-023`) to `counter` (its name from the
/// configuration, "Quầy 2 – Cư trú"), ready for the synthesiser: in Vietnamese "Xin mời công dân có số thứ tự hát tê,
/// hai mươi ba, đến quầy số hai, cư trú"; in English "Number H T, twenty-three, please go to Counter 2, Residence". `reading`
/// says the number whole or digit by digit ("không hai ba"), as the ward chooses.
pub fn call_announcement(label: &str, counter: &str, reading: NumberReading, language: Language) -> String {
    let (letters, digits) = label.split_once('-').unwrap_or(("", label));
    let number: u64 = digits.parse().unwrap_or(0);
    // A dash in a counter's name is a pause, as a comma is.
    let counter = counter.replace(['–', '—', '-'], ",");
    let counter: Vec<&str> = counter.split(',').map(str::trim).filter(|part| !part.is_empty()).collect();
    let counter = counter.join(", ");
    match language {
        Language::Vietnamese => {
            let letters = spaced(letters.chars().filter_map(letter_vi));
            let number = match reading {
                NumberReading::Whole => number_vi(number),
                NumberReading::Digits => digits_vi(digits),
            };
            // Lower case reads as words; abbreviations (BHXH, UBND) stay as they are, to be expanded.
            let words: Vec<String> = counter
                .split(' ')
                .map(|w| if abbreviation_vi(strip(w).1).is_some() { w.to_owned() } else { w.to_lowercase() })
                .collect();
            let mut counter = words.join(" ");
            // "Quầy 2" is said "quầy số hai", as the counters' own signs are read out.
            if let Some(rest) = counter.strip_prefix("quầy ").filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            {
                counter = format!("quầy số {rest}");
            }
            let counter = prepare(&counter, Language::Vietnamese);
            format!("Xin mời công dân có số thứ tự {letters}, {number}, đến {counter}.")
        }
        Language::English => {
            let letters = spaced(letters.chars().map(String::from));
            let number = match reading {
                NumberReading::Whole => number.to_string(),
                NumberReading::Digits => spaced(digits.chars().map(String::from)),
            };
            format!("Number {letters}, {number}, please go to {counter}.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_as_the_board_announces_them() {
        let vi = Language::Vietnamese;
        assert_eq!(
            call_announcement("HT-023", "Quầy 2 – Cư trú", NumberReading::Whole, vi),
            "Xin mời công dân có số thứ tự hát tê, hai mươi ba, đến quầy số hai, cư trú."
        );
        assert_eq!(
            call_announcement("HT-023", "Quầy 2", NumberReading::Digits, vi),
            "Xin mời công dân có số thứ tự hát tê, không hai ba, đến quầy số hai."
        );
        assert_eq!(
            call_announcement("BHX-105", "Quầy 3", NumberReading::Whole, vi),
            "Xin mời công dân có số thứ tự bê hát ích-xì, một trăm linh năm, đến quầy số ba."
        );
        assert_eq!(
            call_announcement("BHX-007", "Quầy 5 – BHXH", NumberReading::Whole, vi),
            "Xin mời công dân có số thứ tự bê hát ích-xì, bảy, đến quầy số năm, bảo hiểm xã hội."
        );
        assert_eq!(
            call_announcement("HT-023", "Counter 2 – Residence", NumberReading::Whole, Language::English),
            "Number H T, 23, please go to Counter 2, Residence."
        );
        assert_eq!(
            call_announcement("HT-023", "Counter 2", NumberReading::Digits, Language::English),
            "Number H T, 0 2 3, please go to Counter 2."
        );
    }

    #[test]
    fn numbers_as_a_hanoi_speaker_reads_them() {
        for (n, words) in [
            (0, "không"),
            (5, "năm"),
            (10, "mười"),
            (11, "mười một"),
            (15, "mười lăm"),
            (21, "hai mươi mốt"),
            (24, "hai mươi tư"),
            (25, "hai mươi lăm"),
            (30, "ba mươi"),
            (105, "một trăm linh năm"),
            (110, "một trăm mười"),
            (1_000, "một nghìn"),
            (1_005, "một nghìn không trăm linh năm"),
            (2_026, "hai nghìn không trăm hai mươi sáu"),
            (10_000, "mười nghìn"),
            (50_000, "năm mươi nghìn"),
            (1_500_000, "một triệu năm trăm nghìn"),
            (2_000_000_000, "hai tỷ"),
        ] {
            assert_eq!(number_vi(n), words, "{n}");
        }
    }

    #[test]
    fn pages_read_aloud_in_vietnamese() {
        let vi = |s: &str| prepare(s, Language::Vietnamese);
        for (written, spoken) in [
            ("Cần nộp: 50.000 đồng", "Cần nộp: năm mươi nghìn đồng"),
            ("Lệ phí 15000 đồng.", "Lệ phí mười lăm nghìn đồng."),
            ("Ngày hẹn: 05/12/2026", "Ngày hẹn: ngày năm tháng mười hai năm hai nghìn không trăm hai mươi sáu"),
            (
                "Thứ Hai 07/12, 17:30–18:30",
                "Thứ Hai ngày bảy tháng mười hai, từ mười bảy giờ ba mươi đến mười tám giờ ba mươi",
            ),
            ("lúc 8:00", "lúc tám giờ"),
            ("Số thứ tự của ông/bà là HT-004", "Số thứ tự của ông bà là hát tê, không không bốn"),
            ("Gọi 0912345678", "Gọi không chín một hai ba bốn năm sáu bảy tám"),
            ("Mã LH-261207-000001", "Mã e-lờ hát, hai sáu một hai không bảy, không không không không không một"),
            ("Mang CCCD đến UBND phường", "Mang căn cước công dân đến ủy ban nhân dân phường"),
            ("TTHC của BHXH và HĐND", "thủ tục hành chính của bảo hiểm xã hội và hội đồng nhân dân"),
            ("Còn 3 chỗ", "Còn ba chỗ"),
            ("Chứng thực di chúc, 2.001019.", "Chứng thực di chúc, hai chấm không không một không một chín."),
            ("(mô phỏng)", "(mô phỏng)"),
        ] {
            assert_eq!(vi(written), spoken, "{written}");
        }
    }

    #[test]
    fn counts_are_read_as_counts_not_dates() {
        assert_eq!(prepare("Câu 2/8", Language::Vietnamese), "Câu hai trên tám");
        assert_eq!(prepare("Bước 10/12.", Language::Vietnamese), "Bước mười trên mười hai.");
        assert_eq!(prepare("Step 3/19", Language::English), "Step 3 of 19");
        assert_eq!(prepare("Hẹn 10/12", Language::Vietnamese), "Hẹn ngày mười tháng mười hai", "a date stays a date");
    }

    #[test]
    fn decomposed_input_comes_out_composed() {
        let decomposed = "Ca\u{0300}n nô\u{0323}p 10.000 đô\u{0300}ng";
        assert_eq!(prepare(decomposed, Language::Vietnamese), "Càn nộp mười nghìn đồng");
    }

    #[test]
    fn pages_read_aloud_in_english() {
        let en = |s: &str| prepare(s, Language::English);
        assert_eq!(en("Due: 50,000 dong"), "Due: 50000 dong");
        assert_eq!(en("on 05/12/2026"), "on 5 December 2026");
        assert_eq!(en("Your number is HT-004"), "Your number is H T, 0 0 4");
        assert_eq!(en("Call 0912345678"), "Call 0 9 1 2 3 4 5 6 7 8");
        assert_eq!(en("Monday 07/12, 17:30–18:30"), "Monday 07/12, from 17:30 to 18:30");
    }
}
