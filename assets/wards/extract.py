#!/usr/bin/env python3
"""Regenerate hanoi.toml and cccd_province_codes.toml from two PyPI packages.

Plain python3 (3.9+), standard library only. Nothing is installed: the script
reads the downloaded wheels directly (JSON data via zipfile, Python tables via
zipimport).

    pip download vietnam-provinces==2025.10.1 --no-deps -d /tmp/vp
    pip download vn-ident==0.1.0 --no-deps -d /tmp/vi
    python3 assets/wards/extract.py \
        --vietnam-provinces /tmp/vp/vietnam_provinces-2025.10.1-py3-none-any.whl \
        --vn-ident /tmp/vi/vn_ident-0.1.0-py3-none-any.whl

Output goes next to this script unless --out is given. Every check below is a
hard failure: if a new package version changes the data, the script stops
instead of writing a silently different file.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import unicodedata
import zipfile
from pathlib import Path

CHECKED = "2026-11-29"

# Spot checks requested for the kiosk (bare name -> GSO code).
HANOI_SPOT_CHECKS = {
    "Cầu Giấy": "00167",
    "Nghĩa Đô": "00160",
    "Yên Hòa": "00175",
    "Thanh Xuân": "00367",
    "Khương Đình": "00364",
    "Phương Liệt": "00352",
    "Kim Liên": "00226",
    "Bạch Mai": "00277",
    "Yên Sở": "00331",
    "Thanh Liệt": "00646",
    "Hà Đông": "09556",
}

KIND_BY_TYPE = {"phường": ("phuong", "Phường "), "xã": ("xa", "Xã ")}


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def fold(s: str) -> str:
    """Diacritic-folded, lower-case sort key ('Đ' folds to 'd')."""
    s = s.replace("Đ", "D").replace("đ", "d")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return s.lower()


def toml_str(s: str) -> str:
    out = []
    for c in s:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append("\\u%04X" % ord(c))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def import_from_wheel(wheel: Path, module: str):
    sys.path.insert(0, str(wheel))  # zipimport handles pure-Python wheels
    try:
        return importlib.import_module(module)
    finally:
        sys.path.remove(str(wheel))


# --------------------------------------------------------------------------
# Hà Nội wards
# --------------------------------------------------------------------------

def extract_hanoi(wheel: Path) -> tuple[str, list[dict]]:
    with zipfile.ZipFile(wheel) as z:
        nested = json.loads(z.read("vietnam_provinces/data/nested-divisions.json"))
        flat = json.loads(z.read("vietnam_provinces/data/flat-divisions.json"))
    vp = import_from_wheel(wheel, "vietnam_provinces")
    version, data_version = vp.__version__, vp.__data_version__

    assert len(nested) == 34, f"expected 34 provincial units, got {len(nested)}"
    hanoi = [p for p in nested if p["code"] == 1]
    assert len(hanoi) == 1 and hanoi[0]["codename"] == "ha_noi", hanoi
    assert nfc(hanoi[0]["name"]) == "Thành phố Hà Nội", hanoi[0]["name"]

    wards = []
    for w in hanoi[0]["wards"]:
        full = nfc(w["name"])
        kind, prefix = KIND_BY_TYPE[nfc(w["division_type"])]
        assert full.startswith(prefix), (full, w["division_type"])
        bare = full[len(prefix):].strip()
        assert bare and bare == " ".join(bare.split()), repr(full)
        code = int(w["code"])
        assert 0 < code < 100000, code
        wards.append({"code": f"{code:05d}", "full_name": full, "name": bare, "kind": kind})

    # --- checks ---------------------------------------------------------
    n_ph = sum(w["kind"] == "phuong" for w in wards)
    n_xa = sum(w["kind"] == "xa" for w in wards)
    assert (len(wards), n_ph, n_xa) == (126, 51, 75), (len(wards), n_ph, n_xa)
    assert len({w["code"] for w in wards}) == 126, "duplicate GSO code"
    assert len({w["name"] for w in wards}) == 126, "duplicate bare name"
    by_name = {w["name"]: w for w in wards}
    for name, code in HANOI_SPOT_CHECKS.items():
        assert by_name[name]["code"] == code, (name, by_name[name]["code"], code)

    # The package ships the same data three ways; they must agree.
    flat_hn = {f"{int(r['code']):05d}": nfc(r["name"]) for r in flat if r["province_codename"] == "ha_noi"}
    assert flat_hn == {w["code"]: w["full_name"] for w in wards}, "nested vs flat JSON disagree"
    py_hn = {f"{int(w.code):05d}": nfc(w.name) for w in vp.Ward.iter_by_province(vp.ProvinceCode(1))}
    assert py_hn == flat_hn, "JSON vs Python lookup disagree"

    wards.sort(key=lambda w: (fold(w["name"]), w["name"], w["kind"], w["code"]))
    return f"{version}|{data_version}", wards


def write_hanoi(path: Path, versions: str, wards: list[dict]) -> None:
    version, data_version = versions.split("|")
    n_ph = sum(w["kind"] == "phuong" for w in wards)
    n_xa = len(wards) - n_ph
    src = (f"PyPI vietnam-provinces {version} (Nguyễn Hồng Quân), data of {data_version}; "
           f"NQ 1656/NQ-UBTVQH15")
    lines = [
        "# Hà Nội: the 126 commune-level administrative units (51 phường + 75 xã)",
        "# in force from 2025-07-01, after the two-tier reorganisation (no more quận/huyện).",
        "#",
        f"# Source: PyPI package vietnam-provinces {version} by Nguyễn Hồng Quân",
        f"#   (__data_version__ = {data_version}, the author's retrieval date of the",
        "#   General Statistics Office (GSO) code list), file",
        "#   vietnam_provinces/data/nested-divisions.json, province code 1 (Thành phố Hà Nội);",
        "#   cross-checked against flat-divisions.json and the package's Python lookup table.",
        "# Legal basis: Nghị quyết 1656/NQ-UBTVQH15 (16/6/2025) on the reorganisation of",
        "#   commune-level units of Hà Nội.",
        "# Codes are the 5-digit GSO commune codes, zero-padded. All strings NFC.",
        "# Licence: the package is GPL-3.0-or-later (declared in its sdist pyproject.toml;",
        "#   the wheel metadata carries no licence field). The names and codes themselves",
        "#   are the state's public administrative code list.",
        f"# Checked: {CHECKED}. Regenerate with extract.py (see README.md).",
        "# Sorted by bare name with diacritics folded (Đ as D), then by exact name.",
        "# Fields: code = GSO code; name = bare name; full_name = official name with",
        "#   its type word; kind = \"phuong\" | \"xa\".",
        "",
        "[source]",
        f"name = {toml_str(src)}",
        f"checked = {toml_str(CHECKED)}",
        f"count = {len(wards)}",
        f"# {n_ph} phuong + {n_xa} xa",
    ]
    for w in wards:
        lines += [
            "",
            "[[ward]]",
            f"code = {toml_str(w['code'])}",
            f"name = {toml_str(w['name'])}",
            f"full_name = {toml_str(w['full_name'])}",
            f"kind = {toml_str(w['kind'])}",
        ]
    path.write_text(nfc("\n".join(lines) + "\n"), encoding="utf-8")


# --------------------------------------------------------------------------
# Card-number province codes and century/sex digit
# --------------------------------------------------------------------------

def extract_cccd(wheel: Path):
    tables = import_from_wheel(wheel, "vn_ident.tables")
    version = _wheel_version(wheel)
    provinces = [(code, nfc(name)) for code, name in tables.PROVINCES]
    assert len(provinces) == 63, len(provinces)
    assert len({c for c, _ in provinces}) == 63, "duplicate code"
    assert all(len(c) == 3 and c.isdigit() for c, _ in provinces)
    assert [c for c, _ in provinces] == sorted(c for c, _ in provinces)
    d = dict(provinces)
    assert (d["001"], d["002"], d["004"], d["079"], d["096"]) == (
        "Hà Nội", "Hà Giang", "Cao Bằng", "Hồ Chí Minh", "Cà Mau"), d
    assert d["024"] == "Bắc Giang" and "023" not in d

    century = []
    for digit, cent, sex in tables.CENTURY_GENDER:
        assert sex in ("male", "female")
        # same arithmetic as vn_ident.identity.parse_cccd: (century - 1) * 100
        century.append({"digit": int(digit), "sex": sex, "century": cent, "first_year": (cent - 1) * 100})
    assert [c["digit"] for c in century] == list(range(10))
    return version, provinces, century


def _wheel_version(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        for line in z.read(meta).decode("utf-8").splitlines():
            if line.startswith("Version:"):
                return line.split(":", 1)[1].strip()
    raise RuntimeError("no Version in METADATA")


def write_cccd(path: Path, version: str, provinces, century) -> None:
    src = (f"PyPI vn-ident {version} (vn-toolkit contributors, MIT), vn_ident/tables.py; "
           f"TT 07/2016/TT-BCA Phụ lục I / QĐ 124/2004/QĐ-TTg")
    lines = [
        "# Province codes used as the first 3 digits of the 12-digit Vietnamese personal",
        "# identification number (số định danh cá nhân, printed on CCCD / Căn cước cards),",
        "# plus the meaning of the 4th digit (century of birth and sex).",
        "#",
        f"# Source: PyPI package vn-ident {version} (MIT, \"vn-toolkit contributors\"),",
        "#   vn_ident/tables.py: PROVINCES and CENTURY_GENDER. The package's conformance",
        "#   suite (conformance/vn-ident-1.0.0.json in its repository) pins the same rows.",
        "# Legal basis: Nghị định 137/2015/NĐ-CP and Thông tư 07/2016/TT-BCA (Điều 7 for the",
        "#   century/sex digit, Phụ lục I for the province codes). NOTE: the package itself",
        "#   cites Quyết định 124/2004/QĐ-TTg (the GSO administrative code list) for the",
        "#   province codes: card-number province codes are the GSO province codes, so the",
        "#   two coincide. The package says it cross-checked four published tables, one",
        "#   of which misprints Bắc Giang as 023; 024 is used here, as in the package.",
        "#",
        "# These are the 63 provinces that existed before the 2025-07-01 merger into 34",
        "# provincial units. Card numbers are never renumbered, so all 63 codes remain",
        "# valid for parsing existing numbers; the names are the pre-merger province names",
        "# (e.g. 046 Thừa Thiên Huế, 079 Hồ Chí Minh, written without \"TP\" as in the source).",
        "# Codes 001..096 have gaps; a gap is not an assignment.",
        f"# Checked: {CHECKED}. Regenerate with extract.py (see README.md).",
        "",
        "[source]",
        f"name = {toml_str(src)}",
        f"checked = {toml_str(CHECKED)}",
        f"count = {len(provinces)}",
    ]
    for code, name in provinces:
        lines += ["", "[[province]]", f"code = {toml_str(code)}", f"name = {toml_str(name)}"]
    lines += [
        "",
        "# 4th digit of the number: century of birth and sex (vn_ident CENTURY_GENDER).",
        "# digit = the 4th digit (integer 0-9); first_year = first year of that century,",
        "# so birth year = first_year + the 5th-6th digits. century = ordinal century.",
        "# DISCREPANCY: the kiosk brief said 8/9 = 1800s. The source package gives",
        "#   8/9 = thế kỷ 24 (2300-2399), citing TT 07/2016/TT-BCA; the package is",
        "#   followed here (the circular's text was not re-read for this file). The",
        "#   source defines no digit for the 1800s.",
    ]
    for c in century:
        lines += [
            "",
            "[[century]]",
            f"digit = {c['digit']}",
            f"sex = {toml_str(c['sex'])}",
            f"century = {c['century']}",
            f"first_year = {c['first_year']}",
        ]
    path.write_text(nfc("\n".join(lines) + "\n"), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vietnam-provinces", type=Path,
                    default=Path("/tmp/vp/vietnam_provinces-2025.10.1-py3-none-any.whl"))
    ap.add_argument("--vn-ident", type=Path, default=Path("/tmp/vi/vn_ident-0.1.0-py3-none-any.whl"))
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    a = ap.parse_args()

    # Extract and check everything before writing anything.
    versions, wards = extract_hanoi(a.vietnam_provinces)
    version, provinces, century = extract_cccd(a.vn_ident)

    write_hanoi(a.out / "hanoi.toml", versions, wards)
    print(f"hanoi.toml: {len(wards)} wards from vietnam-provinces {versions.replace('|', ', data ')}")
    write_cccd(a.out / "cccd_province_codes.toml", version, provinces, century)
    print(f"cccd_province_codes.toml: {len(provinces)} provinces, {len(century)} century rows "
          f"from vn-ident {version}")

    # Round-trip both files through a real TOML parser when one is available.
    try:
        import tomllib  # Python 3.11+
    except ImportError:
        return
    h = tomllib.loads((a.out / "hanoi.toml").read_text(encoding="utf-8"))
    assert h["source"]["count"] == len(h["ward"]) == 126
    c = tomllib.loads((a.out / "cccd_province_codes.toml").read_text(encoding="utf-8"))
    assert c["source"]["count"] == len(c["province"]) == 63 and len(c["century"]) == 10
    print("both files parse as TOML and their counts match")


if __name__ == "__main__":
    main()
