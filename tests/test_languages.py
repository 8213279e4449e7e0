"""Interface languages: negotiation, the switcher, and complete, compiled catalogues."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

LOCALE_DIR = Path(settings.BASE_DIR) / "undersigned" / "locale"
LANGUAGES = [
    ("en", "English"), ("hy", "Հայերեն"), ("fr", "Français"), ("ru", "Русский"), ("es", "Español"),
]  # fmt: skip
TRANSLATED = ["hy", "fr", "ru", "es"]

# One string from the layout and one from the petition page, as each language says them.
SKIP_LINK = {
    "hy": "Անցնել հիմնական բովանդակությանը",
    "fr": "Aller au contenu principal",
    "ru": "Перейти к основному содержанию",
    "es": "Saltar al contenido principal",
}
SIGN_HEADING = {
    "hy": "Ստորագրել այս խնդրագիրը",
    "fr": "Signer cette pétition",
    "ru": "Подписать эту петицию",
    "es": "Firma esta petición",
}


@pytest.fixture(autouse=True)
def _languages(settings):
    # The languages the site offers; test_settings_offer_the_five_languages checks settings.py.
    settings.LANGUAGES = LANGUAGES


def set_language_url() -> str:
    return reverse("set_language")


# --- negotiation ------------------------------------------------------------------------


def test_settings_offer_the_five_languages():
    from importlib import import_module

    codes = [code for code, _ in import_module("undersigned.settings").LANGUAGES]
    assert codes == [code for code, _ in LANGUAGES]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_home_page_follows_accept_language(client, db, lang):
    response = client.get(reverse("petitions:home"), HTTP_ACCEPT_LANGUAGE=f"{lang},en;q=0.5")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html
    assert SKIP_LINK[lang] in html
    assert response["Content-Language"] == lang


@pytest.mark.parametrize("lang", TRANSLATED)
def test_petition_page_follows_accept_language(client, petition, lang):
    response = client.get(petition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=lang)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html
    assert SIGN_HEADING[lang] in html
    assert petition.title in html  # the petition's own text is not machine-translated


def test_unknown_language_falls_back_to_english(client, petition):
    response = client.get(petition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Sign this petition" in html


def test_regional_variants_pick_the_language(client, db):
    response = client.get(reverse("petitions:home"), HTTP_ACCEPT_LANGUAGE="es-AR,es;q=0.9")
    assert '<html lang="es">' in response.content.decode()


@pytest.mark.parametrize("lang", ["fr", "ru", "es"])
def test_numbers_are_grouped_the_local_way(client, organizer, moderator, lang):
    from support import make_petition

    petition = make_petition(organizer, moderator, goal=25000)
    html = client.get(petition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert "25\xa0000" in html  # "25 000" with a no-break space, not "25,000"
    assert "25,000" not in html


def test_armenian_numbers_are_grouped(client, organizer, moderator):
    from support import make_petition

    petition = make_petition(organizer, moderator, goal=25000)
    html = client.get(petition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="hy").content.decode()
    assert "25\xa0000" in html


@pytest.mark.parametrize(
    ("lang", "subject", "greeting"),
    [
        ("hy", "Հաստատեք Ձեր ստորագրությունը՝", "Շնորհակալություն"),
        ("fr", "Confirmez votre signature :", "Merci d’avoir signé"),
        ("ru", "Подтвердите подпись:", "Спасибо, что подписали"),
        ("es", "Confirma tu firma:", "Gracias por firmar"),
    ],
)
def test_confirmation_mail_is_in_the_signers_language(
    client, petition, run_tasks, lang, subject, greeting
):
    from django.core import mail
    from support import SIGNER

    response = client.post(
        reverse("signatures:sign", args=[petition.pk]), SIGNER, HTTP_ACCEPT_LANGUAGE=lang
    )
    assert response.status_code == 303
    run_tasks()
    message = mail.outbox[-1]
    assert message.subject.startswith(subject)
    assert greeting in message.body
    html = message.alternatives[0][0] if message.alternatives else ""
    assert greeting in html


# --- the switcher -----------------------------------------------------------------------


def test_switcher_lists_every_language_by_its_own_name(rf):
    set_language_url()
    request = rf.get("/petitions/?q=library")
    html = render_to_string("_language_switcher.html", request=request)
    for code, name in LANGUAGES:
        assert f'value="{code}" lang="{code}"' in html
        assert name in html
    assert 'name="next" value="/petitions/?q=library"' in html
    assert '<label for="language-select">' in html
    assert 'type="submit"' in html  # works without JavaScript
    assert "csrfmiddlewaretoken" not in html  # public pages are cached: no per-visitor token


def test_set_language_switches_without_a_csrf_token(petition):
    url = set_language_url()
    client = Client(enforce_csrf_checks=True)
    target = petition.get_absolute_url()
    response = client.post(url, {"language": "fr", "next": target}, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302
    assert response["Location"] == target
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    html = client.get(target, HTTP_ACCEPT_LANGUAGE="ru").content.decode()  # the choice wins
    assert '<html lang="fr">' in html
    assert SIGN_HEADING["fr"] in html


def test_set_language_refuses_cross_site_posts(db):
    url = set_language_url()
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"language": "fr"}, HTTP_ORIGIN="https://elsewhere.example")
    assert response.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


def test_set_language_does_not_redirect_off_site(db):
    url = set_language_url()
    response = Client().post(url, {"language": "es", "next": "https://elsewhere.example/"})
    assert response.status_code == 302
    assert "elsewhere.example" not in response["Location"]


# --- the catalogues ---------------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr[n], flags."""
    entries: list[dict] = []
    entry: dict = {"flags": set(), "msgstr": {}}
    field = None

    def finish():
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {"flags": set(), "msgstr": {}}

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            finish()
            field = None
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, int):
                entry["msgstr"][field] += value
            else:
                entry[field] += value
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
                field = int(match.group(1))
                entry["msgstr"][field] = value
            elif keyword == "msgstr":
                field = 0
                entry["msgstr"][0] = value
            else:
                field = keyword
                entry[field] = value
    finish()
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_complete(lang):
    entries = read_po(LOCALE_DIR / lang / "LC_MESSAGES" / "django.po")
    messages = [e for e in entries if e["msgid"]]
    assert len(messages) > 500
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in messages if not all(e["msgstr"].values())]
    assert fuzzy == []
    assert empty == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_placeholders_and_markup(lang):
    for e in read_po(LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"):
        if not e["msgid"] or "msgid_plural" in e:
            continue
        msgstr, msgid = e["msgstr"][0], e["msgid"]
        assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid)), msgstr
        assert re.findall(r"</?\w+", msgstr) == re.findall(r"</?\w+", e["msgid"]), msgstr


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalogue_matches_the_po(lang):
    """The .mo files are committed, so installs need no gettext: they must not be stale."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for e in read_po(folder / "django.po"):
        if not e["msgid"]:
            continue
        msgid = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            for n, form in e["msgstr"].items():
                assert compiled._catalog.get((msgid, n)) == form, f"recompile: {e['msgid']!r}"
        else:
            assert compiled._catalog.get(msgid) == e["msgstr"][0], f"recompile: {e['msgid']!r}"
