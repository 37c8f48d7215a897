//! Every text on screen and on paper exists in Vietnamese and English: each @tr string in the .slint files has a
//! non-empty Vietnamese translation in NFC in kiosk-app.po, each slip text given to `words::tr`/`words::trf` in
//! kiosk-app/src has one in kiosk-slips.po, neither .po file has anything stale, no screen text bypasses @tr and no
//! slip module writes Vietnamese in Rust.

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

/// A .po file of assets/lang/vi/LC_MESSAGES as msgid -> msgstr (the header left out; an untranslated entry kept,
/// empty). Strings may continue on `"..."` lines, as gettext tools wrap them.
fn po_entries(file: &str) -> BTreeMap<String, String> {
    let path = workspace_root().join("assets/lang/vi/LC_MESSAGES").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut entries = BTreeMap::new();
    let mut entry: (Option<String>, Option<String>) = (None, None);
    let mut file_entry = |entry: &mut (Option<String>, Option<String>)| match std::mem::take(entry) {
        (Some(id), Some(translation)) if !id.is_empty() => {
            assert!(entries.insert(id.clone(), translation).is_none(), "{file}: {id:?} twice");
        }
        (Some(id), None) => panic!("{file}: {id:?} has no msgstr"),
        _ => {}
    };
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("msgid \"") {
            file_entry(&mut entry);
            entry.0 = Some(quoted(rest).0);
        } else if let Some(rest) = line.strip_prefix("msgstr \"") {
            assert!(entry.0.is_some() && entry.1.is_none(), "{file}: a msgstr without its msgid: {line}");
            entry.1 = Some(quoted(rest).0);
        } else if let Some(rest) = line.strip_prefix('"') {
            let continued = quoted(rest).0;
            match &mut entry {
                (_, Some(translation)) => translation.push_str(&continued),
                (Some(id), None) => id.push_str(&continued),
                (None, None) => panic!("{file}: a string outside any entry: {line}"),
            }
        }
    }
    file_entry(&mut entry);
    entries
}

#[test]
fn every_ui_string_has_a_vietnamese_translation_in_nfc() {
    let entries = po_entries("kiosk-app.po");
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

/// The slip modules: where printed slips are worded (the rest of kiosk-app/src prints none).
const SLIP_MODULES: [&str; 5] = ["dossier.rs", "visit.rs", "lookup.rs", "tickets.rs", "printing.rs"];

#[test]
fn every_slip_text_has_a_vietnamese_translation_in_nfc() {
    let entries = po_entries("kiosk-slips.po");
    let mut texts = Vec::new();
    let mut not_literal = Vec::new();
    for (file, source) in rust_sources() {
        let (found, offenders) = slip_texts(&without_tests(lex(&source)));
        texts.extend(found);
        not_literal.extend(offenders.into_iter().map(|line| format!("{file}:{line}")));
    }
    assert!(not_literal.is_empty(), "slip texts must be string literals, so this test can see them: {not_literal:#?}");
    assert!(texts.len() >= 40, "found only {} slip texts", texts.len());
    let missing: Vec<_> = texts.iter().filter(|s| entries.get(*s).is_none_or(|t| t.trim().is_empty())).collect();
    assert!(missing.is_empty(), "slip texts untranslated into Vietnamese in kiosk-slips.po: {missing:#?}");
    let stale: Vec<_> = entries.keys().filter(|id| !texts.contains(id)).collect();
    assert!(stale.is_empty(), "translations for texts no slip prints any more: {stale:#?}");
    for (english, translation) in &entries {
        assert!(kiosk_core::text::is_nfc(translation), "not NFC: {translation:?}");
        // words::trf fills the `{}` in order: a translation with one more or one fewer loses or shows a value.
        assert_eq!(english.matches("{}").count(), translation.matches("{}").count(), "{english:?} -> {translation:?}");
    }
}

#[test]
fn no_slip_module_writes_vietnamese_in_rust() {
    // A Vietnamese literal in a slip module is wording that bypasses kiosk-slips.po (tests and comments may quote
    // printed text; data such as name_vi comes from the catalogue and forms, not from literals).
    let mut offenders = Vec::new();
    for (file, source) in rust_sources() {
        if !SLIP_MODULES.iter().any(|module| file == format!("src/{module}")) {
            continue;
        }
        for piece in without_tests(lex(&source)) {
            if let Piece::Literal { text, line } = piece {
                if writes_vietnamese(&text) {
                    offenders.push(format!("{file}:{line}: {text:?}"));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "Vietnamese written in a slip module, not in kiosk-slips.po: {offenders:#?}");
}

#[test]
fn the_rust_reader_sees_literals_outside_comments_and_tests() {
    let source = r##"
        // words::tr(language, "in a comment")
        /* words::tr(language, "in a /* nested */ block") */
        let brace = '{'; let quote = '"'; fn f<'a>(x: &'a str) {}
        let a = words::tr(language, "Steps:");
        let b = words::trf(
            Language::Vietnamese,
            "Fee: {} \"quoted\" \
             joined",
            &[&fee],
        );
        let c = words::tr(language, english);
        let d = r#"raw "Lệ phí""#;
        #[cfg(test)]
        mod tests { fn t() { words::tr(language, "in a test {"); } }
        let e = "Hộ tịch";
        let f = "postage charged separately, QĐ 45/2016/QĐ-TTg";
    "##;
    let pieces = without_tests(lex(source));
    let (texts, offenders) = slip_texts(&pieces);
    assert_eq!(texts, ["Steps:", "Fee: {} \"quoted\" joined"]);
    assert_eq!(offenders, [12], "the call without a literal, by line");
    let vietnamese: Vec<_> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Literal { text, line } if writes_vietnamese(text) => Some((text.as_str(), *line)),
            _ => None,
        })
        .collect();
    assert_eq!(vietnamese, [("raw \"Lệ phí\"", 13), ("Hộ tịch", 16)], "a document number cited is not wording");
}

/// kiosk-app/src/**/*.rs as (path from kiosk-app/, text), sorted.
fn rust_sources() -> Vec<(String, String)> {
    let root = workspace_root().join("kiosk-app");
    let mut pending = vec![root.join("src")];
    let mut files = Vec::new();
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 20, "found only {files:?}");
    files
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(&root).expect("under kiosk-app").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect()
}

/// Rust source as code and string literals, comments dropped. Enough of Rust's lexing for these checks: line and
/// nested block comments, strings with escapes and `\` line continuations, raw strings, and char literals (kept
/// apart from lifetimes, so a '{' or '"' in one confuses nothing).
#[derive(Debug)]
enum Piece {
    Code { text: String, line: usize },
    Literal { text: String, line: usize },
}

fn lex(source: &str) -> Vec<Piece> {
    let chars: Vec<char> = source.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut pieces = Vec::new();
    let mut code = String::new();
    let mut line = 1;
    let mut code_line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let after_ident = i > 0 && is_ident(chars[i - 1]);
        let raw_hashes = (c == 'r' && !after_ident).then(|| chars[i + 1..].iter().take_while(|&&h| h == '#').count());
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                match (at(i), at(i + 1)) {
                    ('/', '*') => (depth, i) = (depth + 1, i + 2),
                    ('*', '/') => (depth, i) = (depth - 1, i + 2),
                    ('\0', _) => panic!("unterminated block comment"),
                    (ch, _) => (line, i) = (line + usize::from(ch == '\n'), i + 1),
                }
                if depth == 0 {
                    break;
                }
            }
        } else if let Some(hashes) = raw_hashes.filter(|&n| at(i + 1 + n) == '"') {
            let start_line = line;
            let closing: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            let body_start = i + 2 + hashes;
            let body: String = chars[body_start..].iter().collect();
            let end = body.find(&closing).expect("unterminated raw string");
            let text = body[..end].to_owned();
            line += text.matches('\n').count();
            i = body_start + text.chars().count() + closing.chars().count();
            pieces.push(Piece::Code { text: std::mem::take(&mut code), line: code_line });
            pieces.push(Piece::Literal { text, line: start_line });
            code_line = line;
        } else if c == '"' {
            let start_line = line;
            let mut text = String::new();
            i += 1;
            loop {
                match at(i) {
                    '"' => break,
                    '\\' => {
                        i += 1;
                        match at(i) {
                            'n' => text.push('\n'),
                            't' => text.push('\t'),
                            'r' => text.push('\r'),
                            '0' => text.push('\0'),
                            '\n' => {
                                // A line continuation: the newline and the next line's indentation are not text.
                                while at(i + 1).is_whitespace() {
                                    line += usize::from(at(i) == '\n');
                                    i += 1;
                                }
                                line += usize::from(at(i) == '\n');
                            }
                            'u' => {
                                let close = (i..chars.len()).find(|&j| chars[j] == '}').expect("\\u{...}");
                                let hex: String = chars[i + 2..close].iter().collect();
                                text.push(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32).expect("escape"));
                                i = close;
                            }
                            other => text.push(other),
                        }
                    }
                    '\0' => panic!("unterminated string from line {start_line}"),
                    other => {
                        line += usize::from(other == '\n');
                        text.push(other);
                    }
                }
                i += 1;
            }
            i += 1;
            pieces.push(Piece::Code { text: std::mem::take(&mut code), line: code_line });
            pieces.push(Piece::Literal { text, line: start_line });
            code_line = line;
        } else if c == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A char literal ('x', '\'', '\u{1F600}'): kept out of the code, where its character could be a brace.
            let from = if at(i + 1) == '\\' { i + 3 } else { i + 2 };
            let close = (from..chars.len()).find(|&j| chars[j] == '\'').expect("unterminated char literal");
            code.push_str("' '");
            i = close + 1;
        } else {
            line += usize::from(c == '\n');
            code.push(c);
            i += 1;
        }
    }
    pieces.push(Piece::Code { text: code, line: code_line });
    pieces
}

/// The pieces with every `#[cfg(test)]` item (a `mod tests { ... }`, a `use ...;`) taken out.
fn without_tests(pieces: Vec<Piece>) -> Vec<Piece> {
    const MARK: &str = "#[cfg(test)]";
    let mut out = Vec::new();
    // Inside a test item: how deep in its braces, and whether its body has opened yet.
    let mut skipping: Option<(usize, bool)> = None;
    for piece in pieces {
        match piece {
            Piece::Literal { .. } if skipping.is_some() => {}
            Piece::Literal { .. } => out.push(piece),
            Piece::Code { text, line } => {
                let mut kept = String::new();
                for c in text.chars() {
                    match &mut skipping {
                        None => {
                            kept.push(c);
                            if kept.ends_with(MARK) {
                                kept.truncate(kept.len() - MARK.len());
                                skipping = Some((0, false));
                            }
                        }
                        Some((depth, opened)) => match c {
                            '{' => (*depth, *opened) = (*depth + 1, true),
                            '}' if *depth == 1 => skipping = None,
                            '}' => *depth -= 1,
                            ';' if !*opened => skipping = None,
                            // Kept so that a call's line still counts from the piece's first line.
                            '\n' => kept.push('\n'),
                            _ => {}
                        },
                    }
                }
                out.push(Piece::Code { text: kept, line });
            }
        }
    }
    out
}

/// The literal texts given to `words::tr(language, "...")` and `words::trf(language, "...", ...)`, and the lines
/// of calls whose text is not a literal.
fn slip_texts(pieces: &[Piece]) -> (Vec<String>, Vec<usize>) {
    let mut texts = Vec::new();
    let mut offenders = Vec::new();
    for (idx, piece) in pieces.iter().enumerate() {
        let Piece::Code { text: code, line } = piece else { continue };
        for call in ["words::tr(", "words::trf("] {
            for (at, _) in code.match_indices(call) {
                // The language argument, then the text: nothing but the comma and spaces between them and the literal.
                let after = &code[at + call.len()..];
                let literal_follows = after
                    .split_once(',')
                    .is_some_and(|(language, rest)| !language.contains(['(', ')']) && rest.trim().is_empty());
                match pieces.get(idx + 1) {
                    Some(Piece::Literal { text, .. }) if literal_follows => texts.push(text.clone()),
                    _ => offenders.push(line + code[..at].matches('\n').count()),
                }
            }
        }
    }
    (texts, offenders)
}

/// Whether a literal holds Vietnamese letters, leaving out Vietnamese legal document numbers (QĐ 45/2016/QĐ-TTg):
/// English text cites them as they are.
fn writes_vietnamese(text: &str) -> bool {
    text.replace("QĐ", "").chars().any(is_vietnamese_letter)
}

/// A letter of the Vietnamese alphabet beyond ASCII: đ, or a Latin letter carrying a mark (â ă ê ô ơ ư and tones).
fn is_vietnamese_letter(c: char) -> bool {
    c.is_alphabetic() && !c.is_ascii() && kiosk_core::search::fold(&c.to_string()).is_ascii()
}
