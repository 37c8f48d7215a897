//! `kiosk-provision enrol`: makes the kiosk's device key (once, crash-safe) and registers it with the city's
//! portal using the one-time enrolment code the portal's operators issued, then shows the short confirmation
//! code both sides compute from the key, for the technician and the operator to compare over the phone.
//! Each refusal (no code, a wrong, used or expired code, a code for another kiosk, a portal that knows this
//! kiosk with another key, no answer) has its own message and what to do.
//! Must not do: print or log the key, or the code after it is spent.

use std::process::ExitCode;

use base64::Engine as _;
use kiosk_app::portal::{HttpPortal, Portal as _};
use kiosk_core::portal::{self, CodeProblem, EnrolmentVerdict};

use crate::place::{self, Enrolled, Place};
use crate::steps::{Report, Step};

pub fn run(place: &Place, code: Option<&str>, json: bool) -> ExitCode {
    let report = enrol(place, code);
    report.finish(json)
}

pub fn enrol(place: &Place, code: Option<&str>) -> Report {
    let mut report = Report::new("enrol");
    let config = match place.load() {
        Ok(config) => config,
        Err(step) => {
            report.push(step);
            return report;
        }
    };
    report.kiosk_id = Some(config.kiosk.id.clone());
    report.push(Step::pass("config", format!("kiosk {}, portal {}", config.kiosk.id, config.portal.base_url)));
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    if let Some(code) = code {
        if !portal::valid_enrolment_code(code) {
            report.push(Step::fail(
                "code",
                "that is not an enrolment code (6 to 32 letters, digits or dashes)",
                "type the code exactly as the portal's operators gave it, e.g. 7KQ2-M9XD",
            ));
            return report;
        }
    }

    if let Err(error) = crate::place::make_state_dir(&place.state_dir) {
        report.push(Step::fail(
            "device key",
            format!("cannot make the state directory {}: {error}", place.state_dir.display()),
            "run as root, or as the kiosk user",
        ));
        return report;
    }
    let key_path = place.state_dir.join("device.key");
    let existed = key_path.exists();
    let key = match kiosk_app::portal::device_key(&place.state_dir) {
        Ok(key) => key,
        Err(error) => {
            report.push(Step::fail("device key", format!("{error:#}"), "the key file must be private to the kiosk"));
            return report;
        }
    };
    let _ = place::own_like_state_dir(place, &key_path);
    let public = key.verifying_key().to_bytes();
    let confirmation = portal::confirmation_code(&public);
    report.push(Step::pass(
        "device key",
        if existed { "kept the key this kiosk already has" } else { "made a new key (private, mode 600)" },
    ));

    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            report.push(Step::fail("portal", format!("no network runtime: {error}"), "try again"));
            return report;
        }
    };
    let client =
        match HttpPortal::new(&config.portal.base_url, &config.kiosk.id, key.clone(), kiosk_app::clock::unix_now) {
            Ok(client) => client,
            Err(error) => {
                report.push(Step::fail("portal", format!("{error:#}"), "check portal.base_url in the config"));
                return report;
            }
        };
    let enrolment = portal::Enrolment {
        kiosk_id: config.kiosk.id.clone(),
        public_key: base64::engine::general_purpose::STANDARD.encode(public),
        enrolment_code: code.map(str::to_owned),
    };
    let reply = runtime.block_on(client.enrol(&enrolment));
    let id = &config.kiosk.id;
    let step = match portal::enrolment_verdict(reply.status, reply.error_code()) {
        verdict @ (EnrolmentVerdict::Enrolled | EnrolmentVerdict::AlreadyEnrolled) => {
            let theirs = serde_json::from_slice::<portal::EnrolmentReceipt>(&reply.body).ok().map(|r| r.confirmation);
            if theirs.as_deref().is_some_and(|theirs| theirs != confirmation) {
                Step::fail(
                    "portal",
                    format!("the portal answered with confirmation {} for another key", theirs.unwrap_or_default()),
                    "something between the kiosk and the portal changed the request: stop and call the portal's operators",
                )
            } else if verdict == EnrolmentVerdict::AlreadyEnrolled {
                Step::pass("portal", format!("already enrolled with this key; confirmation {confirmation}"))
                    .hint(if code.is_some() { "the code was not needed and is still unused" } else { "" })
            } else {
                Step::pass("portal", format!("enrolled {id}; confirmation {confirmation}"))
            }
        }
        EnrolmentVerdict::KeyMismatch => Step::fail(
            "portal",
            format!("the portal knows {id} with another device key"),
            "ask the portal's operators for an enrolment code for this kiosk id and run `kiosk-provision enrol \
             --code CODE` (the code moves the id to this key); or restore the original device.key from the backup",
        ),
        EnrolmentVerdict::Code(problem) => {
            let (detail, hint) = match problem {
                CodeProblem::Required => (
                    format!("the portal enrols {id} only with a one-time code"),
                    format!("ask the portal's operators for an enrolment code for {id}, then run `kiosk-provision enrol --code CODE`"),
                ),
                CodeProblem::Unknown => (
                    "the portal does not know this code".to_owned(),
                    "check it for typos (letters and digits as given, e.g. 7KQ2-M9XD); if it still fails, ask for a new one".to_owned(),
                ),
                CodeProblem::Used => (
                    "this code was already used (a code is good for one enrolment)".to_owned(),
                    "ask the portal's operators for a new code".to_owned(),
                ),
                CodeProblem::Expired => (
                    "this code has expired".to_owned(),
                    "ask the portal's operators for a new code and use it the same day".to_owned(),
                ),
                CodeProblem::OtherKiosk => (
                    format!("this code was issued for another kiosk id, not {id}"),
                    format!("check [kiosk] id in {} against the id the operators issued the code for", place.config.display()),
                ),
            };
            Step::fail("portal", detail, hint)
        }
        EnrolmentVerdict::NotYet => match (reply.status, &reply.error) {
            (None, error) => Step::fail(
                "portal",
                format!("the portal did not answer: {}", error.as_deref().unwrap_or("no answer")),
                format!(
                    "check the network (cable, Wi-Fi, the service point's firewall) and portal.base_url ({}); \
                     `kiosk-provision self-test` checks the connection",
                    config.portal.base_url
                ),
            ),
            (Some(401), _) => Step::fail(
                "portal",
                format!("the portal refused the request's signature ({})", reply.error_code().unwrap_or("401")),
                "check the kiosk's clock (`kiosk-provision self-test` shows how far it is from the portal's)",
            ),
            (Some(404), _) => Step::fail(
                "portal",
                format!("{} has no kiosk API (HTTP 404)", config.portal.base_url),
                "check portal.base_url: the address the portal's operators gave usually ends in /kiosk-api",
            ),
            (Some(status), _) => Step::fail(
                "portal",
                format!("the portal answered HTTP {status}"),
                "try again in a few minutes; if it goes on, call the portal's operators with this status",
            ),
        },
    };
    let enrolled = step.verdict == crate::steps::Verdict::Pass;
    let mut step = step;
    if step.hint.as_deref() == Some("") {
        step.hint = None;
    }
    report.push(step.figure("confirmation", confirmation.clone()));
    if !enrolled {
        return report;
    }
    let record = Enrolled {
        kiosk_id: id.clone(),
        portal: config.portal.base_url.clone(),
        confirmation: confirmation.clone(),
        at: chrono::Utc::now().timestamp(),
    };
    let path = place.enrolment_record();
    let written = serde_json::to_vec_pretty(&record)
        .map_err(std::io::Error::other)
        .and_then(|bytes| kiosk_app::keyfile::replace(&path, &bytes, 0o600));
    match written {
        Ok(()) => {
            let _ = place::own_like_state_dir(place, &path);
            report.push(Step::pass("record", format!("kept in {}", path.display())));
        }
        Err(error) => {
            report.push(Step::warn(
                "record",
                format!("enrolled, but {} could not be written: {error}", path.display()),
                "the kiosk works; `status` will not show the enrolment date",
            ));
        }
    }
    report.result.insert("confirmation".into(), confirmation.into());
    report
}
