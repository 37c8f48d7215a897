//! A stand-in eSCL (AirScan) scanner on loopback, for testing the SANE driver through sane-airscan the way a
//! network scanner, or a USB one behind ipp-usb, is reached. It answers the calls sane-airscan makes
//! (capabilities, status, a scan job, its pages, deleting the job) and scans a page with dark text-like lines
//! in the colour mode asked for. Not a full eSCL implementation: one platen, PNG pages, one job at a time.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;

const CAPABILITIES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
  <pwg:Version>2.63</pwg:Version>
  <pwg:MakeAndModel>Kiosk Test eSCL</pwg:MakeAndModel>
  <pwg:SerialNumber>KIOSK-0001</pwg:SerialNumber>
  <scan:Platen>
    <scan:PlatenInputCaps>
      <scan:MinWidth>16</scan:MinWidth>
      <scan:MaxWidth>2550</scan:MaxWidth>
      <scan:MinHeight>16</scan:MinHeight>
      <scan:MaxHeight>3508</scan:MaxHeight>
      <scan:MaxScanRegions>1</scan:MaxScanRegions>
      <scan:SettingProfiles>
        <scan:SettingProfile>
          <scan:ColorModes>
            <scan:ColorMode>Grayscale8</scan:ColorMode>
            <scan:ColorMode>RGB24</scan:ColorMode>
          </scan:ColorModes>
          <scan:DocumentFormats>
            <pwg:DocumentFormat>image/png</pwg:DocumentFormat>
            <scan:DocumentFormatExt>image/png</scan:DocumentFormatExt>
          </scan:DocumentFormats>
          <scan:SupportedResolutions>
            <scan:DiscreteResolutions>
              <scan:DiscreteResolution><scan:XResolution>75</scan:XResolution><scan:YResolution>75</scan:YResolution></scan:DiscreteResolution>
              <scan:DiscreteResolution><scan:XResolution>150</scan:XResolution><scan:YResolution>150</scan:YResolution></scan:DiscreteResolution>
              <scan:DiscreteResolution><scan:XResolution>300</scan:XResolution><scan:YResolution>300</scan:YResolution></scan:DiscreteResolution>
            </scan:DiscreteResolutions>
          </scan:SupportedResolutions>
        </scan:SettingProfile>
      </scan:SettingProfiles>
      <scan:SupportedIntents>
        <scan:Intent>Document</scan:Intent>
        <scan:Intent>Photo</scan:Intent>
      </scan:SupportedIntents>
    </scan:PlatenInputCaps>
  </scan:Platen>
</scan:ScannerCapabilities>
"#;

const STATUS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
  <pwg:Version>2.63</pwg:Version>
  <pwg:State>Idle</pwg:State>
</scan:ScannerStatus>
"#;

#[derive(Default)]
struct Job {
    /// The job's settings as the scanner received them.
    settings: String,
    pages_left: u32,
}

#[derive(Default)]
pub struct Escl {
    job: Mutex<Job>,
    /// Every request line seen, for tests.
    pub log: Mutex<Vec<String>>,
}

/// A running stand-in scanner.
pub struct Running {
    pub address: SocketAddr,
    pub escl: Arc<Escl>,
    _runtime: tokio::runtime::Runtime,
}

impl Running {
    /// The URL sane-airscan's configuration names.
    pub fn url(&self) -> String {
        format!("http://{}/eSCL", self.address)
    }
}

pub fn spawn() -> anyhow::Result<Running> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let address = listener.local_addr()?;
    let escl = Arc::new(Escl::default());
    let app = Router::new()
        .route("/eSCL/ScannerCapabilities", get(|| async { xml(CAPABILITIES) }))
        .route("/eSCL/ScannerStatus", get(|| async { xml(STATUS) }))
        .route("/eSCL/ScanJobs", post(start_job))
        .route("/eSCL/ScanJobs/1/NextDocument", get(next_document))
        .route("/eSCL/ScanJobs/1", delete(|| async { StatusCode::OK }))
        .with_state(escl.clone());
    runtime.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Running { address, escl, _runtime: runtime })
}

fn xml(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/xml")], body).into_response()
}

async fn start_job(State(escl): State<Arc<Escl>>, body: Bytes) -> Response {
    let settings = String::from_utf8_lossy(&body).into_owned();
    escl.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(format!("POST ScanJobs {settings}"));
    *escl.job.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Job { settings, pages_left: 1 };
    (StatusCode::CREATED, [(header::LOCATION, "/eSCL/ScanJobs/1")]).into_response()
}

async fn next_document(State(escl): State<Arc<Escl>>) -> Response {
    let settings = {
        let mut job = escl.job.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if job.pages_left == 0 {
            return StatusCode::NOT_FOUND.into_response();
        }
        job.pages_left -= 1;
        job.settings.clone()
    };
    let colour = settings.contains("RGB24");
    let resolution = ["300", "150", "75"]
        .into_iter()
        .find(|r| settings.contains(&format!("<scan:XResolution>{r}</scan:XResolution>")))
        .and_then(|r| r.parse::<u32>().ok())
        .unwrap_or(75);
    // A 100 x 140 mm page with dark text-like lines.
    let (width, height) = ((100 * resolution / 25) as usize, (140 * resolution / 25) as usize);
    let channels = if colour { 3 } else { 1 };
    let mut pixels = vec![245u8; width * height * channels];
    for line in 0..12 {
        let top = height / 10 + line * height / 16;
        for y in top..(top + height / 60).min(height) {
            for x in width / 10..width * 9 / 10 {
                if (x / 9) % 6 != 0 {
                    for c in 0..channels {
                        pixels[(y * width + x) * channels + c] = if c == 2 { 90 } else { 25 };
                    }
                }
            }
        }
    }
    let mut png_bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png_bytes, width as u32, height as u32);
        encoder.set_color(if colour { png::ColorType::Rgb } else { png::ColorType::Grayscale });
        encoder.set_depth(png::BitDepth::Eight);
        let written = encoder.write_header().and_then(|mut writer| writer.write_image_data(&pixels));
        if written.is_err() {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    ([(header::CONTENT_TYPE, "image/png")], png_bytes).into_response()
}
