//! The procedure catalogue as the portal sends it (`GET /v1/catalogue`, TOML; kiosk-app/core/src/catalogue.rs)
//! and the accent-free search over it (search.rs): the catalogue's text, then, after a NUL byte, queries
//! separated by NUL bytes. Every query is searched in the shipped catalogue, and in the input's catalogue when
//! it parses. Properties: no panic; a catalogue that parses passes its own check; a search returns at most the
//! results asked for, each a procedure of the catalogue with a finite positive score, best first, none twice.
//! Must not do: I/O.
#![no_main]

use std::sync::OnceLock;

use kiosk_core::catalogue::{self, Catalogue};
use kiosk_core::search::Index;
use libfuzzer_sys::fuzz_target;

fn shipped() -> &'static (Catalogue, Index) {
    static SHIPPED: OnceLock<(Catalogue, Index)> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        let catalogue = catalogue::parse(include_str!("../../../assets/catalogue/procedures.toml"))
            .expect("the shipped catalogue parses");
        let index = Index::build(&catalogue);
        (catalogue, index)
    })
}

fn search(catalogue: &Catalogue, index: &Index, query: &str) {
    let limit = 1 + query.len() % 8;
    let hits = index.search(query, limit);
    assert!(hits.len() <= limit);
    for hit in &hits {
        assert!(hit.procedure < catalogue.procedures.len());
        assert!(hit.score.is_finite() && hit.score > 0.0, "{hit:?}");
    }
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score), "best first: {hits:?}");
    let mut seen: Vec<usize> = hits.iter().map(|h| h.procedure).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), hits.len(), "a procedure found twice");
}

fuzz_target!(|bytes: &[u8]| {
    let mut parts = bytes.split(|b| *b == 0);
    let text = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let queries: Vec<String> = parts.take(8).map(|q| String::from_utf8_lossy(q).into_owned()).collect();
    let (shipped_catalogue, shipped_index) = shipped();
    search(shipped_catalogue, shipped_index, &text);
    for query in &queries {
        search(shipped_catalogue, shipped_index, query);
    }
    if let Ok(catalogue) = catalogue::parse(&text) {
        assert!(catalogue::check(&catalogue).is_empty());
        let index = Index::build(&catalogue);
        for query in &queries {
            search(&catalogue, &index, query);
        }
    }
});
