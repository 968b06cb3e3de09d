"""New part of multilingual replies and forwards (issue 14): classes of layout the core
missed on another project's fixtures (the fitting half of ``bench/reply_score.py``).

The texts are written here for each class, in the layouts clients and converters produce,
not copied from those fixtures.
"""

import pytest
from mailparse import Settings
from mailparse.newpart import split_reply

SETTINGS = Settings()
ANSWER = "The label printer prints again since this morning, thank you."
OLD = ["Please power the printer off and on again.", "", "Kind regards", "The helpdesk"]


def new_part(lines: list[str]) -> str:
    return split_reply("\n".join(lines), SETTINGS).new_part.strip()


# --- a separator set in bold or italics ---------------------------------------------------
# A client converting HTML to text marks the bold or underlined separator of the quoted
# message ("*-------- Original Message --------*", "_-----Message d'origine-----_"): it
# starts the old message as the bare separator does.
@pytest.mark.parametrize(
    "separator, sender",
    [
        ("*-------- Original Message --------*", "From: Help Desk <help@example.com>"),
        ("**-----Ursprüngliche Nachricht-----**", "Von: Help Desk <help@example.com>"),
        ("_-----Message d'origine-----_", "De : Help Desk <help@example.com>"),
        ("*-------- Doorgestuurd bericht --------*", "Van: Help Desk <help@example.com>"),
    ],
)
def test_separator_in_emphasis_starts_the_old_message(separator, sender):
    assert new_part([ANSWER, "", separator, sender, "", *OLD]) == ANSWER


def test_english_separator_in_emphasis_alone_starts_the_old_message():
    """As the bare "-------- Original Message --------" does, with no header below."""
    assert new_part([ANSWER, "", "*-------- Original Message --------*", "", *OLD]) == ANSWER


def test_emphasised_heading_between_rules_is_kept():
    """A heading of the customer's own, set in bold between rules, names no old message."""
    body = [ANSWER, "", "*------ Steps I tried ------*", "", "1. restarted it", "2. new cable"]
    assert "Steps I tried" in new_part(body)
    assert "new cable" in new_part(body)


# --- an attribution wrapped after a date's dot -------------------------------------------
# Clients wrap a long attribution where the line is full; in languages writing ordinal days
# ("4.") and abbreviated weekdays or months ("Mi.", "mrt.", "févr."), the first line then
# ends with a dot that ends no sentence. The wrapped attribution starts the old message.
@pytest.mark.parametrize(
    "first, second",
    [
        ("Erika Muster <erika@example.de> schrieb am Mi., 4.", "März 2026 um 09:12 Uhr:"),
        ("Am Mi., 4.", "März 2026 um 09:12 Uhr schrieb Erika Muster <erika@example.de>:"),
        ("Op wo 4 mrt.", "2026 om 09:12 schreef Eva Voorbeeld <eva@example.nl>:"),
        ("Le mer. 4 févr.", "2026 à 09:12, Marie Exemple <marie@example.fr> a écrit :"),
    ],
)
def test_attribution_wrapped_after_a_date_dot_is_cut(first, second):
    quoted = ["> Please power the printer off and on again.", "> The helpdesk"]
    assert new_part([ANSWER, "", first, second, "", *quoted]) == ANSWER
    assert new_part([ANSWER, "", first, second, "", *OLD]) == ANSWER


def test_sentence_ending_above_a_colon_line_is_kept():
    """A sentence of the customer's own, then a line introducing a list: no attribution."""
    body = [ANSWER, "", "I wrote to the vendor on 4.", "3. 2026 and they said:", "", "- no stock"]
    assert "no stock" in new_part(body)


# --- an attribution wrapped inside the sender's address ----------------------------------
# A client wrapping at a fixed width without regard to words breaks the attribution inside
# the sender's address: its closing bracket and the verb start the next line ("> wrote:"),
# which reads as a quoted line. Its first line is part of the attribution all the same.
@pytest.mark.parametrize(
    "first, second",
    [
        ("On Mon, 2 Mar 2026 at 08:40 Bob Sample <bob@example.org", "> wrote:"),
        ("Am 02.03.2026 um 08:40 schrieb Bob Sample <bob@example.org", ">:"),
        ("Le 2 mars 2026 à 08:40, Bob Sample <bob@example.org", "> a écrit :"),
        ("El 2 mar 2026, a las 08:40, Bob Sample <bob@example.org", "> escribió:"),
    ],
)
def test_attribution_wrapped_inside_the_address_is_cut(first, second):
    quoted = ["> Please power the printer off and on again.", "> The helpdesk"]
    assert new_part([ANSWER, "", first, second, "", *quoted]) == ANSWER
    assert new_part([ANSWER, "", first, second, *quoted]) == ANSWER


def test_a_quote_of_one_address_line_stays_a_quote():
    """An inline answer below a quoted line that begins with ">" is not an attribution."""
    body = ["About your question:", "> which address should I use", "", "Use help@example.com."]
    assert "Use help@example.com." in new_part(body)


# --- inline answers below an attribution set off by a blank line -------------------------
# Apple Mail and the mobile clients leave a blank line between the attribution and the
# quote. When the customer answers inline, the attribution is the client's, not the
# customer's, blank line or not; the quotes between the answers stay as context.
@pytest.mark.parametrize(
    "attribution",
    [
        'On 2 Mar 2026 8:40 am, "Bob Sample" <bob@example.org> wrote:',
        "Am 02.03.2026 um 08:40 schrieb Bob Sample <bob@example.org>:",
        "Il giorno lun 2 mar 2026 alle ore 08:40 Bob Sample <bob@example.org> ha scritto:",
    ],
)
def test_attribution_above_inline_answers_after_a_blank_line_is_dropped(attribution):
    body = [
        "Hello,",
        "",
        attribution,
        "",
        "> Did you restart the printer?",
        "",
        "Yes, twice.",
        "",
        "> Is the cable new?",
        "",
        "No, I will replace it.",
    ]
    got = new_part(body)
    assert attribution not in got
    assert "> Did you restart the printer?" in got
    assert got.startswith("Hello,") and got.endswith("No, I will replace it.")


# --- an attribution wrapped right after the address's opening bracket ---------------------
# Gmail wraps a long attribution after the "<" of the sender's address ("… Bob Sample <" /
# "bob@example.org> wrote:"); its older dated form has no verb ("2026/3/2 Bob Sample <" /
# "bob@example.org>"). Above a bottom-posted answer or below a top-posted one, it is the
# quote's, not the customer's.
@pytest.mark.parametrize(
    "first, second",
    [
        ("2026/3/2 Bob Sample <", "bob@example.org>"),
        ("2026-03-02 8:40 GMT+01:00 Bob Sample <", "bob@example.org>:"),
        ("Op ma 2 mrt 2026 om 08:40 schreef Bob Sample <", "bob@example.org>:"),
    ],
)
def test_attribution_wrapped_after_the_opening_bracket(first, second):
    quoted = ["> Did you restart the printer?", "> And is the cable new?"]
    assert new_part([first, second, *quoted, "", ANSWER]) == ANSWER
    assert new_part([ANSWER, "", first, second, *quoted]) == ANSWER


# --- a device footer carrying its link ----------------------------------------------------
# Windows' Mail app and others write their footer in HTML with the app's name as a link; as
# plain text the link follows the name, glued ("Sent from Mail<https://…> for Windows").
# It is the device's footer all the same, in every language the core reads footers in.
@pytest.mark.parametrize(
    "footer",
    [
        "Sent from Mail<https://go.example.com/fwlink/?LinkId=1> for Windows",
        "Envoyé de Courrier<https://go.example.com/fwlink/?LinkId=1> pour Windows",
        "Von meinem iPhone<https://apps.example.com/iphone> gesendet",
    ],
)
def test_device_footer_with_a_glued_link_is_cut(footer):
    assert new_part([ANSWER, "", footer]) == ANSWER


def test_sentence_with_a_link_after_sent_from_is_kept():
    line = "Sent from Mail<https://go.example.com/x> but the attachment was missing"
    assert "attachment was missing" in new_part([ANSWER, "", line])


def test_a_sentence_ending_in_a_short_word_above_an_attribution_is_kept():
    """Only a date's dot joins the lines: a sentence ending "down." is the customer's."""
    body = [ANSWER, "", "On Monday the server went down.", "Bob from IT wrote:", "> restart it"]
    assert "On Monday the server went down." in new_part(body)


@pytest.mark.parametrize(
    "first, second",
    [
        ("ma 2. maalisk.", "2026 klo 8.40 Bob Sample (bob@example.org) kirjoitti:"),
        ("Στις Δευ 2", "Μαρ 2026 στις 8:40 π.μ., ο/η Bob Sample <bob@example.org> έγραψε:"),
        ("Dne 2. 3.", "2026 v 8:40 Bob Sample <bob@example.org> napsal(a):"),
    ],
)
def test_attribution_wrapped_after_its_date_in_more_languages(first, second):
    quoted = ["> Please power the printer off and on again.", "> The helpdesk"]
    assert new_part([ANSWER, "", first, second, *quoted]) == ANSWER


# --- Gmail's Hungarian attribution ----------------------------------------------------------
# Gmail in Hungarian names the time in a parenthesis after the verb, with a colon of its own:
# "Bob Sample <bob@…> ezt írta (időpont: 2026. márc. 2., H, 8:40):".
@pytest.mark.parametrize(
    "lines",
    [
        ["Bob Sample <bob@example.org> ezt írta (időpont: 2026. márc. 2., H, 8:40):"],
        ["Bob Sample <bob@example.org> ezt írta (időpont:", "2026. márc. 2., H, 8:40):"],
    ],
)
def test_gmail_hungarian_attribution_is_cut(lines):
    quoted = ["> Please power the printer off and on again.", "> The helpdesk"]
    assert new_part([ANSWER, "", *lines, *quoted]) == ANSWER
    assert new_part([*lines, *quoted, "", ANSWER]) == ANSWER


def test_a_parenthesis_after_wrote_is_still_the_customers():
    body = [ANSWER, "", "Our accountant wrote (ticket: 4711):", "", "the invoice is wrong"]
    assert "the invoice is wrong" in new_part(body)


@pytest.mark.parametrize(
    "separator",
    [
        "*-------- Оригінальне повідомлення --------*",
        "**-----원본 메시지-----**",
        "_-------- הודעה מקורית --------_",
    ],
)
def test_emphasised_separator_in_words_no_list_holds_goes_with_the_header_below(separator):
    """A separator whose words no list holds goes with the header block right below it, as
    it does without the marks."""
    header = [
        "From: Help Desk <help@example.com>",
        "Sent: Monday, March 2, 2026 8:40 AM",
        "To: Bob Sample <bob@example.org>",
        "Subject: label printer",
    ]
    assert new_part([ANSWER, "", separator, *header, "", *OLD]) == ANSWER


# --- Outlook's header block in more languages ---------------------------------------------
# Outlook names the quoted message's fields in the user's language; Lithuanian, Bulgarian,
# Estonian and Catalan blocks were not read as a header, so the whole history stayed.
@pytest.mark.parametrize(
    "block",
    [
        ["Nuo: Pagalba <help@example.com>", "Išsiųsta: 2026 m. kovo 2 d. 8:40", "Kam: Bob"],
        ["От: Помощ <help@example.com>", "Изпратено: 2 март 2026 г. 8:40", "До: Bob", "Относно: x"],
        ["Saatja: Abi <help@example.com>", "Saadetud: 2. märts 2026 8:40", "Adressaat: Bob"],
        ["De: Ajuda <help@example.com>", "Enviat el: 2 de març de 2026 8:40", "Per a: Bob"],
    ],
)
def test_outlook_header_block_in_more_languages_starts_the_old_message(block):
    assert new_part([ANSWER, "", *block, "", *OLD]) == ANSWER


# --- a separator whose hyphens were made dashes ---------------------------------------------
# Smart punctuation (iOS, macOS, Outlook's AutoFormat) turns the separator's "--" into en or
# em dashes: "—– Original Message —–". It starts the old message as the hyphens do.
@pytest.mark.parametrize(
    "separator",
    [
        "—– Original Message —–",
        "–––––Original Message–––––",
        "— Forwarded message —",
        "——— Ursprüngliche Nachricht ———",
    ],
)
def test_separator_in_typographic_dashes_starts_the_old_message(separator):
    header = [
        "From: Help Desk <help@example.com>",
        "Sent: Monday, March 2, 2026 8:40 AM",
        "To: Bob Sample <bob@example.org>",
        "Subject: label printer",
    ]
    assert new_part([ANSWER, "", separator, *header, "", *OLD]) == ANSWER


def test_a_dash_set_heading_of_the_customer_is_kept():
    body = [ANSWER, "", "— Steps I tried —", "", "1. restarted it", "2. new cable"]
    assert "new cable" in new_part(body)


# --- a formal closing in more languages -----------------------------------------------------
# The closing and the name under it are cut as a signature in the languages the core knew
# ("Mit freundlichen Grüßen", "Cordialement", "С уважением"); the same formal closings in
# Czech, Hungarian, Turkish, Greek, Romanian, Ukrainian, Croatian, Finnish, Bulgarian,
# Lithuanian, Estonian, Catalan and Hebrew stayed in the new part above the quote.
@pytest.mark.parametrize(
    "closing",
    [
        "S pozdravem",
        "Üdvözlettel",
        "Saygılarımla",
        "Με εκτίμηση",
        "Cu stimă,",
        "З повагою",
        "Srdačan pozdrav",
        "Terveisin",
        "С уважение",
        "Pagarbiai",
        "Lugupidamisega",
        "Atentament,",
        "בברכה",
    ],
)
def test_formal_closing_in_more_languages_goes_with_the_signature(closing):
    quote = ["Am 02.03.2026 um 08:40 schrieb Help Desk <help@example.com>:", "> Bitte neu starten."]
    assert new_part([ANSWER, "", closing, "Bob Sample", "", *quote]) == ANSWER
    assert new_part([ANSWER, "", closing, "Bob Sample"]) == ANSWER


def test_a_sentence_opening_with_a_closing_word_is_kept():
    body = [ANSWER, "", "Terveisin kaikille, tulostin toimii taas.", "", "Bob Sample"]
    assert "tulostin toimii taas" in new_part(body)


# --- a phone's footer in more languages -----------------------------------------------------
# iOS and Android write "Sent from my iPhone" in the phone's language; in these languages it
# stayed in the new part (and above a quote it hid nothing, but showed as the customer's).
@pytest.mark.parametrize(
    "footer",
    [
        "Odesláno z iPhonu",
        "Στάλθηκε από το iPhone μου",
        "Trimis de pe iPhone-ul meu",
        "Надіслано з iPhone",
        "Poslano s mog iPhonea",
        "Dikirim dari iPhone saya",
        "Enviat des del meu iPhone",
        "Изпратено от моя iPhone",
        "Išsiųsta iš mano iPhone",
        "iPhone-ról küldve",
        "iPhone'umdan gönderildi",
        "Lähetetty iPhonesta",
    ],
)
def test_phone_footer_in_more_languages_is_cut(footer):
    assert new_part([ANSWER, "", footer]) == ANSWER


def test_a_sentence_about_a_phone_in_those_languages_is_kept():
    line = "Poslano s mog iPhonea, ali nije stiglo"
    assert "nije stiglo" in new_part([ANSWER, "", line])
