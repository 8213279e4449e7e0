"""The country a visitor most likely signs from, guessed from the browser's languages."""

from __future__ import annotations

from django_countries import countries

# When the browser names only a language, the country most of its speakers sign from.
LANGUAGE_COUNTRY = {
    "hy": "AM", "fr": "FR", "de": "DE", "es": "ES", "ru": "RU", "it": "IT", "nl": "NL",
    "pl": "PL", "pt": "PT", "uk": "UA", "ka": "GE", "el": "GR", "tr": "TR", "fa": "IR",
    "ar": "", "en": "",
}  # fmt: skip


def country_from_accept_language(header: str) -> str:
    """The first country the browser's languages point to: "fr-CA,fr;q=0.8" gives CA."""
    for item in header.split(","):
        tag = item.split(";")[0].strip().replace("_", "-")
        parts = tag.split("-")
        if len(parts) > 1 and len(parts[-1]) == 2 and parts[-1].upper() in countries:
            return parts[-1].upper()
        if LANGUAGE_COUNTRY.get(parts[0].lower()):
            return LANGUAGE_COUNTRY[parts[0].lower()]
    return ""
