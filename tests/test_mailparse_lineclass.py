"""The learned new-part line classifier (mailparse.lineclass) and its training script."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mailparse import Settings
from mailparse.errors import SettingsError
from mailparse.lineclass import LABELS, MODEL_PATH, Model, line_features, load_model
from mailparse.newpart import split_reply

ROOT = Path(__file__).resolve().parent.parent
# A few Quagga mails of the shared corpus' fitting half, stored with their licence
# (tests/data/quagga_hpi): the training script's smoke run needs no shared corpus.
CORPUS = ROOT / "tests" / "data"
FULL = Settings(line_model="full")

GERMAN_OUTLOOK = """Hallo Herr Meier,

der Drucker im 3. Stock druckt seit heute Morgen nicht mehr.
Können Sie bitte jemanden vorbeischicken?

Danke und viele Grüße
Anna Schmidt

Von: Support <support@example.com>
Gesendet: Dienstag, 3. März 2026 10:00
An: Anna Schmidt <anna@example.de>
Betreff: AW: Drucker

Guten Tag Frau Schmidt,
wir haben Ihr Ticket erhalten.
"""

SIGNED = """Hi team,

The VPN drops every 10 minutes since this morning, on both laptops.
Could you have a look?

--
John Smith
IT Manager, Example Corp
Phone: +1 555 123 4567
"""

FRENCH_QUOTE = """Bonjour,

Le serveur de fichiers est de nouveau inaccessible depuis 9h.

Merci d'avance,
Claire

Le mar. 3 mars 2026 à 10:00, Support <support@example.com> a écrit :
> Bonjour Claire,
> le serveur a été redémarré.
"""


def test_shipped_model_is_well_formed():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert tuple(data["labels"]) == LABELS
    assert "bias" in data["weights"]
    assert all(
        len(values) == len(LABELS) and all(isinstance(v, float | int) for v in values)
        for values in data["weights"].values()
    )
    # The features inference produces are the ones the weights name.
    produced = {f for fs in line_features(GERMAN_OUTLOOK.split("\n")) for f in fs}
    assert len(produced & set(data["weights"])) > len(produced) / 2
    # Cross-validated on the lines inference reads (the history far below the cut left out).
    assert 0.8 < data["meta"]["cv"]["line_accuracy"] <= 1
    assert isinstance(load_model(), Model)


def test_damaged_model_file_means_no_model(tmp_path):
    broken = tmp_path / "model.json"
    broken.write_text('{"labels": ["new", "old"], "weights": {}}', encoding="utf-8")
    assert load_model(str(broken)) is None
    assert load_model(str(tmp_path / "missing.json")) is None


def _labelled(text: str) -> list[tuple[str, str]]:
    lines = text.split("\n")
    return list(zip(load_model().label_lines(lines), lines, strict=True))


def test_german_outlook_header_block_and_what_follows_are_old():
    labelled = _labelled(GERMAN_OUTLOOK)
    first_old = next(i for i, (label, line) in enumerate(labelled) if label == "old" and line)
    assert labelled[first_old][1].startswith("Von: Support")
    assert all(label == "old" for label, _ in labelled[first_old:])
    assert all(label == "new" for label, _ in labelled[:4])  # greeting and request


def test_french_attribution_and_quote_are_old_the_closing_is_new():
    labelled = dict((line, label) for label, line in _labelled(FRENCH_QUOTE))
    assert labelled["Le serveur de fichiers est de nouveau inaccessible depuis 9h."] == "new"
    assert labelled["Claire"] == "new"  # a closing, as Quagga annotates it
    assert labelled[FRENCH_QUOTE.split("\n")[7]] == "old"  # "Le mar. … a écrit :"
    assert labelled["> Bonjour Claire,"] == "old"


def test_contact_block_after_the_text_is_the_signature():
    labelled = dict((line, label) for label, line in _labelled(SIGNED))
    assert labelled["Could you have a look?"] == "new"
    assert labelled["IT Manager, Example Corp"] == "sig"
    assert labelled["Phone: +1 555 123 4567"] == "sig"


def test_full_mode_split_cuts_quote_and_signature():
    split = split_reply(GERMAN_OUTLOOK, FULL)
    assert split.new_part.endswith("Können Sie bitte jemanden vorbeischicken?")
    assert "Von:" not in split.new_part and "Ticket" not in split.new_part
    assert split.signature.splitlines()[-1] == "Anna Schmidt"
    assert GERMAN_OUTLOOK[split.quote_offset :].lstrip().startswith("Von: Support")


def test_full_mode_keeps_the_delimiter_out_of_the_new_part():
    split = split_reply(SIGNED, FULL)
    assert split.new_part.endswith("Could you have a look?"), split.new_part
    assert split.signature.startswith("--")


def test_full_mode_itop_pattern_stays_an_override():
    # The admin's delimiter cuts above where the classifier would.
    settings = FULL.replace(multiline_delimiter_patterns=("/\\RThe VPN drops/",))
    assert split_reply(SIGNED, settings).new_part == "Hi team,"


def test_line_model_setting_from_itop():
    assert Settings.from_itop({"line_model": "full"}).line_model == "full"
    assert Settings.from_itop({"line_model": ""}).line_model == ""
    assert Settings().line_model == ""  # opt-in
    with pytest.raises(SettingsError):
        Settings.from_itop({"line_model": "maybe"})


def test_training_script_runs_end_to_end_on_a_subset(tmp_path):
    pytest.importorskip("numpy")
    out = tmp_path / "model.json"
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "train_newpart.py"),
            "--corpus",
            str(CORPUS),
            "--limit",
            "24",
            "--folds",
            "2",
            "--steps",
            "150",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "2-fold CV: line accuracy 0." in run.stdout, run.stdout
    model = load_model(str(out))
    assert isinstance(model, Model)
    assert 0 < model.meta["mails"] <= 24  # the sample's own fitting half, at most --limit
    assert set(model.label_lines(SIGNED.split("\n"))) <= set(LABELS)
