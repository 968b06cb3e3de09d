"""New part: the attack on the multilingual closings, separators and attributions.

A customer's own words that come after a closing in one of the new languages, or that only
look like the new separators, stay in the new part; the client's own marks still go.
"""

import pytest
from cpu_budget import within_cpu_budget
from newpart_probes import flat, parsed_new_part


def new_part(body: str) -> str:
    return parsed_new_part(body, "<attackml@customer.example>")


# A postscript below the closing and the name: the customer's words, whatever the closing's
# language (an order number ends it, so it reads as no sentence).
POSTSCRIPTS = [
    "Dobrý den,\n\nfaktura nedorazila.\n\nS pozdravem\nJan Novák\nP.S. Číslo objednávky 4711\n",
    "Jó napot,\n\na számla hiányzik.\n\nTisztelettel\nKovács Péter\nP.S. Rendelés 4711\n",
    "Bună ziua,\n\nfactura lipsește.\n\nCu stimă,\nAna Pop\n\nPS. Comanda 4711\n",
    "Hyvää päivää,\n\nlasku puuttuu.\n\nTerveisin\nMatti\nPS: tilaus 4711\n",
    "Hi,\n\nthe invoice is missing.\n\nBest regards\nPeter\nP.P.S. Order 4711 too\n",
]


@pytest.mark.parametrize("body", POSTSCRIPTS)
def test_postscript_below_a_closing_is_kept(body):
    assert "4711" in new_part(body)


# The closing and name alone still go with the signature.
@pytest.mark.parametrize(
    "body",
    [
        "Dobrý den,\n\nfaktura nedorazila.\n\nS pozdravem\nJan Novák\n",
        "Bună ziua,\n\nfactura lipsește.\n\nCu stimă,\nAna Pop\n",
    ],
)
def test_closing_without_postscript_still_cut(body):
    assert new_part(body) == flat(body.split("\n\n")[0] + " " + body.split("\n\n")[1])


# A question below the closing and the name: no signature's name, title or company line
# asks one, even when a number ends it.
QUESTIONS_AFTER_CLOSING = [
    "Dobrý den,\n\nfaktura nedorazila.\n\nS pozdravem\nJan Novák\nKdy přijde objednávka 4711?\n",
    "Hi,\n\nthe invoice is missing.\n\nKind regards\nPeter\nWhen do you ship order 4711?\n",
    "Hei,\n\nlasku puuttuu.\n\nTerveisin\nMatti\nMissä on tilaus 4711?\n",
]


@pytest.mark.parametrize("body", QUESTIONS_AFTER_CLOSING)
def test_question_below_a_closing_is_kept(body):
    assert "4711?" in new_part(body)


# The customer's sentence ends with a number's dot (a version, a parcel, a day) and the next
# line names whose words they quote: the sentence is no attribution wrapped after a date's
# dot (its next line goes on with no month or year), it stays; the quote below goes.
NUMBER_DOT_THEN_QUOTE = [
    (
        "Hi,\n\n2 printers fail since update 5.\nOur admin wrote:\n> the driver is old\n",
        "2 printers fail since update 5.",
    ),
    (
        "Hallo,\n\nAm Montag kam nur Paket 3.\nMaria Huber schrieb:\n> Paket 4 folgt\n",
        "Am Montag kam nur Paket 3.",
    ),
    (
        "Hi,\n\nOn my side all was fine until March 4.\nThen Bob Smith <bob@x.org> wrote:\n"
        "> please upgrade\n",
        "On my side all was fine until March 4.",
    ),
    (
        "Bonjour,\n\nLe serveur tombe depuis la version 12.\nJean Dupont a écrit :\n"
        "> mettez à jour\n",
        "Le serveur tombe depuis la version 12.",
    ),
]


@pytest.mark.parametrize(("body", "sentence"), NUMBER_DOT_THEN_QUOTE)
def test_sentence_ending_with_a_number_dot_is_kept(body, sentence):
    assert sentence in new_part(body)


# A real attribution wrapped after the day's dot still goes, with the quote.
@pytest.mark.parametrize(
    "body",
    [
        "Danke, passt.\n\nMaria Huber <maria@x.org> schrieb am Mi., 4.\nMärz 2026, 10:12:\n"
        "> Termin am Freitag?\n",
        "Dank, prima.\n\nOp wo 4 mrt.\n2026 om 10:12 schreef Jan <jan@x.org>:\n> Vrijdag?\n",
    ],
)
def test_attribution_wrapped_after_a_date_dot_still_cut(body):
    assert new_part(body) == flat(body.split("\n\n")[0])


@pytest.mark.parametrize(
    "body",
    [
        "Danke.\n\nAm 04.\n03.26 um 10:12 schrieb Maria Huber <maria@x.org>:\n> Freitag?\n",
        "Danke.\n\nAm Mi., 4.\nMärz um 10:12 schrieb Maria Huber <maria@x.org>:\n> Freitag?\n",
    ],
)
def test_attribution_wrapped_after_a_day_dot_without_year_still_cut(body):
    assert new_part(body) == "Danke."


# A line below the closing and the name going on with a clause ("and …", "und …") or the
# customer speaking of themself ("my order …"): the customer's, as in a contact block.
CLAUSES_AFTER_CLOSING = [
    "Hello,\n\nthe invoice is missing.\n\nBest regards\nPeter\nand the order is 4711\n",
    "Hallo,\n\ndie Rechnung fehlt.\n\nFreundliche Grüße\nPeter\nund die Bestellung ist 4711\n",
    "Hello,\n\nthe invoice is missing.\n\nTisztelettel\nPéter\nmy order is 4711\n",
]


@pytest.mark.parametrize("body", CLAUSES_AFTER_CLOSING)
def test_clause_below_a_closing_is_kept(body):
    assert "4711" in new_part(body)


# The customer's own text that only looks like the new rules' marks: kept whole.
KEPT_WHOLE = [
    # closing words inside a sentence, as an opening line, as list items
    "Dobrý den,\n\nS pozdravem jsem přijal vaši nabídku, ale faktura chybí.\n",
    "Grüße aus Wien\n\nDie Rechnung 4711 fehlt noch.\n",
    "Szia,\n\n- Tisztelettel\n- Üdvözlettel\nmelyik a jobb a levélben?\n",
    # a colon after a date, a "<" in a formula wrapped at its end
    "Hello,\n\nOn Monday 4. March the server went down:\n\nerror 500 on every page\n",
    "Hi,\n\nthe condition is x <\ny in the code, so it fails.\nPlease check.\n",
    # dialogue and steps set off by smart dashes, rules in the customer's notes
    "Здравствуйте,\n\nоператор сказал:\n— Перезагрузите роутер.\n— Уже перезагружал.\n"
    "Мастер так и не пришёл.\n",
    "Dear support,\n\n—– Step 2 —–\nSelect the invoice\n—– Step 3 —–\nClick save\n",
    "Hi,\n\nplease see:\n*-- Important --*\nthe server is down since Monday\n",
    # a last line "sent" in a new language naming no device or app
    "Merhaba,\n\nsiparişim nerede?\nKargo gönderildi\n",
    "Halo,\n\npesanan saya belum sampai.\nDikirim dari Jakarta\n",
    "Hyvää päivää,\n\ntilaus on myöhässä.\nLähetetty varastosta\n",
    # a device footer inside a sentence with a link glued to it
    "Hi,\n\nthe install went fine.\nSent from my iPhone<https://apple.com> but the app crashed\n",
]


@pytest.mark.parametrize("body", KEPT_WHOLE)
def test_customer_text_like_the_new_marks_is_kept(body):
    assert new_part(body) == flat(body)


# Long mails of the new marks (smart dashes, bold rules, lines wrapped after a date's dot
# or a "<", closings): the parse stays linear.
def _long_mails():
    rows = 20000
    mails = [
        "Hi\n" + "*-- a --*\n—– b —–\nOn 4.\nMärz 2026 Bob <\nbob@x.org\n> wrote:\n\n\n"
        "S pozdravem\nJan\n" * (rows // 10),
        "Hi\n" + "Update 5.\n03.26 um 10:12 schrieb X <\n" * (rows // 2),
        "Hi\n" + ("—" + "— " * 900 + "\n") * 200,
        "Hi\nok\nSent from my iPhone" + " <a" * 600 + "\n",
    ]
    return [len(new_part(mail)) for mail in mails]


def test_long_mails_of_the_new_marks_parse_within_budget():
    assert all(size > 0 for size in within_cpu_budget(_long_mails))


# A line below the closing and the name introducing what follows ("Přílohy:", "Missing
# items:") and its list: the customer's, no signature line ends with a colon.
INTRODUCED_AFTER_CLOSING = [
    "Dobrý den,\n\nfaktura nedorazila.\n\nS pozdravem\nJan\n\nPřílohy:\n- faktura 4711\n",
    "Hello,\n\nthe invoice is missing.\n\nRegards\nJan\n\nMissing items:\n- order 4711\n",
]


@pytest.mark.parametrize("body", INTRODUCED_AFTER_CLOSING)
def test_list_introduced_below_a_closing_is_kept(body):
    assert "4711" in new_part(body)
