//! The words printed on slips, in the resident's language: English source text at the call site, Vietnamese from
//! assets/lang/vi/LC_MESSAGES/kiosk-slips.po (built in), as the screens take theirs through Slint's `@tr`.
//! Must not do: hold a Vietnamese/English pair in code (wording is an English msgid here, its Vietnamese in the
//! catalogue), or panic over a missing or unreadable translation: a slip with an English line beats no slip.

use std::collections::HashMap;
use std::fmt::{Display, Write as _};
use std::sync::OnceLock;

use kiosk_core::config::Language;

/// A slip text in `language`: the English source itself, or its Vietnamese from the catalogue. A text missing
/// from the catalogue prints in English and is logged (the e2e test `translations` keeps that from shipping).
pub fn tr(language: Language, english: &'static str) -> String {
    translate(catalogue(), language, english).to_owned()
}

/// [`tr`] for a text with values in it: each `{}` of the translated text takes the next of `args`, in order (the
/// same placeholders Slint's `@tr` uses; no text needs a literal brace, so there is no escape for one).
pub fn trf(language: Language, english: &'static str, args: &[&dyn Display]) -> String {
    let template = translate(catalogue(), language, english);
    if placeholders(template) != args.len() {
        tracing::error!(msgid = english, args = args.len(), "a slip text's placeholders do not match its values");
    }
    fill(template, args)
}

/// Data that arrives in both languages (catalogue, forms, configuration: `name_vi`/`name_en`), chosen for the
/// resident. Only for data: wording the kiosk writes itself goes through [`tr`].
pub fn either<'a>(language: Language, vietnamese: &'a str, english: &'a str) -> &'a str {
    match language {
        Language::Vietnamese => vietnamese,
        Language::English => english,
    }
}

/// The Vietnamese catalogue, built into the binary so a slip never depends on a file on the kiosk's disk.
const VIETNAMESE: &str = include_str!("../../assets/lang/vi/LC_MESSAGES/kiosk-slips.po");

/// English msgid -> Vietnamese msgstr.
type Catalogue = HashMap<String, String>;

/// The built-in catalogue, read once for the whole process. A catalogue that does not read (a unit test reads it,
/// so only a broken build could ship one) is logged and leaves every slip in English rather than stopping the
/// device thread.
fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        parse(VIETNAMESE).unwrap_or_else(|error| {
            tracing::error!(%error, "the built-in slip catalogue kiosk-slips.po does not read; slips print in English");
            Catalogue::new()
        })
    })
}

fn translate<'a>(catalogue: &'a Catalogue, language: Language, english: &'a str) -> &'a str {
    match language {
        Language::English => english,
        Language::Vietnamese => match catalogue.get(english) {
            Some(vietnamese) => vietnamese,
            None => {
                tracing::error!(
                    msgid = english,
                    "no Vietnamese for a slip text in kiosk-slips.po; printing the English"
                );
                english
            }
        },
    }
}

fn placeholders(template: &str) -> usize {
    template.matches("{}").count()
}

/// Puts `args` into the `{}` of `template` in order. A placeholder without a value stays `{}` on paper (visible,
/// and logged by [`trf`]) rather than losing the rest of the line.
fn fill(template: &str, args: &[&dyn Display]) -> String {
    let mut out = String::with_capacity(template.len() + 16 * args.len());
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        match args.next() {
            Some(arg) => {
                let _ = write!(out, "{arg}"); // writing to a String cannot fail
            }
            None => out.push_str("{}"),
        }
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

/// Why a .po file does not read: the line (from 1) and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("kiosk-slips.po line {line}: {problem}")]
struct ParseError {
    line: usize,
    problem: &'static str,
}

/// Reads a gettext .po file, the part of the format this catalogue uses: `#` comments, `msgid` and `msgstr` each
/// with `"..."` continuation lines (\" \\ \n \t escapes), the header entry (empty msgid, skipped). An empty msgstr
/// means "not translated yet", as gettext has it, and is left out. Contexts and plurals are refused rather than
/// misread: no slip text needs them. Written by hand because it is this small; the crates that read .po files
/// bring far more than one table.
fn parse(text: &str) -> Result<Catalogue, ParseError> {
    #[derive(PartialEq)]
    enum Field {
        None,
        Id,
        Str,
    }
    let mut catalogue = Catalogue::new();
    let (mut msgid, mut msgstr) = (String::new(), String::new());
    let mut field = Field::None;
    let mut entry_line = 0;
    for (idx, raw) in text.lines().enumerate() {
        let line_number = idx + 1;
        let line = raw.trim();
        let at = |problem| ParseError { line: line_number, problem };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("msgid ") {
            match field {
                Field::Id => return Err(at("a msgid follows a msgid without its msgstr")),
                Field::Str => finish(&mut catalogue, &mut msgid, &mut msgstr, entry_line)?,
                Field::None => {}
            }
            msgid = string(rest).map_err(at)?;
            field = Field::Id;
            entry_line = line_number;
        } else if let Some(rest) = line.strip_prefix("msgstr ") {
            if field != Field::Id {
                return Err(at("a msgstr without a msgid before it"));
            }
            msgstr = string(rest).map_err(at)?;
            field = Field::Str;
        } else if line.starts_with('"') {
            let continued = string(line).map_err(at)?;
            match field {
                Field::Id => msgid.push_str(&continued),
                Field::Str => msgstr.push_str(&continued),
                Field::None => return Err(at("a string outside any msgid or msgstr")),
            }
        } else if line.starts_with("msgctxt") || line.starts_with("msgid_plural") || line.starts_with("msgstr[") {
            return Err(at("contexts and plural forms are not used for slips"));
        } else {
            return Err(at("not a comment, msgid, msgstr or string"));
        }
    }
    match field {
        Field::Id => Err(ParseError { line: entry_line, problem: "the last msgid has no msgstr" }),
        Field::Str => finish(&mut catalogue, &mut msgid, &mut msgstr, entry_line).map(|()| catalogue),
        Field::None => Ok(catalogue),
    }
}

/// Files the entry just read (taking its texts), unless it is the header or not translated yet.
fn finish(catalogue: &mut Catalogue, msgid: &mut String, msgstr: &mut String, line: usize) -> Result<(), ParseError> {
    let (id, translation) = (std::mem::take(msgid), std::mem::take(msgstr));
    if id.is_empty() || translation.is_empty() {
        return Ok(());
    }
    match catalogue.insert(id, translation) {
        Some(_) => Err(ParseError { line, problem: "this msgid is already in the catalogue" }),
        None => Ok(()),
    }
}

/// One `"..."` string with its escapes undone; nothing but spaces may follow it on the line.
fn string(text: &str) -> Result<String, &'static str> {
    let inner = text.trim().strip_prefix('"').ok_or("a string must start with \"")?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                return if chars.as_str().trim().is_empty() { Ok(out) } else { Err("text after the closing \"") };
            }
            '\\' => out.push(match chars.next() {
                Some('n') => '\n',
                Some('t') => '\t',
                Some('"') => '"',
                Some('\\') => '\\',
                _ => return Err("an unknown escape (only \\\" \\\\ \\n \\t)"),
            }),
            other => out.push(other),
        }
    }
    Err("a string without its closing \"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalogue_reads_and_keeps_every_placeholder() {
        let catalogue = parse(VIETNAMESE).expect("kiosk-slips.po reads");
        assert!(catalogue.len() >= 40, "only {} entries", catalogue.len());
        for (english, vietnamese) in &catalogue {
            assert_eq!(placeholders(english), placeholders(vietnamese), "{english:?} -> {vietnamese:?}");
            assert!(kiosk_core::text::is_nfc(vietnamese), "not NFC: {vietnamese:?}");
        }
        assert_eq!(translate(&catalogue, Language::Vietnamese, "DOSSIER RECEIPT"), "PHIẾU BIÊN NHẬN CỦA KI-ỐT (Giấy tiếp nhận hồ sơ chính thức do hệ thống dịch vụ công hoặc quầy tiếp nhận cấp)");
    }

    #[test]
    fn entries_read_across_continuation_lines_with_escapes_and_comments() {
        let text = concat!(
            "# a comment\n",
            "msgid \"\"\n",
            "msgstr \"\"\n",
            "\"Language: vi\\n\"\n",
            "\n",
            "#. a note for translators\n",
            "msgid \"Say \\\"hello\\\"\"\n",
            "msgstr \"Nói \\\"xin chào\\\"\"\n",
            "\n",
            "msgid \"\"\n",
            "\"two \"\n",
            "  \"lines\\\\n\"\n",
            "msgstr \"\"\n",
            "\"hai \"\n",
            "\"dòng\\nmới\"   \n",
            "msgid \"Not translated yet\"\n",
            "msgstr \"\"\n",
        );
        let catalogue = parse(text).expect("reads");
        assert_eq!(catalogue.len(), 2, "the header and the untranslated entry are left out: {catalogue:?}");
        assert_eq!(catalogue["Say \"hello\""], "Nói \"xin chào\"");
        assert_eq!(catalogue["two lines\\n"], "hai dòng\nmới");
    }

    #[test]
    fn a_malformed_catalogue_names_the_line() {
        let problem = |text: &str| parse(text).map(|_| ()).map_err(|error| error.line);
        assert_eq!(problem("msgid \"a\"\nmsgstr \"b\"\nmsgid \"a\"\nmsgstr \"c\"\n"), Err(3));
        assert_eq!(problem("msgid \"a\"\nmsgid \"b\"\n"), Err(2));
        assert_eq!(problem("msgstr \"b\"\n"), Err(1));
        assert_eq!(problem("\n\"stray\"\n"), Err(2));
        assert_eq!(problem("msgid \"a\nmsgstr \"b\"\n"), Err(1));
        assert_eq!(problem("msgid \"a\" x\n"), Err(1));
        assert_eq!(problem("msgid \"a\\q\"\n"), Err(1));
        assert_eq!(problem("msgctxt \"menu\"\n"), Err(1));
        assert_eq!(problem("msgid \"a\"\nmsgid_plural \"as\"\n"), Err(2));
        assert_eq!(problem("msgid \"a\"\n"), Err(1));
        assert_eq!(problem("msgid \"a\"\nmsgstr \"b\"\n"), Ok(()));
    }

    #[test]
    fn placeholders_are_filled_in_order() {
        assert_eq!(
            fill("Số người chờ trước: {} · khoảng {} phút", &[&3, &"12"]),
            "Số người chờ trước: 3 · khoảng 12 phút"
        );
        assert_eq!(fill("…{}.", &[&"678"]), "…678.");
        assert_eq!(fill("no values", &[]), "no values");
        assert_eq!(fill("{} and {}", &[&1]), "1 and {}", "a missing value stays visible");
    }

    #[test]
    fn english_is_the_source_and_a_missing_text_falls_back_to_it() {
        let catalogue = parse("msgid \"Steps:\"\nmsgstr \"Các bước:\"\n").expect("reads");
        assert_eq!(translate(&catalogue, Language::English, "Steps:"), "Steps:");
        assert_eq!(translate(&catalogue, Language::Vietnamese, "Steps:"), "Các bước:");
        assert_eq!(translate(&catalogue, Language::Vietnamese, "Not in the catalogue"), "Not in the catalogue");
    }

    #[test]
    fn data_in_both_languages_is_chosen_not_translated() {
        assert_eq!(either(Language::Vietnamese, "Hộ tịch", "Civil status"), "Hộ tịch");
        assert_eq!(either(Language::English, "Hộ tịch", "Civil status"), "Civil status");
    }
}
