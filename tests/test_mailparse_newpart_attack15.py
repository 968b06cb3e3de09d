"""New part: what the clause-word and described-writer rules of issue 14 must not keep.

A device footer holds the footer's own grammar (a possessive: French "ma", "Envoyé de ma
tablette") and a device's model letter ("Moto E", "Galaxy Tab E"); words that are clause
words elsewhere ("ma" is Italian "but", "e" Italian "and") but written as the footer writes
them, not as a clause. A client's attribution names the sender as their display name reads,
capitalised after the date, even when that name opens with an article or a possessive ("The
Support Team", "Der Kundenservice", "Le Service Client"): a helpdesk's own sender names look
like that, and the whole quoted history below it was kept.
"""

import pytest
from test_mailparse_newpart_humans import new_part, words

ANSWER = "The printer works again, thanks."
QUOTE_LINE = "On Tue, Mar 3, 2026 at 10:00 AM Ann Lee <ann@x.example> wrote:"
FOOTERS = [
    "Envoyé de ma tablette",
    "Envoyé de ma tablette Samsung",
    "Sent from my Moto E",
    "Sent from my Galaxy Tab E",
    "Enviado desde mi Moto E",
    "Sent from my LG G6 on the AT&T network",  # "AT" is Danish "that"
]


@pytest.mark.parametrize("footer", FOOTERS)
def test_device_footer_last_line_is_cut(footer):
    assert new_part(f"{ANSWER}\n\n{footer}\n") == ANSWER


@pytest.mark.parametrize("footer", FOOTERS)
def test_device_footer_separates_unmarked_history(footer):
    body = (
        f"{ANSWER}\n\n{footer}\n\nFrom: Ann Lee\nDate: 3 March 2026\nTo: Tom\n"
        "Subject: ticket 42\n\nHello, restart it.\n"
    )
    assert new_part(body) == ANSWER


CLIENT_ATTRIBUTIONS = [
    "On 3/3/26 10:00 AM, The Support Team wrote:",
    "On 3/3/26 10:00 AM, Your IT Helpdesk wrote:",
    "Am 03.03.26 um 10:00 schrieb Der Kundenservice:",
    "Le 03/03/2026 à 10:00, Le Service Client a écrit :",
    "El 03/03/2026 a las 10:00, Su Equipo de Soporte escribió:",
    "Il 03/03/2026 10:00, Il Team di Supporto ha scritto:",
    "Op 03-03-2026 om 10:00 schreef Het Servicedesk Team:",
    # names whose first word is an article or a possessive elsewhere
    "On 3/3/26 10:00 AM, Le Minh wrote:",
    "El 03/03/2026 a las 10:00, El Mehdi Benali escribió:",
    "On 3/3/26 10:00 AM, Ma Long wrote:",
]


@pytest.mark.parametrize("attribution", CLIENT_ATTRIBUTIONS)
def test_client_attribution_with_article_name_starts_old_message(attribution):
    body = (
        f"{ANSWER}\n\n{attribution}\n\nHello Tom,\nplease restart the printer and tell us.\n\n"
        "Best regards\nAnn\n"
    )
    assert words(new_part(body)) == ANSWER


@pytest.mark.parametrize(
    "citing",
    [
        "Am 03.03.2026 schrieb Ihr Kollege:",  # German formal "Ihr", capitalised by grammar
        # formal possessives letters capitalise: Dutch "Uw", Russian "Ваш", Polish "Wasz"
        "Op 03-03-2026 schreef Uw collega:",
        "03.03.2026 написал Ваш коллега:",
        "Dnia 03.03.2026 napisał Wasz konsultant:",
        "On 03.03.2026, the support team wrote:",
        "Le 03/03/2026, votre collègue a écrit :",
    ],
)
def test_customer_citing_a_described_writer_is_kept(citing):
    body = f"Hello,\n\n{citing}\nrestart the printer.\n\nIt still does not print.\n"
    assert "It still does not print." in new_part(body)
    assert "restart the printer." in new_part(body)


# A customer's own words naming fields of a form ("To", "Cc", "Subject" alone on lines)
# below a sentence holding a date and an address: no Notes table, whose sender line is the
# sender alone (a Notes name, a mailbox) with the date below it.
CUSTOMER_FIELD_LISTS = [
    "Hello,\n\nThe app shows these fields on 03/03/2026 for user tom@y.example:\n\nTo\nCc\n"
    "Subject\n\nbut the Send button stays grey. What can I do?\n",
    "Hallo,\n\nseit dem 03.03.2026 zeigt das Formular für anna@y.example nur noch:\nAn\n"
    "Kopie\nBetreff\nDer Rest fehlt. Was kann ich tun?\n",
    "Bonjour,\n\nle 03/03/2026, le formulaire envoyé par jean@y.example affiche\nÀ\nObjet\n"
    "et plus rien. Que faire ?\n",
]


@pytest.mark.parametrize("body", CUSTOMER_FIELD_LISTS)
def test_customer_field_list_under_a_dated_sentence_is_kept(body):
    assert new_part(body) == words(body)


# The rest of a quoted paragraph a client wrapped without quoting it, the wrap right after
# a question mark, the paragraph's next quoted line glued below: the quoted message's text,
# not an answer (an answer ends where the next quote starts after a blank line, or at the
# end).
WRAPPED_AFTER_QUESTION = [
    (
        "Did you restart the server and check the logs for the error message?",
        "Please also send us the config file so that we can look at it.",
        "Best regards, Ann",
    ),
    (
        "Haben Sie den Server neu gestartet und die Protokolle geprüft?",
        "Bitte senden Sie uns auch die Konfigurationsdatei, damit wir sie",
        "prüfen können. Viele Grüße, Anna",
    ),
]


@pytest.mark.parametrize("question, rest, closing", WRAPPED_AFTER_QUESTION)
def test_wrapped_rest_after_a_quoted_question_goes_with_the_quote(question, rest, closing):
    body = f"{ANSWER}\n\n{QUOTE_LINE}\n> {question}\n{rest}\n> {closing}\n"
    assert new_part(body) == ANSWER


def test_customer_table_with_label_words_in_a_column_is_kept():
    """A human table whose rows end with field names: each label's row names its own
    address, where a Notes table writes the recipient on the line below its label."""
    body = (
        "Hello,\n\nthe import mapped the columns like this:\n\n"
        "Sender            Date          Field\n"
        "ann@x.example     03/03/2026    From\n"
        "bob@x.example     04/03/2026    To\n"
        "carl@x.example    05/03/2026    Cc\n"
        "dan@x.example     06/03/2026    Subject\n\n"
        "Only the first row arrived. Why?\n"
    )
    assert words(new_part(body)) == words(body)


# A signature's opening hours abbreviate weekdays with words that are possessives elsewhere
# (English "Mon", Dutch "ma", German "Mi"): the signature, not the customer speaking of
# themself; the contact block below the closing is cut as before, and the closing with it
# (a closing the rules cut goes with the block below it, a blank line between or not).
SIGNATURES_WITH_HOURS = [
    "Met vriendelijke groet,\n\nJan de Vries\nServicedesk ACME B.V.\n"
    "Bereikbaar ma t/m vr 9:00-17:00\nTel. 020 123 4567\njan@acme.example",
    "Mit freundlichen Grüßen\n\nAnna Schmidt\nACME GmbH\nSprechzeiten Mo, Mi, Fr 9-12 Uhr\n"
    "Tel. +49 30 1234567\nanna@acme.example",
    "Best regards,\n\nTom Baker\nACME Ltd.\nOpen Mon - Fri 9am - 5pm\n+44 20 7946 0000\n"
    "tom@acme.example",
    "Best regards,\n\nTom Baker\nACME Ltd.\nOpen Mon to Fri 9am to 5pm\n"
    "+44 20 7946 0000\ntom@acme.example",
]


@pytest.mark.parametrize("signature", SIGNATURES_WITH_HOURS)
def test_signature_with_weekday_hours_is_cut(signature):
    assert words(new_part(f"{ANSWER}\n\n{signature}\n")) == words(ANSWER)
