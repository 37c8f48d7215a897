//! Every text on screen exists in Vietnamese and English: each @tr string in the .slint files has a non-empty
//! Vietnamese translation in NFC, the .po file has nothing stale, and no screen text bypasses @tr.

use std::collections::BTreeMap;

use kiosk_tests::workspace_root;

fn slint_sources() -> Vec<(String, String)> {
    let dir = workspace_root().join("kiosk-app/ui");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("ui dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "slint"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "found only {files:?}");
    files
        .into_iter()
        .map(|p| {
            (p.file_name().expect("name").to_string_lossy().into_owned(), std::fs::read_to_string(&p).expect("read"))
        })
        .collect()
}

/// Reads a double-quoted string starting just after the opening quote; returns it and the rest.
fn quoted(text: &str) -> (String, &str) {
    let mut out = String::new();
    let mut chars = text.char_indices();
    while let Some((idx, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    out.push(match escaped {
                        'n' => '\n',
                        other => other,
                    });
                }
            }
            '"' => return (out, &text[idx + 1..]),
            other => out.push(other),
        }
    }
    panic!("unterminated string in {text:?}");
}

fn tr_strings() -> Vec<String> {
    let mut found = Vec::new();
    for (_, source) in slint_sources() {
        let mut rest = source.as_str();
        while let Some(at) = rest.find("@tr(\"") {
            let (string, after) = quoted(&rest[at + 5..]);
            found.push(string);
            rest = after;
        }
    }
    found
}

fn po_entries() -> BTreeMap<String, String> {
    let path = workspace_root().join("assets/lang/vi/LC_MESSAGES/kiosk-app.po");
    let text = std::fs::read_to_string(&path).expect("vi .po file");
    let mut entries = BTreeMap::new();
    let mut msgid: Option<String> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("msgid \"") {
            msgid = Some(quoted(rest).0);
        } else if let Some(rest) = line.strip_prefix("msgstr \"") {
            let id = msgid.take().expect("msgstr follows msgid");
            if !id.is_empty() {
                entries.insert(id, quoted(rest).0);
            }
        }
    }
    entries
}

#[test]
fn every_ui_string_has_a_vietnamese_translation_in_nfc() {
    let entries = po_entries();
    let strings = tr_strings();
    assert!(strings.len() >= 30, "found only {} @tr strings", strings.len());
    let missing: Vec<_> = strings.iter().filter(|s| entries.get(*s).is_none_or(|t| t.trim().is_empty())).collect();
    assert!(missing.is_empty(), "untranslated into Vietnamese: {missing:#?}");
    let stale: Vec<_> = entries.keys().filter(|id| !strings.contains(id)).collect();
    assert!(stale.is_empty(), "translations for strings no screen uses any more: {stale:#?}");
    for translation in entries.values() {
        assert!(kiosk_core::text::is_nfc(translation), "not NFC: {translation:?}");
    }
}

#[test]
fn no_screen_text_bypasses_translation() {
    // A `text:` bound straight to a string literal would show the same words in both languages.
    let mut offenders = Vec::new();
    for (file, source) in slint_sources() {
        for (number, line) in source.lines().enumerate() {
            let line = line.trim();
            if line.starts_with("text:") && line.contains('"') && !line.contains("@tr(") {
                let literals: Vec<_> =
                    line.split('"').skip(1).step_by(2).filter(|s| s.chars().any(char::is_alphabetic)).collect();
                if !literals.is_empty() {
                    offenders.push(format!("{file}:{}: {line}", number + 1));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "screen text without @tr: {offenders:#?}");
}
