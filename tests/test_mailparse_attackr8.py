"""Attack on reply8's spread signature (issue 14): the customer's own blocks of names,
contacts and addresses above their closing or listing several people must stay in the new
part; the agent sees only the new part."""

import pytest
from newpart_probes import parsed_reply

ANSWERS = {
    "en": "Hello,\n\nthe delivery of order 4711 arrived damaged, two boxes were crushed.",
    "de": "Hallo,\n\ndie Lieferung der Bestellung 4711 kam beschädigt an, zwei Kartons "
    "waren zerdrückt.",
    "fr": "Bonjour,\n\nla livraison de la commande 4711 est arrivée abîmée, deux cartons écrasés.",
    "es": "Hola,\n\nel pedido 4711 llegó dañado, dos cajas estaban aplastadas.",
    "nl": "Hallo,\n\nde levering van bestelling 4711 kwam beschadigd aan.",
}
QUOTE = "On Mon, May 4, 2026 at 9:12 AM Bob <bob@helpdesk.example> wrote:\n> Where to?\n"


def new_part(body: str) -> str:
    return parsed_reply(
        body, "<attackr8@customer.example>", "Ann Lee <ann@customer.example>", "Re: order"
    ).new_part_text


# The writer's closing and name end the mail; the block above the closing is the message:
# a delivery contact, the people to call, the company's details they were asked for.
BLOCKS_ABOVE_A_CLOSING = [
    ("en", "Order 4711\nCustomer No 88231\n\nJohn Smith\nTel. +44 113 496 0000", "Thanks,\nAnn"),
    ("en", "John Smith\nJane Doe\n\nAcme Corp\nwww.acme.example", "Best regards,\nAnn Lee"),
    (
        "de",
        "Hans Meier\nGeschäftsführer\n\nMeier Druck GmbH\nTel. +49 89 1234567",
        "Viele Grüße\nAnn",
    ),
    (
        "fr",
        "Marie Dubois\nResponsable logistique\n\nEntrepôt Nord\nTél. 03 20 00 00 00",
        "Cordialement,\nAnn Lee",
    ),
    (
        "es",
        "Carlos García\nJefe de almacén\n\nAlmacenes García S.L.\nTel. 91 123 45 67",
        "Saludos\nAnn",
    ),
]


@pytest.mark.parametrize("lang,block,closing", BLOCKS_ABOVE_A_CLOSING)
def test_a_block_above_the_writers_closing_stays(lang, block, closing):
    for layout, body in {
        "new": f"{ANSWERS[lang]}\n\n{block}\n\n{closing}\n",
        "top": f"{ANSWERS[lang]}\n\n{block}\n\n{closing}\n\n{QUOTE}",
    }.items():
        got = new_part(body)
        assert f"{ANSWERS[lang]}\n\n{block}" in got, (layout, got)


# A signature names one person; a block naming several, each with their own line of the
# same shape (name and phone, "Name | Title"), is the customer's list of people to reach,
# of attendees, of the staff they write about.
PEOPLE_LISTED = [
    ("en", "John Smith\nTel. +1 555 010 2030\n\nJane Doe\nTel. +1 555 010 2040"),
    ("de", "Hans Meier\nMobil 0171 1234567\n\nPetra Schulz\nMobil 0171 7654321"),
    ("fr", "Marie Dubois\nTél. 03 20 00 00 01\n\nPaul Martin\nTél. 03 20 00 00 02"),
    ("en", "John Smith | CEO\nJane Doe | CTO\n\nPeter Brown | CFO\nTel. +1 555 010 2030"),
    (
        "es",
        "Carlos García | Almacén\nLucía Pérez | Compras\n\nAlmacenes García S.L.\n"
        "Tel. 91 123 45 67",
    ),
]


@pytest.mark.parametrize("lang,block", PEOPLE_LISTED)
def test_several_people_listed_at_the_end_stay(lang, block):
    for layout, body in {
        "new": f"{ANSWERS[lang]}\n\n{block}\n",
        "top": f"{ANSWERS[lang]}\n\n{block}\n\n{QUOTE}",
    }.items():
        got = new_part(body)
        assert f"{ANSWERS[lang]}\n\n{block}" in got, (layout, got)


# The customer's block naming someone else, then the writer's own signature below it: the
# cut may take the writer's signature, never the other person's block above it.
OTHER_PERSON = [
    (
        "es",
        "Carlos García\nJefe de almacén\n\nAlmacenes García S.L.\nCalle Mayor 5, 28013 Madrid\n"
        "Tel. 91 123 45 67",
    ),
    (
        "nl",
        "Jan de Vries\nInkoper\n\nDe Vries B.V.\nKerkstraat 1, 1017 GA Amsterdam\n"
        "KVK 12345678\nTel. 020 123 4567",
    ),
    (
        "en",
        "John Smith\nWarehouse Manager\n\nAcme Corp\n12 Harbour Road, Leeds LS1 4AB\n"
        "Tel. +44 113 496 0000",
    ),
    (
        "de",
        "Hans Meier\nGeschäftsführer\n\nMeier Druck GmbH\nHRB 12345 Amtsgericht München\n"
        "USt-IdNr. DE123456789",
    ),
    (
        "fr",
        "Marie Dubois\nResponsable logistique\n\nEntrepôt Nord\n3 rue des Lilas, 59000 Lille\n"
        "Tél. 03 20 00 00 00",
    ),
]
WRITER = "Ann Lee\nAcme Corp\n\nTel. +1 555 999 0000\nwww.acme.example"


@pytest.mark.parametrize("lang,block", OTHER_PERSON)
def test_another_persons_block_above_the_writers_signature_stays(lang, block):
    for layout, body in {
        "new": f"{ANSWERS[lang]}\n\n{block}\n\n{WRITER}\n",
        "top": f"{ANSWERS[lang]}\n\n{block}\n\n{WRITER}\n\n{QUOTE}",
    }.items():
        got = new_part(body)
        assert f"{ANSWERS[lang]}\n\n{block}" in got, (layout, got)


# The sentence right above names what the block is (an address, the details asked for,
# the attendees): the block is what it announces, even without a colon. (Main's contact
# block rule may still take its last paragraph of contact lines; the name and title stay.)
ANNOUNCED = [
    "Please send the replacement to this address instead.",
    "You asked for our company details, here they are.",
    "Attendees of tomorrow's meeting",
    "Merci d'envoyer le remplacement à cette adresse.",
    "Voici les coordonnées demandées.",
    "Bitte schicken Sie den Ersatz an diese Adresse.",
    "Hier die gewünschten Firmendaten.",
    "Teilnehmer der Besprechung",
    "Aquí están los datos solicitados.",
    "Por favor envíen el reemplazo a esta dirección.",
    "Ecco i dati richiesti.",
    "Vi prego di spedire la sostituzione a questo indirizzo.",
    "Stuur de vervanging a.u.b. naar dit adres.",
    "Hier zijn de gevraagde bedrijfsgegevens.",
]
NAMED_BLOCK = (
    "Frank Kelly\nWarehouse Manager\n\nKelly Logistics Ltd\n12 Harbour Road, Leeds LS1 4AB\n"
    "Tel. +44 113 496 0000"
)


@pytest.mark.parametrize("intro", ANNOUNCED)
def test_a_block_the_sentence_above_announces_keeps_its_name(intro):
    text = f"{ANSWERS['en']}\n\n{intro}"
    for layout, body in {
        "new": f"{text}\n\n{NAMED_BLOCK}\n",
        "top": f"{text}\n\n{NAMED_BLOCK}\n\n{QUOTE}",
    }.items():
        got = new_part(body)
        assert f"{text}\n\nFrank Kelly\nWarehouse Manager" in got, (layout, got)


# --- list footers -------------------------------------------------------------------------

from email.message import EmailMessage  # noqa: E402

from mailparse.parse import parse_message  # noqa: E402
from newpart_probes import SETTINGS  # noqa: E402

EZMLM = (
    "-" * 40 + "\nTo unsubscribe, e-mail: users-unsubscribe@printers.example.org\n"
    "For additional commands, e-mail: users-help@printers.example.org"
)
# The customer's sentence about the list below its footer: it names the list's word, has no
# link at its end; a list's footer ends on its link, its address, its rule or its marker.
REPORTS_BELOW = [
    "This unsubscribe address bounces, please fix it.",
    "The unsubscribe link above is broken.",
    "Cette adresse de désinscription ne marche pas.",
    "El enlace para darse de baja no funciona.",
]


def html_new_part(markup: str) -> str:
    msg = EmailMessage()
    msg["From"] = "Ann Lee <ann@customer.example>"
    msg["To"] = "support@example.com"
    msg["Subject"] = "Re: list"
    msg["Message-ID"] = "<attackr8-html@customer.example>"
    msg.set_content(f"<html><body>{markup}</body></html>", subtype="html")
    return parse_message(msg.as_bytes(), SETTINGS).new_part_text


@pytest.mark.parametrize("report", REPORTS_BELOW)
def test_a_report_below_a_list_footer_stays(report):
    answer = ANSWERS["en"]
    got = new_part(f"{answer}\n\n{EZMLM}\n\n{report}\n")
    assert report in got, ("plain", got)
    markup = "<p>" + EZMLM.replace("\n", "<br>") + f"</p><p>{report}</p>"
    got = html_new_part(f"<p>{answer.replace(chr(10), '<br>')}</p>{markup}")
    assert report in got, ("html", got)


# Between Yahoo's markers, the customer speaking of themself: their words, not the list's.
@pytest.mark.parametrize(
    "inside",
    [
        "Unsubscribe does not work for me, I tried it twice.",
        "My posted message: the group's unsubscribe link is broken",
        "Ich habe mich abgemeldet und bekomme trotzdem alles.",
    ],
)
def test_the_customer_speaking_between_yahoo_markers_stays(inside):
    tail = f"__._,_.___\n\n{inside}\n\n__,_._,___"
    got = new_part(f"{ANSWERS['en']}\n\n{tail}\n")
    assert inside in got, got
    got = html_new_part(
        f"<p>{ANSWERS['en']}</p><div>__._,_.___</div><div>{inside}</div><div>__,_._,___</div>"
    )
    assert inside in got, ("html", got)


# The company under the writer's name may be two capitalised words without a legal form
# ("Schmidt Verpackungen"); its street under it tells it from a second person.
def test_a_spread_signature_with_a_company_named_like_a_person_is_cut():
    signature = (
        "Anna Schmidt\nVertrieb\n\nSchmidt Verpackungen\nIndustriestraße 4, 70565 Stuttgart\n"
        "Tel. +49 711 123456\nwww.schmidt-verpackungen.example"
    )
    got = new_part(f"{ANSWERS['de']}\n\n{signature}\n")
    assert got.strip() == ANSWERS["de"], got
