//! Search as the resident types: no accents needed ("chung thuc chu ky" finds "Chứng thực chữ ký"; đ folds to d,
//! which neither Unicode decomposition nor SQLite's FTS5 does by itself; "hoà" and "hòa" are the same word), the
//! last word matched as a prefix (it is still being typed), everyday words reaching the formal name through each
//! procedure's keywords ("lương hưu" finds the signature certification for a pension authorisation).
//!
//! Ranking: an inverted index of folded words; each query word scores its best match in a procedure by where the
//! word is (name 3, keywords 2, summary and field 1, who handles it 0.5) times its rarity (IDF); the sum is scaled
//! by the share of meaningful query words matched, squared, and a procedure whose name or keyword holds the whole
//! query as a phrase gets a bonus. A national code typed whole finds its procedure first. English searches the
//! English name and each procedure's English everyday words (`keywords_en`) the same way.
//!
//! Variants: a procedure whose name carries a qualifier (mobile "lưu động", "lại" again, "liên thông" in one go,
//! with recognition of a parent, a translator's, foreign, extending, removing, replacing, ending) is a special case
//! of a plainer one; unless the query asks for that qualifier it ranks below the plain procedure ("birth
//! certificate" finds "Registering a birth", "mobile birth registration" the mobile one).
//! Must not do: I/O; allocate per procedure per keystroke beyond one score array.

use unicode_normalization::UnicodeNormalization as _;

use crate::catalogue::Catalogue;

/// Lower case, accents and tone marks removed, đ as d; anything not a letter or digit becomes a space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        match c {
            '\u{0300}'..='\u{036f}' => {}
            'đ' | 'Đ' => out.push('d'),
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            '.' => out.push('.'), // codes such as 1.001193
            _ => out.push(' '),
        }
    }
    // "ký" and "kí", "lý" and "lí", "mỹ" and "mĩ" are both correct spellings: a final y straight after a
    // consonant is read as i. (After a vowel it stays: "tuy", "quy", "hay".)
    let bytes = out.as_bytes();
    let mut folded = String::with_capacity(out.len());
    for (i, c) in out.char_indices() {
        let ends_word = bytes.get(i + 1).is_none_or(|b| !b.is_ascii_alphanumeric());
        let after_consonant = i > 0 && bytes[i - 1].is_ascii_alphabetic() && !b"aeiouy".contains(&bytes[i - 1]);
        folded.push(if c == 'y' && ends_word && after_consonant { 'i' } else { c });
    }
    folded
}

/// Folded, with single spaces between words.
fn normalised(text: &str) -> String {
    fold(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split([' ', '.']).filter(|w| !w.is_empty())
}

/// Words residents add that say nothing about which procedure ("làm", "thủ tục", "cho tôi", "ở đâu").
const FILLER: &[&str] = &[
    "lam", "thu", "tuc", "cho", "toi", "minh", "can", "muon", "o", "dau", "the", "nao", "de", "va", "cua", "ve", "gi",
    "xin", "hoi", "a", "oi", "nhu", "bao", "nhieu", "tien", "mat", "phai", "co", "khong", "duoc", "nguoi", "con",
    // English
    "the", "an", "for", "my", "of", "to", "i", "how", "get", "need", "want", "where", "is", "please", "me", "and",
];

/// Qualifiers that make a procedure a special case of a plainer one: the words that mark one in a name (folded,
/// Vietnamese and English), and the words or phrases in a query that ask for it.
const QUALIFIERS: &[(&[&str], &[&str])] = &[
    // mobile registration, away from the office (at the home)
    (&["luu dong", "mobile"], &["luu dong", "mobile", "tai nha", "den nha", "at home", "home", "away"]),
    // registering again ("đăng ký lại")
    (&["dang ki lai", "again"], &["lai", "again", "re"]),
    // several procedures in one go ("liên thông")
    (
        &["lien thong", "in one go"],
        &[
            "lien thong",
            "one go",
            "together",
            "combined",
            "bhyt",
            "bao hiem y te",
            "health insurance",
            "tu tuat",
            "benefits",
        ],
    ),
    // a birth registered together with recognising a parent
    (
        &["ket hop nhan cha", "together with recognising"],
        &["nhan cha", "nhan me", "nhan con", "father", "mother", "recognise", "recognize", "recognition", "paternity"],
    ),
    // a translator's signature
    (&["nguoi dich", "translator"], &["dich", "ban dich", "translator", "translation", "translated", "translate"]),
    // with a foreign element
    (&["nuoc ngoai", "foreign"], &["nuoc ngoai", "foreign", "foreigner", "abroad"]),
    // extending
    (&["gia han", "extending"], &["gia han", "het han", "keo dai", "extend", "extending", "extension", "renew"]),
    // removing a registration
    (&["xoa dang ki", "removing"], &["xoa", "huy", "cat", "remove", "removing", "cancel", "deregister", "delete"]),
    // replacing a certificate
    (&["doi cap lai", "replacing"], &["doi", "cap lai", "mat", "replace", "replacing", "lost", "renew"]),
    // ending
    (&["cham dut", "ending"], &["cham dut", "thoi", "ket thuc", "end", "ending", "stop"]),
];

/// How much a variant's score keeps when the query does not ask for its qualifier.
const UNASKED_QUALIFIER: f32 = 0.35;

/// Whether `phrase` (folded words) is in `text` (folded words, each side padded with a space) as whole words.
fn has_phrase(padded: &str, phrase: &str) -> bool {
    padded.contains(&format!(" {phrase} "))
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    weight: f32,
}

#[derive(Debug)]
struct Doc {
    /// The Vietnamese and the English name, folded.
    names: [String; 2],
    keywords: Vec<String>,
    code: String,
    /// The [`QUALIFIERS`] its name carries, by position.
    qualifiers: Vec<usize>,
}

/// The search index over a catalogue (build once; it borrows nothing).
#[derive(Debug)]
pub struct Index {
    /// Folded words, sorted (exact lookup and prefix ranges by binary search), each with its postings and IDF.
    vocabulary: Vec<(String, Vec<Posting>, f32)>,
    docs: Vec<Doc>,
}

/// A result: the procedure's position in the catalogue, and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub procedure: usize,
    pub score: f32,
}

impl Index {
    pub fn build(catalogue: &Catalogue) -> Index {
        let mut map: std::collections::HashMap<String, Vec<Posting>> = std::collections::HashMap::new();
        let mut docs = Vec::with_capacity(catalogue.procedures.len());
        for (n, p) in catalogue.procedures.iter().enumerate() {
            let field = catalogue.fields.iter().find(|f| f.id == p.field);
            let mut add = |text: &str, weight: f32| {
                for word in words(&fold(text)) {
                    let postings = map.entry(word.to_owned()).or_default();
                    match postings.last_mut() {
                        Some(last) if last.doc == n as u32 => last.weight = last.weight.max(weight),
                        _ => postings.push(Posting { doc: n as u32, weight }),
                    }
                }
            };
            add(&p.name_vi, 3.0);
            add(&p.name_en, 3.0);
            add(&p.code, 3.0);
            for keyword in p.keywords.iter().chain(&p.keywords_en) {
                add(keyword, 2.0);
            }
            add(&p.summary_vi, 1.0);
            add(&p.summary_en, 1.0);
            if let Some(field) = field {
                add(&field.name_vi, 1.0);
                add(&field.name_en, 1.0);
            }
            add(&p.handled_by_vi, 0.5);
            let names = format!(" {} {} ", normalised(&p.name_vi), normalised(&p.name_en));
            docs.push(Doc {
                names: [normalised(&p.name_vi), normalised(&p.name_en)],
                keywords: p.keywords.iter().chain(&p.keywords_en).map(|k| normalised(k)).collect(),
                code: p.code.clone(),
                qualifiers: QUALIFIERS
                    .iter()
                    .enumerate()
                    .filter(|(_, (marks, _))| marks.iter().any(|m| has_phrase(&names, m)))
                    .map(|(n, _)| n)
                    .collect(),
            });
        }
        let total = docs.len().max(1) as f32;
        let mut vocabulary: Vec<(String, Vec<Posting>, f32)> = map
            .into_iter()
            .map(|(word, postings)| {
                let idf = (1.0 + total / postings.len() as f32).ln();
                (word, postings, idf)
            })
            .collect();
        vocabulary.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Index { vocabulary, docs }
    }

    /// The vocabulary entries equal to `word`, or (for a word still being typed) starting with it.
    fn matches(&self, word: &str, prefix: bool) -> &[(String, Vec<Posting>, f32)] {
        let start = self.vocabulary.partition_point(|(w, _, _)| w.as_str() < word);
        let end = if prefix {
            start + self.vocabulary[start..].partition_point(|(w, _, _)| w.starts_with(word))
        } else {
            start + usize::from(self.vocabulary.get(start).is_some_and(|(w, _, _)| w == word))
        };
        &self.vocabulary[start..end]
    }

    /// The best `limit` procedures for what the resident has typed so far, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let folded = fold(query);
        let typing = !query.ends_with(char::is_whitespace);
        let mut query_words: Vec<&str> = words(&folded).collect();
        let last = query_words.len().saturating_sub(1);
        if query_words.is_empty() {
            return Vec::new();
        }
        let mut scores = vec![0f32; self.docs.len()];
        let mut best = vec![0f32; self.docs.len()];
        let mut matched = vec![0u8; self.docs.len()];
        let mut meaningful = 0u32;
        query_words.dedup();
        for (i, word) in query_words.iter().enumerate() {
            let prefix = i == last && typing;
            let mut entries = self.matches(word, prefix);
            if entries.is_empty() && !prefix && word.len() >= 3 {
                entries = self.matches(word, true); // a word cut short mid-query
            }
            let filler = FILLER.contains(word);
            if entries.is_empty() {
                meaningful += u32::from(!filler);
                continue;
            }
            meaningful += 1;
            best.iter_mut().for_each(|b| *b = 0.0);
            for (_, postings, idf) in entries {
                for posting in postings {
                    let value = posting.weight * idf;
                    let slot = &mut best[posting.doc as usize];
                    *slot = slot.max(value);
                }
            }
            for ((score, count), b) in scores.iter_mut().zip(matched.iter_mut()).zip(&best) {
                if *b > 0.0 {
                    *score += b;
                    *count = count.saturating_add(1);
                }
            }
        }
        let phrase = query_words.join(" ");
        let padded = format!(" {phrase} ");
        let asked: Vec<bool> = QUALIFIERS.iter().map(|(_, asks)| asks.iter().any(|a| has_phrase(&padded, a))).collect();
        let meaningful = meaningful.max(1) as f32;
        let mut hits: Vec<Hit> = scores
            .iter()
            .enumerate()
            .filter(|(_, s)| **s > 0.0)
            .map(|(n, s)| {
                let coverage = (f32::from(matched[n]) / meaningful).min(1.0);
                let doc = &self.docs[n];
                let mut score = s * coverage * coverage;
                if doc.names.iter().any(|name| name.contains(&phrase)) {
                    score *= 1.5;
                }
                if doc.keywords.contains(&phrase) {
                    score *= 2.2; // exactly what residents call it
                } else if doc.keywords.iter().any(|k| k.contains(&phrase)) {
                    score *= 1.3;
                }
                // The more of the name the query covers, the closer the match ("khai tu" is "Đăng ký khai tử"
                // more than a long joint procedure that mentions it); the better of the two names counts.
                let share = |name: &String| {
                    let name_words: Vec<&str> = name.split(' ').collect();
                    let covered = name_words
                        .iter()
                        .filter(|w| {
                            query_words
                                .iter()
                                .enumerate()
                                .any(|(i, q)| w == &q || (i == last && typing && w.starts_with(q)))
                        })
                        .count();
                    covered as f32 / name_words.len().max(1) as f32
                };
                score *= 1.0 + 0.6 * share(&doc.names[0]).max(share(&doc.names[1]));
                // A variant the query does not ask for ranks below its plain procedure.
                for q in &doc.qualifiers {
                    if !asked[*q] {
                        score *= UNASKED_QUALIFIER;
                    }
                }
                if !doc.code.is_empty() && folded.trim() == doc.code {
                    score += 1_000.0;
                }
                Hit { procedure: n, score }
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.procedure.cmp(&b.procedure)));
        hits.truncate(limit);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Queries residents type (with and without accents, everyday words, half-typed), and the procedure each must
    /// find first in the shipped catalogue.
    const QUALITY: &[(&str, &str)] = &[
        ("chung thuc chu ky", "chung-thuc-chu-ky"),
        ("Chứng thực chữ ký", "chung-thuc-chu-ky"),
        ("chứng thực chữ kí", "chung-thuc-chu-ky"),
        ("lương hưu", "uy-quyen-nhan-luong-huu"),
        ("luong huu", "uy-quyen-nhan-luong-huu"),
        ("ủy quyền", "uy-quyen-nhan-luong-huu"),
        ("uy quyen nhan luong", "uy-quyen-nhan-luong-huu"),
        ("dang ky khai sinh", "dang-ky-khai-sinh"),
        ("đăng ký khai sinh", "dang-ky-khai-sinh"),
        ("khai sinh", "dang-ky-khai-sinh"),
        ("lam giay khai sinh cho con", "dang-ky-khai-sinh"),
        ("giay khai sinh", "dang-ky-khai-sinh"),
        ("khai si", "dang-ky-khai-sinh"),
        ("ket hon", "dang-ky-ket-hon"),
        ("đăng ký kết hôn", "dang-ky-ket-hon"),
        ("giay xac nhan doc than", "xac-nhan-tinh-trang-hon-nhan"),
        ("tình trạng hôn nhân", "xac-nhan-tinh-trang-hon-nhan"),
        ("khai tu", "dang-ky-khai-tu"),
        ("báo tử", "dang-ky-khai-tu"),
        ("ho khau", "dang-ky-thuong-tru"),
        ("nhập hộ khẩu", "dang-ky-thuong-tru"),
        ("thuong tru", "dang-ky-thuong-tru"),
        ("tam tru", "dang-ky-tam-tru"),
        ("dang ky tam tru", "dang-ky-tam-tru"),
        ("thue nha", "dang-ky-tam-tru"),
        ("gia han tam tru", "gia-han-tam-tru"),
        ("tam vang", "khai-bao-tam-vang"),
        ("tach ho", "tach-ho"),
        ("ban sao", "chung-thuc-ban-sao"),
        ("photo cong chung", "chung-thuc-ban-sao"),
        ("ban sao giay khai sinh", "cap-ban-sao-trich-luc-ho-tich"),
        ("trich luc", "cap-ban-sao-trich-luc-ho-tich"),
        ("cai chinh", "thay-doi-cai-chinh-ho-tich"),
        ("doi ten", "thay-doi-cai-chinh-ho-tich"),
        ("di chuc", "chung-thuc-di-chuc"),
        ("hop dong mua ban", "chung-thuc-hop-dong-giao-dich"),
        ("giam ho", "dang-ky-giam-ho"),
        ("nguoi khuyet tat", "xac-dinh-muc-do-khuyet-tat"),
        ("ho ngheo", "cong-nhan-ho-ngheo"),
        ("huu tri xa hoi", "tro-cap-huu-tri-xa-hoi"),
        ("liet si", "tro-cap-tho-cung-liet-si"),
        ("nguoi co cong", "xac-nhan-than-nhan-nguoi-co-cong"),
        ("1.001193", "dang-ky-khai-sinh"),
        ("2.000884", "chung-thuc-chu-ky"),
    ];

    #[test]
    fn residents_queries_find_the_right_procedure_first() {
        let catalogue = crate::catalogue::parse(include_str!("../../../assets/catalogue/procedures.toml"))
            .expect("the shipped catalogue is valid");
        let index = Index::build(&catalogue);
        let mut wrong = Vec::new();
        for (query, expected) in QUALITY {
            let first = index.search(query, 1).first().map(|h| catalogue.procedures[h.procedure].id.as_str());
            if first != Some(*expected) {
                wrong.push(format!("{query:?}: expected {expected}, found {first:?}"));
            }
        }
        assert!(QUALITY.len() >= 30);
        assert!(wrong.is_empty(), "{} of {} queries miss:\n{}", wrong.len(), QUALITY.len(), wrong.join("\n"));
    }

    /// English queries as a new user types them, and the procedure each must find first: the plain procedure,
    /// unless the query asks for a variant's qualifier (mobile, again, in one go, extending, removing…).
    const ENGLISH: &[(&str, &str)] = &[
        ("birth certificate", "dang-ky-khai-sinh"),
        ("register a birth", "dang-ky-khai-sinh"),
        ("birth registration", "dang-ky-khai-sinh"),
        ("new baby", "dang-ky-khai-sinh"),
        ("marriage", "dang-ky-ket-hon"),
        ("register a marriage", "dang-ky-ket-hon"),
        ("get married", "dang-ky-ket-hon"),
        ("death", "dang-ky-khai-tu"),
        ("register a death", "dang-ky-khai-tu"),
        ("certify signature", "chung-thuc-chu-ky"),
        ("certify my signature", "chung-thuc-chu-ky"),
        ("copy certified", "chung-thuc-ban-sao"),
        ("certified copy", "chung-thuc-ban-sao"),
        ("temporary residence", "dang-ky-tam-tru"),
        ("permanent residence", "dang-ky-thuong-tru"),
        ("pension", "uy-quyen-nhan-luong-huu"),
        ("disability allowance", "tro-cap-xa-hoi-hang-thang"),
        ("disability certificate", "xac-dinh-muc-do-khuyet-tat"),
        ("guardian", "dang-ky-giam-ho"),
        ("single status", "xac-nhan-tinh-trang-hon-nhan"),
        ("poor household", "cong-nhan-ho-ngheo"),
        // The variant, when the query asks for it.
        ("mobile birth registration", "dang-ky-khai-sinh-luu-dong"),
        ("register a birth at home", "dang-ky-khai-sinh-luu-dong"),
        ("mobile marriage registration", "dang-ky-ket-hon-luu-dong"),
        ("register a death again", "dang-ky-lai-khai-tu"),
        ("extend temporary residence", "gia-han-tam-tru"),
        ("remove permanent residence", "xoa-dang-ky-thuong-tru"),
        ("end guardianship", "cham-dut-giam-ho"),
        ("translator signature", "chung-thuc-chu-ky-nguoi-dich"),
        ("social pension", "tro-cap-huu-tri-xa-hoi"),
        // Vietnamese variants the same way.
        ("khai sinh luu dong", "dang-ky-khai-sinh-luu-dong"),
        ("dang ky lai khai sinh", "dang-ky-lai-khai-sinh"),
        ("ket hon", "dang-ky-ket-hon"),
        ("dang ky khai tu", "dang-ky-khai-tu"),
    ];

    #[test]
    fn english_finds_the_plain_procedure_first_and_a_variant_only_when_asked() {
        let catalogue = crate::catalogue::parse(include_str!("../../../assets/catalogue/procedures.toml"))
            .expect("the shipped catalogue is valid");
        let index = Index::build(&catalogue);
        let mut wrong = Vec::new();
        for (query, expected) in ENGLISH {
            let top: Vec<&str> =
                index.search(query, 3).iter().map(|h| catalogue.procedures[h.procedure].id.as_str()).collect();
            if top.first() != Some(expected) {
                wrong.push(format!("{query:?}: expected {expected} first, found {top:?}"));
            }
        }
        assert!(wrong.is_empty(), "{} of {} queries miss:\n{}", wrong.len(), ENGLISH.len(), wrong.join("\n"));
        // Every procedure a resident can search has an English name and English everyday words that find it.
        for p in &catalogue.procedures {
            assert!(!p.name_en.trim().is_empty() && !p.keywords_en.is_empty(), "{}", p.id);
            let found: Vec<usize> = index.search(&p.keywords_en[0], 10).iter().map(|h| h.procedure).collect();
            assert!(
                found.iter().any(|n| catalogue.procedures[*n].id == p.id),
                "{}: its English words {:?} do not find it",
                p.id,
                p.keywords_en[0]
            );
        }
    }

    #[test]
    fn folding_removes_marks_and_turns_d_stroke_into_d() {
        assert_eq!(fold("Chứng thực chữ ký"), "chung thuc chu ki");
        assert_eq!(fold("Đăng ký khai sinh"), "dang ki khai sinh");
        assert_eq!(fold("hoà"), fold("hòa"));
        assert_eq!(fold("Hoà"), "hoa");
        // NFD input (a Telex engine's) folds the same as NFC.
        assert_eq!(fold("Vie\u{0323}\u{0302}t"), "viet");
        assert_eq!(fold("1.001193"), "1.001193");
        assert_eq!(fold("chữ ký"), fold("chữ kí"));
        assert_eq!(fold("Mỹ Đình"), "mi dinh");
        assert_eq!(fold("tuy quy hay"), "tuy quy hay", "a y after a vowel stays");
    }
}
