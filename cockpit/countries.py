"""Country names in any common form -> ISO 3166-1 alpha-2, and the UN M49 regions of each country.

The lookup is built from data, not typed by hand: pycountry (ISO 3166 names, alpha-2/alpha-3, official and
common names) and CLDR via Babel (territory names in the languages our customers' exports come in). A handful
of trade abbreviations that no standard lists (RSA, EIRE-as-written, UAE...) are the only hand-written entries.
"""
from __future__ import annotations

import csv
import functools
import re
import unicodedata
from pathlib import Path

import pycountry
from babel import Locale

UNKNOWN = "unknown"

# Locales whose CLDR territory names we accept as input: export files arrive from CRMs in these languages.
_NAME_LOCALES = ("en", "en_GB", "zh", "zh_Hant", "de", "fr", "es", "it", "pt", "nl", "ga", "ja", "ko", "ru", "tr", "pl")

# Abbreviations used in trade and sport that neither ISO nor CLDR carries.
_TRADE_ABBREVIATIONS = {
    "RSA": "ZA", "UAE": "AE", "UK": "GB", "U.K.": "GB", "U.S.": "US", "U.S.A.": "US", "KSA": "SA",
    "ROK": "KR", "PRC": "CN", "HK": "HK", "EIRE": "IE", "HOLLAND": "NL", "ENGLAND": "GB", "SCOTLAND": "GB",
    "WALES": "GB", "NORTHERN IRELAND": "GB", "GREAT BRITAIN": "GB", "中国大陆": "CN", "大陆": "CN",
    "TURKEY": "TR", "MACEDONIA": "MK", "KOREA": "KR", "SOUTH KOREA": "KR", "SWAZILAND": "SZ", "BURMA": "MM",
    "IVORY COAST": "CI", "CAPE VERDE": "CV", "CZECH": "CZ", "南韩": "KR", "阿联酋": "AE", "沙特": "SA", "英国本土": "GB", "台湾省": "TW", "中国台湾": "TW", "中国香港": "HK", "中国澳门": "MO",
}

# Names that are not one country: recognised so the import report can say so, and kept as unknown.
NOT_ONE_COUNTRY = {"unspecified", "european community", "channel islands", "europe", "asia", "africa", "other",
                   "others", "various", "n/a", "na", "none", "unknown", "eu", "world", "未知", "其他"}

_M49_CSV = Path(__file__).parent / "resources" / "un_m49.csv"


def _key(text: str) -> str:
    """Normalise a name for lookup: accents off, case folded, punctuation and 'the' dropped."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\s\.\,\'\"\(\)\-_&/]+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    text = re.sub(r"\band\b", "", text)
    return re.sub(r"\s+", "", text)


@functools.lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    # Lower priority first; later writes win.
    for loc in _NAME_LOCALES:
        for code, name in Locale.parse(loc).territories.items():
            if len(code) == 2 and code.isalpha() and code not in ("EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"):
                table[_key(name)] = code
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                table[_key(value)] = c.alpha_2
        table[_key(c.alpha_3)] = c.alpha_2
        table[_key(c.alpha_2)] = c.alpha_2
    for alias, code in _TRADE_ABBREVIATIONS.items():
        table[_key(alias)] = code
    for bad in NOT_ONE_COUNTRY:
        table.pop(_key(bad), None)
    return table


def to_iso2(value) -> str | None:
    """Return the ISO-2 code for a country written in any common form, or None when it is not one country."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or text.casefold() in NOT_ONE_COUNTRY:
        return None
    return _lookup().get(_key(text))


@functools.lru_cache(maxsize=4)
def country_name(code: str, lang: str = "en") -> str:
    if not code or code == UNKNOWN:
        return "未知" if lang == "zh" else "Unknown"
    locale = Locale.parse("zh" if lang == "zh" else "en")
    return locale.territories.get(code, code)


def country_column(codes, lang: str = "en"):
    """country_name for a whole column, looked up once per distinct code (a 100,000-row list has ~50 countries)."""
    names = {c: country_name(c, lang) for c in codes.dropna().unique()}
    return codes.map(names)


def country_names(lang: str) -> dict[str, str]:
    locale = Locale.parse("zh" if lang == "zh" else "en")
    return {c.alpha_2: locale.territories.get(c.alpha_2, c.name) for c in pycountry.countries}


def region_name(m49_code: str, lang: str = "en") -> str:
    locale = Locale.parse("zh" if lang == "zh" else "en")
    return locale.territories.get(m49_code, m49_code)


@functools.lru_cache(maxsize=1)
def country_regions() -> list[dict]:
    """One row per ISO-2 country: UN M49 region and sub-region codes with English and Chinese names."""
    rows = []
    with open(_M49_CSV, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            c = pycountry.countries.get(alpha_3=r["iso3"])
            if c is None:
                continue
            sub = r["intermediate_code"] or r["subregion_code"]
            rows.append({
                "country_code": c.alpha_2,
                "country_iso3": r["iso3"],
                "country_name_en": country_name(c.alpha_2, "en"),
                "country_name_zh": country_name(c.alpha_2, "zh"),
                "region_code": r["region_code"] or "",
                "region_name_en": region_name(r["region_code"], "en") if r["region_code"] else "",
                "region_name_zh": region_name(r["region_code"], "zh") if r["region_code"] else "",
                "subregion_code": sub or "",
                "subregion_name_en": region_name(sub, "en") if sub else "",
                "subregion_name_zh": region_name(sub, "zh") if sub else "",
            })
    known = {r["country_code"] for r in rows}
    # Taiwan is not listed in M49; CLDR places it in Eastern Asia (030).
    for code in ("TW", "XK"):
        if code not in known:
            reg, sub = ("142", "030") if code == "TW" else ("150", "039")
            rows.append({"country_code": code, "country_iso3": "TWN" if code == "TW" else "XKX",
                         "country_name_en": country_name(code, "en"), "country_name_zh": country_name(code, "zh"),
                         "region_code": reg, "region_name_en": region_name(reg, "en"),
                         "region_name_zh": region_name(reg, "zh"), "subregion_code": sub,
                         "subregion_name_en": region_name(sub, "en"), "subregion_name_zh": region_name(sub, "zh")})
    return rows
