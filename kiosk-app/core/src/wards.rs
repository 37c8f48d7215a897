//! Hanoi's 126 wards and communes (51 phường, 75 xã) since 2025-07-01, for the address questions: the list
//! shipped in assets/wards/hanoi.toml with its source, and an accent-free search over it, so "cau giay",
//! "Cầu Giấy" and "phuong cau giay" all find Phường Cầu Giấy.
//!
//! Must not do: any I/O (the list is built in).

use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Ward {
    /// The GSO administrative code (5 digits).
    pub code: String,
    /// The name without its kind ("Cầu Giấy").
    pub name: String,
    /// "Phường Cầu Giấy", "Xã Sóc Sơn".
    pub full_name: String,
    pub kind: WardKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WardKind {
    Phuong,
    Xa,
}

#[derive(Debug, serde::Deserialize)]
pub struct Source {
    pub name: String,
    pub checked: String,
    pub count: usize,
}

#[derive(Debug, serde::Deserialize)]
pub struct Wards {
    pub source: Source,
    pub ward: Vec<Ward>,
}

impl Wards {
    /// The shipped list (checked whole by a unit test).
    pub fn hanoi() -> &'static Wards {
        static WARDS: OnceLock<Wards> = OnceLock::new();
        WARDS.get_or_init(|| {
            let mut wards: Wards =
                toml::from_str(include_str!("../../../assets/wards/hanoi.toml")).expect("the shipped ward list parses");
            // In Vietnamese dictionary order (Đ after D), the order residents look for a name in.
            wards.ward.sort_by(|a, b| crate::text::vietnamese_order(&a.name, &b.name));
            wards
        })
    }

    pub fn by_code(&self, code: &str) -> Option<&Ward> {
        self.ward.iter().find(|w| w.code == code)
    }

    /// Wards whose name matches what was typed, without accents: every typed word must begin a word of the
    /// name ("cau g" finds Cầu Giấy); "phường"/"xã" narrow to that kind. Names that begin with the typed text
    /// come first, then the list's order (alphabetical). Nothing typed gives the whole list.
    pub fn search(&self, typed: &str) -> Vec<&Ward> {
        let folded = crate::search::fold(typed);
        let mut words: Vec<&str> = folded.split_whitespace().collect();
        let mut kind = None;
        if words.first() == Some(&"phuong") {
            kind = Some(WardKind::Phuong);
            words.remove(0);
        } else if words.first() == Some(&"xa") && words.len() > 1 {
            kind = Some(WardKind::Xa);
            words.remove(0);
        }
        let mut hits: Vec<(bool, &Ward)> = self
            .ward
            .iter()
            .filter(|w| kind.is_none_or(|k| w.kind == k))
            .filter_map(|w| {
                let name = crate::search::fold(&w.name);
                let name_words: Vec<&str> = name.split_whitespace().collect();
                let all = words.iter().all(|typed| name_words.iter().any(|n| n.starts_with(typed)));
                all.then(|| (name.starts_with(&words.join(" ")), w))
            })
            .collect();
        hits.sort_by_key(|(starts, _)| !*starts);
        hits.into_iter().map(|(_, w)| w).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_is_whole() {
        let wards = Wards::hanoi();
        assert_eq!(wards.ward.len(), 126);
        assert_eq!(wards.source.count, 126);
        assert_eq!(wards.ward.iter().filter(|w| w.kind == WardKind::Phuong).count(), 51);
        assert_eq!(wards.ward.iter().filter(|w| w.kind == WardKind::Xa).count(), 75);
        let mut codes: Vec<&str> = wards.ward.iter().map(|w| w.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 126, "codes are unique");
        for (code, name) in [("00167", "Cầu Giấy"), ("00175", "Yên Hòa"), ("09556", "Hà Đông"), ("00277", "Bạch Mai")]
        {
            assert_eq!(wards.by_code(code).map(|w| w.name.as_str()), Some(name));
        }
        assert!(wards.ward.iter().all(|w| crate::text::is_nfc(&w.full_name) && w.full_name.ends_with(&w.name)));
    }

    #[test]
    fn the_list_is_in_vietnamese_order() {
        let names: Vec<&str> = Wards::hanoi().ward.iter().map(|w| w.name.as_str()).collect();
        let position = |name: &str| names.iter().position(|n| *n == name).expect(name);
        // Đ after every D, before E; tones after the base letters.
        let last_d = names.iter().rposition(|n| n.starts_with('D')).expect("a D");
        let first_dd = names.iter().position(|n| n.starts_with('Đ')).expect("a Đ");
        assert!(last_d < first_dd, "{names:?}");
        assert!(names.iter().skip(first_dd).all(|n| !n.starts_with('D')), "{names:?}");
        assert!(position("Hà Đông") < position("Hai Bà Trưng"), "{names:?}");
        assert!(names.windows(2).all(|w| crate::text::vietnamese_order(w[0], w[1]).is_le()));
        assert_eq!(Wards::hanoi().search("").len(), 126);
    }

    #[test]
    fn found_without_accents() {
        let wards = Wards::hanoi();
        let first = |typed: &str| wards.search(typed).first().map(|w| w.full_name.clone());
        assert_eq!(first("cau giay").as_deref(), Some("Phường Cầu Giấy"));
        assert_eq!(first("Cầu Giấy").as_deref(), Some("Phường Cầu Giấy"));
        assert_eq!(first("phuong cau g").as_deref(), Some("Phường Cầu Giấy"));
        assert_eq!(first("ha dong").as_deref(), Some("Phường Hà Đông"));
        assert_eq!(first("yen hoa").as_deref(), Some("Phường Yên Hòa"));
        assert_eq!(first("yen hoà").as_deref(), Some("Phường Yên Hòa"), "either tone style");
        assert_eq!(first("soc son").as_deref(), Some("Xã Sóc Sơn"));
        assert!(wards.search("xa ba").iter().all(|w| w.kind == WardKind::Xa));
        assert_eq!(wards.search("").len(), 126);
        assert!(wards.search("khong co phuong nay").is_empty());
    }
}
