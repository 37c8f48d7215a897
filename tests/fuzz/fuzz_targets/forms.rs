//! Dossier forms as data (kiosk-app/core/src/forms.rs): a form file's TOML text, then, after a NUL byte,
//! answers separated by NUL bytes, typed into the form's questions in turn. Properties: no panic on any text; a
//! form that parses asks its questions in file order and only those whose condition holds; `keep_asked` keeps
//! only answers to questions still asked and changes nothing when applied twice; the first unanswered question
//! is a required one that is asked; every answer `check_answer` stores is accepted again as itself (what the
//! "Change" link shows is what was stored); and a choice is shown as one of its options' words. Must not do: I/O.
#![no_main]

use kiosk_core::forms::{self, Answers, Kind};
use kiosk_core::validate::Date;
use libfuzzer_sys::fuzz_target;

const TODAY: Date = Date { year: 2026, month: 11, day: 29 };

fuzz_target!(|bytes: &[u8]| {
    let mut parts = bytes.split(|b| *b == 0);
    let Ok(text) = std::str::from_utf8(parts.next().unwrap_or_default()) else { return };
    let Ok(form) = forms::parse(text) else { return };

    let mut answers = Answers::new();
    let mut typed = parts.map(String::from_utf8_lossy);
    // Answer the questions as the wizard asks them, until the answers run out.
    for _ in 0..form.fields.len() {
        let Some(field) = form
            .first_unanswered(&answers)
            .or_else(|| form.questions(&answers).into_iter().find(|f| !answers.contains_key(&f.id)))
        else {
            break;
        };
        let Some(answer) = typed.next() else { break };
        let id = field.id.clone();
        if let Ok(stored) = form.check_answer(field, &answer, &answers, TODAY) {
            let again = form.check_answer(field, &stored, &answers, TODAY);
            assert_eq!(again.as_ref(), Ok(&stored), "{:?} answer {answer:?} stored as {stored:?}", field.kind);
            if field.kind == Kind::Choice && !stored.is_empty() {
                let shown = form.shown(field, &stored, false);
                assert!(field.options.iter().any(|o| o.vi == shown));
            }
            answers.insert(id, stored);
        } else {
            // A refused answer leaves the question unanswered; skip it so the next answers reach later ones.
            answers.insert(id, String::new());
        }

        let asked = form.questions(&answers);
        let order: Vec<usize> = asked
            .iter()
            .map(|f| form.fields.iter().position(|g| std::ptr::eq(g, *f)).expect("one of its own"))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "questions in file order");
        for field in &asked {
            if let Some(when) = &field.when {
                assert_eq!(answers.get(&when.field), Some(&when.equals));
            }
        }
        if let Some(first) = form.first_unanswered(&answers) {
            assert!(first.required && !answers.contains_key(&first.id));
            assert!(asked.iter().any(|f| std::ptr::eq(*f, first)));
        }
        let _ = form.papers(&answers);

        let mut kept = answers.clone();
        form.keep_asked(&mut kept);
        assert!(kept.keys().all(|id| asked.iter().any(|f| &f.id == id)));
        let mut twice = kept.clone();
        form.keep_asked(&mut twice);
        assert_eq!(twice, kept, "keep_asked twice is keep_asked once");
    }
});
