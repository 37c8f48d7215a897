//! Benchmark: search latency per keystroke over a synthetic catalogue the size of Hanoi's (2,089 procedures).
//! The synthetic catalogue repeats the real procedures of assets/catalogue/procedures.toml with made-up
//! variations of their names and codes (clearly not real procedures: only their size and wording matter here);
//! the queries are typed one character at a time, and each prefix is searched as the screen would. Prints
//! percentiles; asserts nothing about time.

use std::time::{Duration, Instant};

use kiosk_core::catalogue::{self, Catalogue};
use kiosk_core::search::Index;

const QUERIES: &[&str] = &[
    "chung thuc chu ky",
    "lương hưu",
    "đăng ký khai sinh",
    "dang ky tam tru",
    "giấy xác nhận tình trạng hôn nhân",
    "ho khau",
    "khai tu",
    "ban sao giay khai sinh",
    "tro cap nguoi cao tuoi",
    "ủy quyền",
    "ket hon",
    "1.001193",
];

const VARIATIONS: &[&str] = &[
    "đối với người nước ngoài",
    "trường hợp đặc biệt",
    "cho người khuyết tật",
    "tại địa bàn xã",
    "liên thông điện tử",
    "cấp lại do mất",
    "điều chỉnh thông tin",
    "cho trẻ em dưới 6 tuổi",
];

fn synthetic(real: &Catalogue, size: usize) -> Catalogue {
    let mut procedures = Vec::with_capacity(size);
    for i in 0..size {
        let mut p = real.procedures[i % real.procedures.len()].clone();
        if i >= real.procedures.len() {
            let variation = VARIATIONS[(i / real.procedures.len()) % VARIATIONS.len()];
            p.id = format!("{}-synthetic-{i}", p.id);
            p.code = format!("{}.{:06}", 1 + i % 3, 900_000 + i);
            p.name_vi = format!("{} {variation} (mẫu tổng hợp {i})", p.name_vi);
        }
        procedures.push(p);
    }
    Catalogue { schema: real.schema, fields: real.fields.clone(), procedures }
}

fn main() {
    let path = kiosk_tests::workspace_root().join("assets/catalogue/procedures.toml");
    let text = std::fs::read_to_string(&path).expect("the shipped catalogue");
    let real = catalogue::parse(&text).unwrap_or_else(|problems| panic!("catalogue problems: {problems:?}"));
    for size in [real.procedures.len(), 2_089] {
        let catalogue = synthetic(&real, size);
        let started = Instant::now();
        let index = Index::build(&catalogue);
        let built = started.elapsed();
        let mut times: Vec<Duration> = Vec::new();
        for _ in 0..20 {
            for query in QUERIES {
                let mut typed = String::new();
                for c in query.chars() {
                    typed.push(c);
                    let started = Instant::now();
                    let hits = index.search(&typed, 20);
                    times.push(started.elapsed());
                    std::hint::black_box(hits);
                }
            }
        }
        times.sort();
        let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0;
        println!(
            "  {size:>5} procedures (index built in {:.1} ms): per keystroke p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms \
             ({} keystrokes)",
            built.as_secs_f64() * 1000.0,
            at(0.5),
            at(0.99),
            times.last().expect("timed").as_secs_f64() * 1000.0,
            times.len()
        );
    }
}
