//! The technician's verbs (`setup`, `enrol`, `self-test`, `status`, `diagnostics`) report as a list of steps,
//! each with a verdict, what was found and, when it is not a pass, a hint saying what to do: as text for a person
//! (✓ ! ✗ –, coloured only on a terminal) or as JSON with `--json` (field names stable for scripts).
//! Must not do: decide verdicts (each verb does) or exit the process.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    /// Works, but something should be looked at (a simulated device, a clock a minute off, disk filling up).
    Warn,
    Fail,
    /// Not checked (the kiosk has no such device, or an earlier step failed).
    Skip,
}

/// One checked thing.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Stable name for scripts: "printer", "portal", "disk", ...
    pub check: String,
    pub verdict: Verdict,
    /// What was found, in one line.
    pub detail: String,
    /// What to do about it (absent on a pass).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// How long the check took.
    pub millis: u64,
    /// Figures a script may want (page size, clock skew, free bytes...).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub figures: serde_json::Map<String, serde_json::Value>,
}

impl Step {
    pub fn new(check: &str, verdict: Verdict, detail: impl Into<String>) -> Step {
        Step {
            check: check.to_owned(),
            verdict,
            detail: detail.into(),
            hint: None,
            millis: 0,
            figures: serde_json::Map::new(),
        }
    }

    pub fn pass(check: &str, detail: impl Into<String>) -> Step {
        Step::new(check, Verdict::Pass, detail)
    }

    pub fn fail(check: &str, detail: impl Into<String>, hint: impl Into<String>) -> Step {
        Step::new(check, Verdict::Fail, detail).hint(hint)
    }

    pub fn warn(check: &str, detail: impl Into<String>, hint: impl Into<String>) -> Step {
        Step::new(check, Verdict::Warn, detail).hint(hint)
    }

    pub fn skip(check: &str, detail: impl Into<String>) -> Step {
        Step::new(check, Verdict::Skip, detail)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Step {
        self.hint = Some(hint.into());
        self
    }

    pub fn figure(mut self, name: &str, value: impl Into<serde_json::Value>) -> Step {
        self.figures.insert(name.to_owned(), value.into());
        self
    }

    /// Runs `check`, timing it.
    pub fn timed(check: impl FnOnce() -> Step) -> Step {
        let started = std::time::Instant::now();
        let mut step = check();
        step.millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        step
    }
}

/// A verb's whole answer.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub verb: String,
    pub kiosk_id: Option<String>,
    pub version: String,
    /// Unix seconds.
    pub at: i64,
    pub steps: Vec<Step>,
    /// The verb's own result for scripts (the confirmation code, the archive's path...).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub result: serde_json::Map<String, serde_json::Value>,
    /// Overall: pass, warn (passed with warnings) or fail.
    pub outcome: Verdict,
}

impl Report {
    pub fn new(verb: &str) -> Report {
        Report {
            verb: verb.to_owned(),
            kiosk_id: None,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            at: chrono::Utc::now().timestamp(),
            steps: Vec::new(),
            result: serde_json::Map::new(),
            outcome: Verdict::Pass,
        }
    }

    pub fn push(&mut self, step: Step) -> Verdict {
        let verdict = step.verdict;
        self.steps.push(step);
        self.outcome = outcome(&self.steps);
        verdict
    }

    pub fn failed(&self) -> bool {
        self.outcome == Verdict::Fail
    }

    /// The report as a person reads it: one line a step, its hint under it, then the outcome.
    pub fn text(&self, colour: bool) -> String {
        let paint = |verdict: Verdict, text: &str| -> String {
            if !colour {
                return text.to_owned();
            }
            let code = match verdict {
                Verdict::Pass => "32",
                Verdict::Warn => "33",
                Verdict::Fail => "31",
                Verdict::Skip => "2",
            };
            format!("\x1b[{code}m{text}\x1b[0m")
        };
        let mut out = String::new();
        let width = self.steps.iter().map(|s| s.check.chars().count()).max().unwrap_or(0);
        for step in &self.steps {
            let mark = paint(step.verdict, mark(step.verdict));
            let time =
                if step.millis >= 100 { format!(" ({:.1} s)", step.millis as f64 / 1000.0) } else { String::new() };
            out.push_str(&format!("{mark} {:<width$}  {}{time}\n", step.check, step.detail));
            if let Some(hint) = &step.hint {
                out.push_str(&format!("  {:<width$}  → {hint}\n", ""));
            }
        }
        let (fails, warns) = (self.count(Verdict::Fail), self.count(Verdict::Warn));
        let summary = match self.outcome {
            Verdict::Fail => format!("{}: FAILED ({fails} failed, {warns} to look at)", self.verb),
            Verdict::Warn => format!("{}: passed with {warns} to look at", self.verb),
            _ => format!("{}: passed", self.verb),
        };
        out.push_str(&paint(self.outcome, &summary));
        out.push('\n');
        out
    }

    fn count(&self, verdict: Verdict) -> usize {
        self.steps.iter().filter(|s| s.verdict == verdict).count()
    }

    /// Writes the report to standard output (JSON or text) and gives the exit status: 0 passed (warnings
    /// included), 1 a check failed. A closed standard output ends quietly.
    pub fn finish(&self, json: bool) -> ExitCode {
        let text = if json {
            serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
        } else {
            self.text(std::io::stdout().is_terminal())
        };
        let written = crate::out::emit(&text);
        if self.failed() {
            ExitCode::from(1)
        } else {
            written
        }
    }
}

pub fn mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "✓",
        Verdict::Warn => "!",
        Verdict::Fail => "✗",
        Verdict::Skip => "–",
    }
}

fn outcome(steps: &[Step]) -> Verdict {
    if steps.iter().any(|s| s.verdict == Verdict::Fail) {
        Verdict::Fail
    } else if steps.iter().any(|s| s.verdict == Verdict::Warn) {
        Verdict::Warn
    } else {
        Verdict::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcome_is_the_worst_verdict_and_skips_do_not_fail() {
        let mut report = Report::new("self-test");
        report.push(Step::pass("printer", "ready"));
        report.push(Step::skip("pager", "no transmitter at this kiosk"));
        assert_eq!(report.outcome, Verdict::Pass);
        report.push(Step::warn("clock", "41 s behind the portal", "check NTP"));
        assert_eq!(report.outcome, Verdict::Warn);
        report.push(Step::fail("disk", "120 MiB free", "free space"));
        assert!(report.failed());
        let text = report.text(false);
        assert!(text.contains("✗ disk") && text.contains("→ free space"), "{text}");
        assert!(text.ends_with("self-test: FAILED (1 failed, 1 to look at)\n"), "{text}");
        assert!(!text.contains('\x1b'), "no colour when asked for none");
        assert!(report.text(true).contains("\x1b[31m"));
        let json: serde_json::Value = serde_json::to_value(&report).unwrap_or_default();
        assert_eq!(json["outcome"], "fail");
        assert_eq!(json["steps"][2]["hint"], "check NTP");
        assert!(json["steps"][0].get("hint").is_none());
    }
}
