"""New part: a customer's own words that only look like a client's footer, separator or
closing stay in it (the attack on issue 14's client rules).

Each text is what a customer writes about their mail, a log or an order: a sentence naming
the app they sent with, a section of a pasted log between rules, a closing word inside a
sentence, a P.S. below the signature. The new part must hold it whole.
"""

import pytest
from newpart_probes import parsed_new_part


def new_part(body: str) -> str:
    return parsed_new_part(body, "<overcut@customer.example>")


# The last line names the app or device the customer sent with, inside a sentence.
SENT_WITH_SENTENCES = [
    "Hi,\n\nsame problem here, the link crashes\nOutlook for iOS\n",
    "Hola,\n\nla factura no llega.\nEnviado desde Gmail, sin respuesta\n",
    "您好，\n\n邮件一直收不到。\n发自iPhone的邮件都被退回\n",
    "Hallo,\n\ndie Rechnung fehlt.\nVon Outlook aus wurde nichts gesendet\n",
    "お世話になっております。\n\n添付が開けません。\n昨日の注文はiPhoneアプリから送信\n",
]


@pytest.mark.parametrize("body", SENT_WITH_SENTENCES)
def test_sentence_naming_the_app_is_kept(body):
    assert new_part(body) == " ".join(body.split())


# A closing word that opens a sentence, or a P.S. below the name: content, not signature.
CLOSING_THEN_CONTENT = [
    "Bonjour,\n\nSalutations\n\nJe vous écris car la commande 4411 n'est pas arrivée.\n"
    "Merci de vérifier.\n",
    "Dzień dobry,\nserdecznie\ndziękuję za pomoc, ale drukarka nadal nie działa.\n"
    "Numer seryjny: X123\n",
    "Olá,\n\no pedido chegou danificado.\n\nAbraço,\nJoão\n\n"
    "PS: o número do pedido é 4411 e a caixa estava aberta.\n",
]


@pytest.mark.parametrize("body", CLOSING_THEN_CONTENT)
def test_closing_followed_by_sentences_keeps_them(body):
    assert new_part(body) == " ".join(body.split())


def test_closing_and_name_still_cut():
    body = "Olá,\n\no pedido chegou danificado.\n\nAbraço,\nJoão Silva\nGerente de compras\n"
    assert new_part(body) == "Olá, o pedido chegou danificado."


# A heading between rules whose words hold a hyphen, over the customer's own content.
HYPHENATED_HEADINGS = [
    "Hi,\nthe export failed:\n\n----- error-message 2026-03-03 -----\n"
    "ORA-00942: table or view does not exist\n\nCan you check?\n",
    "Hello,\n\n------ Bank-transfer details ------\nIBAN: DE89 3704 0044 0532 0130 00\n"
    "Ref: 4411\n\nPlease confirm.\n",
    "Dzień dobry,\n\n---- Przekaz nr 2026-11 ----\nkwota: 120 zł\n\nProszę o potwierdzenie.\n",
]


@pytest.mark.parametrize("body", HYPHENATED_HEADINGS)
def test_hyphenated_heading_between_rules_is_kept(body):
    assert new_part(body) == " ".join(body.split())


def test_hyphenated_notes_separator_still_cuts():
    body = (
        "Merci, c'est réglé.\n\n"
        '----- Message de "Jean-Pierre Martin" <jp@example.com> le mar., 03 mars 2026 -----\n\n'
        "Bonjour, l'imprimante est en panne.\n"
    )
    assert new_part(body) == "Merci, c'est réglé."


# A line of the customer's ending with a colon above a header block they pasted: theirs.
INTRO_OF_PASTED_HEADERS = [
    "Hi,\n\nThe log message:\nFrom: cron@host.example\nTo: root@host.example\n"
    "Subject: backup failed\n\nCan you help?\n",
    "Hi,\nPlease see the original message:\nFrom: Ann <ann@x.example>\n"
    "Sent: Monday, March 3, 2026 10:00\nTo: support@x.example\nSubject: order\n\nold\n",
]


@pytest.mark.parametrize("body", INTRO_OF_PASTED_HEADERS)
def test_customer_line_above_header_block_is_kept(body):
    kept = body.split("\nFrom:")[0]
    assert new_part(body) == " ".join(kept.split())


def test_forward_line_above_header_block_still_goes():
    body = (
        "FYI.\n\nInizio messaggio inoltrato:\n\nDa: Ann <ann@x.example>\n"
        "Oggetto: ordine\nData: 3 marzo 2026 10:00\nA: support@x.example\n\nvecchio\n"
    )
    assert new_part(body) == "FYI."


# A heading between rules in the customer's language, over their log or notes: the words
# lists hold common nouns of these languages (消息 "message", 転送 "transfer", сообщения).
HEADINGS_IN_OTHER_SCRIPTS = [
    "您好，\n导出失败：\n======= 错误消息 =======\nERR 42 连接超时\n请帮忙看一下。\n",
    "お世話になっております。\n\n---- ファイル転送ログ ----\n10:00 start\n10:05 失敗\n\n"
    "ご確認ください。\n",
    "Здравствуйте,\n\n---- Сообщения сервера ----\n550 ошибка\n\nПомогите, пожалуйста.\n",
]


@pytest.mark.parametrize("body", HEADINGS_IN_OTHER_SCRIPTS)
def test_heading_in_other_script_is_kept(body):
    assert new_part(body) == " ".join(body.split())


@pytest.mark.parametrize(
    "separator, head",
    [
        (
            "-------- 转发的消息 --------",
            "主题: 订单\n日期: 2026-03-03\n发件人: 王芳 <w@x.example>",
        ),
        ("-------- Пересылаемое сообщение --------", "03.03.2026, 10:00, Анна <ann@x.example>:"),
        ("-----Ursprüngliche Nachricht-----", "> Geht der Drucker wieder?"),
    ],
)
def test_client_separator_in_other_script_still_cuts(separator, head):
    body = f"OK.\n\n{separator}\n{head}\n\nold text\n"
    assert new_part(body) == "OK."
