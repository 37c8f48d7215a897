//! The human text of a `detect` report: one section per kind of device, each item with its verdict mark (✓ ! ✗ -),
//! its details, hints and the configuration lines to use. Must not do: I/O (the caller decides colour from whether
//! stdout is a terminal, and writes the text through `out`).

use std::fmt::Write as _;

use super::findings::{Finding, Note, Report, Section, Verdict};

/// Long lines are folded at this width (hints are sentences).
const WIDTH: usize = 110;

/// The report as text; `colour` adds ANSI colours to the marks and bold section titles.
pub fn render(report: &Report, sections: &[Section], colour: bool) -> String {
    let mut text = String::new();
    let who = if report.user.root {
        "as root".to_owned()
    } else {
        format!("as uid {}; some facts need root: sudo kiosk-provision detect shows more", report.user.uid)
    };
    let _ = writeln!(text, "kiosk-provision detect ({who}; {:.2} s)", report.elapsed_ms as f64 / 1000.0);
    for &section in sections {
        let _ = write!(text, "\n{}\n", paint(section.title(), "1", colour));
        let items: Vec<Item> = match section {
            Section::Printers => report.printers.iter().map(Item::of).collect(),
            Section::Serial => report.serial_ports.iter().map(Item::of).collect(),
            Section::Scanners => report.scanners.iter().map(Item::of).collect(),
            Section::Input => report.input.iter().map(Item::of).collect(),
            Section::Displays => report.displays.iter().map(Item::of).collect(),
        };
        for item in &items {
            item.write(&mut text, colour);
        }
        for note in report.notes.iter().filter(|n| n.section == section) {
            Item::note(note).write(&mut text, colour);
        }
    }
    text
}

/// What every finding shows, whatever its facts.
struct Item<'a> {
    verdict: Verdict,
    summary: &'a str,
    details: &'a [String],
    hints: &'a [String],
    config: &'a [String],
}

impl<'a> Item<'a> {
    fn of<T>(finding: &'a Finding<T>) -> Item<'a> {
        Item {
            verdict: finding.verdict,
            summary: &finding.summary,
            details: &finding.details,
            hints: &finding.hints,
            config: &finding.config,
        }
    }

    fn note(note: &'a Note) -> Item<'a> {
        Item { verdict: note.verdict, summary: &note.message, details: &[], hints: &note.hints, config: &[] }
    }

    fn write(&self, text: &mut String, colour: bool) {
        let _ = writeln!(text, "  {} {}", mark(self.verdict, colour), self.summary);
        for detail in self.details {
            fold(text, "      ", "      ", detail);
        }
        for hint in self.hints {
            fold(text, "      hint: ", "            ", hint);
        }
        if !self.config.is_empty() {
            let _ = writeln!(text, "      config:");
            for line in self.config {
                let _ = writeln!(text, "        {line}");
            }
        }
    }
}

fn mark(verdict: Verdict, colour: bool) -> String {
    let (symbol, code) = match verdict {
        Verdict::Ok => ("✓", "32"),
        Verdict::Warning => ("!", "33"),
        Verdict::Problem => ("✗", "31"),
        Verdict::Unused => ("-", "2"),
    };
    paint(symbol, code, colour)
}

fn paint(text: &str, code: &str, colour: bool) -> String {
    if colour {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Writes `words` after `first`, folded at [`WIDTH`] with later lines indented by `rest`.
fn fold(text: &mut String, first: &str, rest: &str, words: &str) {
    let mut line = first.to_owned();
    let mut empty = true;
    for word in words.split(' ') {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            text.push_str(&line);
            text.push('\n');
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    text.push_str(&line);
    text.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_hints_fold_under_their_label() {
        let mut text = String::new();
        let words = "word ".repeat(40);
        fold(&mut text, "      hint: ", "            ", words.trim());
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH));
        assert!(lines[0].starts_with("      hint: word"));
        assert!(lines[1].starts_with("            word"));
    }

    #[test]
    fn colour_only_when_asked() {
        assert_eq!(mark(Verdict::Ok, false), "✓");
        assert_eq!(mark(Verdict::Problem, true), "\x1b[31m✗\x1b[0m");
    }
}
