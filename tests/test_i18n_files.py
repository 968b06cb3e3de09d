"""The translation files of every addon are well formed and complete, without Odoo.

Each addon's ``i18n/<addon>.pot`` parses, and its ``fr.po`` and ``de.po`` have the same
terms, each translated (not empty, not fuzzy), with the same placeholders and HTML tags
as the English. The Odoo test ``helpdesk_mail_ticket/tests/test_i18n.py`` checks the
.pot against what Odoo exports and says how to regenerate the files.
"""

import re
from collections import Counter
from pathlib import Path

import pytest

polib = pytest.importorskip("polib", reason="polib (a dependency of Odoo) is not installed")

ROOT = Path(__file__).resolve().parent.parent
ADDONS = sorted(path.parent.name for path in ROOT.glob("*/__manifest__.py"))
LANGUAGES = {"fr": "nplurals=2; plural=(n > 1);", "de": "nplurals=2; plural=(n != 1);"}
# %(name)s, %s, %r, %d... and {name}; a lone "%" is not a placeholder.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifrxX]|%[sdifrxX%]|\{[\w.]*\}")
TAG = re.compile(r"</?[a-zA-Z][\w-]*(?:\s[^<>]*)?/?>")
# References Odoo writes: code:addons/<addon>/..., model:..., model_terms:...
REFERENCE = re.compile(r"^(?:code:addons/[\w/.-]+|(?:model|model_terms):[\w.]+,\w+:[\w.-]+)$")


def pot_path(addon):
    return ROOT / addon / "i18n" / f"{addon}.pot"


def translated_addons():
    return [addon for addon in ADDONS if pot_path(addon).exists()]


def entries(path):
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete]


def markers(text):
    return Counter(PLACEHOLDER.findall(text)) + Counter(TAG.findall(text))


def test_every_addon_is_translated():
    """The parametrized tests below cover the addons that have a .pot: every one has."""
    assert "helpdesk_mail_ticket" in translated_addons()
    untranslated = sorted(set(ADDONS) - set(translated_addons()))
    assert not untranslated, f"addons without an i18n/<addon>.pot: {untranslated}"


@pytest.mark.parametrize("addon", translated_addons())
def test_pot_is_clean(addon):
    text = pot_path(addon).read_text(encoding="utf-8")
    pot = polib.pofile(text)
    msgids = [entry.msgid for entry in pot]
    assert msgids, "empty .pot"
    assert len(msgids) == len(set(msgids)), "duplicate msgids"
    assert all(not entry.msgstr for entry in pot), "a .pot holds no translation"
    assert pot.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    bad = {name for entry in pot for name, _line in entry.occurrences if not REFERENCE.match(name)}
    assert not bad, f"references that are not Odoo's (a machine path?): {sorted(bad)}"
    for machine_path in ("/work/", "/opt/", "/home/", "/root/", "/tmp/"):
        assert machine_path not in text


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
@pytest.mark.parametrize("addon", translated_addons())
def test_po_matches_pot_and_is_complete(addon, lang):
    path = ROOT / addon / "i18n" / f"{lang}.po"
    po = polib.pofile(str(path))
    assert po.metadata["Language"] == lang
    assert po.metadata["Plural-Forms"] == LANGUAGES[lang]
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    translations = entries(path)
    msgids = [entry.msgid for entry in translations]
    assert len(msgids) == len(set(msgids)), "duplicate msgids"
    pot_msgids = {entry.msgid for entry in entries(pot_path(addon))}
    assert set(msgids) == pot_msgids, (
        f"{path.name} is not merged with the .pot: missing {sorted(pot_msgids - set(msgids))}, "
        f"stale {sorted(set(msgids) - pot_msgids)}"
    )
    empty = [entry.msgid for entry in translations if not entry.msgstr.strip()]
    assert not empty, f"untranslated in {path.name}: {empty}"
    fuzzy = [entry.msgid for entry in translations if "fuzzy" in entry.flags]
    assert not fuzzy, f"fuzzy in {path.name}: {fuzzy}"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
@pytest.mark.parametrize("addon", translated_addons())
def test_placeholders_and_tags_are_kept(addon, lang):
    path = ROOT / addon / "i18n" / f"{lang}.po"
    changed = {
        entry.msgid: entry.msgstr
        for entry in entries(path)
        if entry.msgstr and markers(entry.msgid) != markers(entry.msgstr)
    }
    assert not changed, f"placeholders or tags differ in {path.name}: {changed}"


def test_markers_are_recognised():
    assert markers("Inbox %(name)s %(verb)s: %s <b class='x'>%d</b> {count}") == Counter(
        ["%(name)s", "%(verb)s", "%s", "%d", "{count}", "<b class='x'>", "</b>"]
    )
    assert markers("a contact %(name)s <%(email)s>, 100% sure") == Counter(
        ["%(name)s", "%(email)s"]
    )
