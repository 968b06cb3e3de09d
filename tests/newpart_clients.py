"""Replies and forwards as mail clients write them, in the languages the core reads (issue 14).

Each probe is a whole message (plain text, or HTML in the client's own markup) whose new part
is known: the customer's answer above (or below) the old message a client quoted or forwarded.
The attributions, separators and header fields are the clients' localized forms (Gmail,
Outlook desktop, web and Mac, Apple Mail and iOS, Thunderbird, Samsung/Android, Yahoo,
mail.ru, Yandex, Lotus Notes); the texts are written for the probe, none copied from a corpus.
"""

from email.message import EmailMessage
from html import escape

from mailparse import Settings, parse_message

SETTINGS = Settings()
LANGS = ("en", "fr", "de", "es", "it", "nl", "pt", "ru", "pl", "sv", "ja", "zh")

# The customer's answer (two lines) and the old message, per language.
ANSWER = {
    "en": ("Thanks, that fixed it. The printer works again.", "Please close the ticket."),
    "fr": (
        "Merci, cela a réglé le problème. L'imprimante refonctionne.",
        "Vous pouvez clore le ticket.",
    ),
    "de": (
        "Danke, das hat geholfen. Der Drucker läuft wieder.",
        "Sie können das Ticket schließen.",
    ),
    "es": (
        "Gracias, eso lo solucionó. La impresora vuelve a funcionar.",
        "Pueden cerrar el ticket.",
    ),
    "it": ("Grazie, ha funzionato. La stampante ora va.", "Potete chiudere il ticket."),
    "nl": ("Bedankt, dat heeft geholpen. De printer werkt weer.", "Het ticket mag dicht."),
    "pt": ("Obrigado, isso resolveu. A impressora voltou a funcionar.", "Podem fechar o chamado."),
    "ru": ("Спасибо, это помогло. Принтер снова работает.", "Заявку можно закрыть."),
    "pl": ("Dziękuję, to pomogło. Drukarka znowu działa.", "Zgłoszenie można zamknąć."),
    "sv": ("Tack, det hjälpte. Skrivaren fungerar igen.", "Ni kan stänga ärendet."),
    "ja": ("ありがとうございます。プリンターが直りました。", "チケットを閉じてください。"),
    "zh": ("谢谢，问题已经解决了。打印机又能用了。", "请关闭这个工单。"),
}
OLD = {
    "en": ("Hello,", "please restart the printer and tell us if the error stays.", "Support"),
    "fr": (
        "Bonjour,",
        "merci de redémarrer l'imprimante et de nous dire si l'erreur reste.",
        "Support",
    ),
    "de": (
        "Hallo,",
        "bitte starten Sie den Drucker neu und sagen Sie uns, ob der Fehler bleibt.",
        "Support",
    ),
    "es": ("Hola:", "reinicie la impresora y díganos si el error continúa.", "Soporte"),
    "it": ("Buongiorno,", "riavviate la stampante e diteci se l'errore resta.", "Supporto"),
    "nl": ("Hallo,", "start de printer opnieuw en laat ons weten of de fout blijft.", "Support"),
    "pt": ("Olá,", "reinicie a impressora e diga-nos se o erro continua.", "Suporte"),
    "ru": ("Здравствуйте,", "перезагрузите принтер и сообщите, остаётся ли ошибка.", "Поддержка"),
    "pl": (
        "Dzień dobry,",
        "proszę zrestartować drukarkę i dać znać, czy błąd zostaje.",
        "Wsparcie",
    ),
    "sv": ("Hej,", "starta om skrivaren och berätta om felet finns kvar.", "Support"),
    "ja": (
        "お世話になっております。",
        "プリンターを再起動して、エラーが残るか教えてください。",
        "サポート",
    ),
    "zh": ("您好，", "请重启打印机，并告诉我们错误是否仍然存在。", "技术支持"),
}
SUBJECT = {
    "en": "Printer error 42", "fr": "Erreur imprimante 42", "de": "Druckerfehler 42",
    "es": "Error de impresora 42", "it": "Errore stampante 42", "nl": "Printerfout 42",
    "pt": "Erro da impressora 42", "ru": "Ошибка принтера 42", "pl": "Błąd drukarki 42",
    "sv": "Skrivarfel 42", "ja": "プリンターエラー42", "zh": "打印机错误42",
}  # fmt: skip
SENDER = {
    "en": "Ann Lee", "fr": "Jean-Pierre Martin", "de": "Anna Schmidt", "es": "María García",
    "it": "Giulia Rossi", "nl": "Sanne de Vries", "pt": "João Silva", "ru": "Анна Иванова",
    "pl": "Katarzyna Nowak", "sv": "Åsa Lindqvist", "ja": "山田 花子", "zh": "王芳",
}  # fmt: skip
ADDR = "support@example.com"


def _who(lang):
    return f"{SENDER[lang]} <{ADDR}>"


# --- attributions (one line above the quote) -------------------------------------------------
def gmail_attr(lang):
    s = _who(lang)
    return {
        "en": f"On Tue, Mar 3, 2026 at 10:00 AM {s} wrote:",
        "fr": f"Le mar. 3 mars 2026 à 10:00, {s} a écrit :",
        "de": f"Am Di., 3. März 2026 um 10:00 Uhr schrieb {s}:",
        "es": f"El mar, 3 mar 2026 a las 10:00, {SENDER[lang]} (<{ADDR}>) escribió:",
        "it": f"Il giorno mar 3 mar 2026 alle ore 10:00 {s} ha scritto:",
        "nl": f"Op di 3 mrt 2026 om 10:00 schreef {s}:",
        "pt": f"Em ter., 3 de mar. de 2026 às 10:00, {s} escreveu:",
        "ru": f"вт, 3 мар. 2026 г. в 10:00, {s}:",
        "pl": f"wt., 3 mar 2026 o 10:00 {s} napisał(a):",
        "sv": f"Den tis 3 mars 2026 kl 10:00 skrev {s}:",
        "ja": f"2026年3月3日(火) 10:00 {s}:",
        "zh": f"{s} 于2026年3月3日周二 10:00写道：",
    }[lang]


def apple_attr(lang):
    s = _who(lang)
    return {
        "en": f"On 3 Mar 2026, at 10:00, {s} wrote:",
        "fr": f"Le 3 mars 2026 à 10:00, {s} a écrit :",
        "de": f"Am 03.03.2026 um 10:00 schrieb {s}:",
        "es": f"El 3 mar 2026, a las 10:00, {s} escribió:",
        "it": f"Il giorno 3 mar 2026, alle ore 10:00, {s} ha scritto:",
        "nl": f"Op 3 mrt. 2026 om 10:00 heeft {s} het volgende geschreven:",
        "pt": f"Em 3 de mar. de 2026, à(s) 10:00, {s} escreveu:",
        "ru": f"3 марта 2026 г., в 10:00, {s} написал(а):",
        "pl": f"Wiadomość napisana przez {s} w dniu 03.03.2026, o godz. 10:00:",
        "sv": f"3 mars 2026 kl. 10:00 skrev {s}:",
        "ja": f"2026/03/03 10:00、{s}のメール:",
        "zh": f"2026年3月3日 10:00，{s} 写道：",
    }[lang]


def thunderbird_attr(lang):
    n = SENDER[lang]
    return {
        "en": f"On 03/03/2026 10:00, {n} wrote:",
        "fr": f"Le 03/03/2026 à 10:00, {n} a écrit :",
        "de": f"Am 03.03.26 um 10:00 schrieb {n}:",
        "es": f"El 3/3/26 a las 10:00, {n} escribió:",
        "it": f"Il 03/03/26 10:00, {n} ha scritto:",
        "nl": f"Op 03-03-2026 om 10:00 schreef {n}:",
        "pt": f"Em 03/03/2026 10:00, {n} escreveu:",
        "ru": f"03.03.2026 10:00, {n} пишет:",
        "pl": f"W dniu 3.03.2026 o 10:00, {n} pisze:",
        "sv": f"Den 2026-03-03 kl. 10:00, skrev {n}:",
        "ja": f"2026/03/03 10:00, {n} wrote:",
        "zh": f"在 2026/3/3 10:00, {n} 写道:",
    }[lang]


def yahoo_attr(lang):
    s = _who(lang)
    return {
        "en": f"On Tuesday, March 3, 2026, 10:00:00 AM GMT+1, {s} wrote:",
        "fr": f"Le mardi 3 mars 2026, 10:00:00 UTC+1, {s} a écrit :",
        "de": f"Am Dienstag, 3. März 2026, 10:00:00 MEZ hat {s} Folgendes geschrieben:",
        "es": f"El martes, 3 de marzo de 2026, 10:00:00 CET, {s} escribió:",
        "it": f"Il martedì 3 marzo 2026, 10:00:00 CET, {s} ha scritto:",
        "nl": f"Op dinsdag 3 maart 2026 10:00:00 CET schreef {s}:",
        "pt": f"Em terça-feira, 3 de março de 2026 10:00:00 BRT, {s} escreveu:",
        "ru": f"вторник, 3 марта 2026 г., 10:00:00 GMT+3, {s} написал(-а):",
        "pl": f"W wtorek, 3 marca 2026 10:00:00 CET, {s} napisał(-a):",
        "sv": f"tisdag 3 mars 2026 10:00:00 CET skrev {s}:",
        "ja": f"2026年3月3日(火) 10:00:00 JST、{s} のメッセージ:",
        "zh": f"在 2026年3月3日星期二 上午10:00:00 [GMT+8]，{s} 写道：",
    }[lang]


def notes_attr(lang):
    s = _who(lang)
    return {
        "en": f"{s} wrote on 03/03/2026 10:00:00 AM:",
        "fr": f"{s} a écrit sur 03/03/2026 10:00:00 :",
        "de": f"{s} schrieb am 03.03.2026 10:00:00:",
        "es": f"{s} escribió el 03/03/2026 10:00:00:",
        "it": f"{s} ha scritto il 03/03/2026 10:00:00:",
        "nl": f"{s} schreef op 03-03-2026 10:00:00:",
        "pt": f"{s} escreveu em 03/03/2026 10:00:00:",
        "ru": f"{s} написал(а) 03.03.2026 10:00:00:",
        "pl": f"{s} napisał(a) dnia 2026-03-03 10:00:00:",
        "sv": f"{s} skrev 2026-03-03 10:00:00:",
        "ja": f"{s} が 2026/03/03 10:00:00 に書きました:",
        "zh": f"{s} 写于 2026-03-03 10:00:00:",
    }[lang]


def mailru_attr(lang):
    s = _who(lang)
    return {
        "ru": f"Вторник, 3 марта 2026, 10:00 +03:00 от {s}:",
        "en": f"Tuesday, March 3, 2026 10:00 AM +03:00 from {s}:",
    }[lang]


def yandex_attr(lang):
    return f'03.03.2026, 10:00, "{SENDER[lang]}" <{ADDR}>:'


# --- header blocks (a separator line or none, then fields) -----------------------------------
# Field labels in each client's order: (from, date/sent, to, subject).
OUTLOOK_FIELDS = {
    "en": ("From", "Sent", "To", "Subject"),
    "fr": ("De", "Envoyé", "À", "Objet"),
    "de": ("Von", "Gesendet", "An", "Betreff"),
    "es": ("De", "Enviado el", "Para", "Asunto"),
    "it": ("Da", "Inviato", "A", "Oggetto"),
    "nl": ("Van", "Verzonden", "Aan", "Onderwerp"),
    "pt": ("De", "Enviada em", "Para", "Assunto"),
    "ru": ("От", "Отправлено", "Кому", "Тема"),
    "pl": ("Od", "Wysłano", "Do", "Temat"),
    "sv": ("Från", "Skickat", "Till", "Ämne"),
    "ja": ("差出人", "送信日時", "宛先", "件名"),
    "zh": ("发件人", "发送时间", "收件人", "主题"),
}
# Outlook for Mac, the new Outlook, Apple Mail, Gmail, Samsung: a "Date" field.
DATE_FIELDS = {
    "en": ("From", "Date", "To", "Subject"),
    "fr": ("De", "Date", "À", "Objet"),
    "de": ("Von", "Datum", "An", "Betreff"),
    "es": ("De", "Fecha", "Para", "Asunto"),
    "it": ("Da", "Data", "A", "Oggetto"),
    "nl": ("Van", "Datum", "Aan", "Onderwerp"),
    "pt": ("De", "Data", "Para", "Assunto"),
    "ru": ("От", "Дата", "Кому", "Тема"),
    "pl": ("Od", "Data", "Do", "Temat"),
    "sv": ("Från", "Datum", "Till", "Ämne"),
    "ja": ("差出人", "日付", "宛先", "件名"),
    "zh": ("发件人", "日期", "收件人", "主题"),
}
DATE_TEXT = {
    "en": "Tuesday, March 3, 2026 10:00 AM", "fr": "mardi 3 mars 2026 10:00",
    "de": "Dienstag, 3. März 2026 10:00", "es": "martes, 3 de marzo de 2026 10:00",
    "it": "martedì 3 marzo 2026 10:00", "nl": "dinsdag 3 maart 2026 10:00",
    "pt": "terça-feira, 3 de março de 2026 10:00", "ru": "3 марта 2026 г. 10:00",
    "pl": "wtorek, 3 marca 2026 10:00", "sv": "den 3 mars 2026 10:00",
    "ja": "2026年3月3日 10:00", "zh": "2026年3月3日 10:00",
}  # fmt: skip
OUTLOOK_SEP = {
    "en": "-----Original Message-----", "fr": "-----Message d'origine-----",
    "de": "-----Ursprüngliche Nachricht-----", "es": "-----Mensaje original-----",
    "it": "-----Messaggio originale-----", "nl": "-----Oorspronkelijk bericht-----",
    "pt": "-----Mensagem original-----", "ru": "-----Исходное сообщение-----",
    "pl": "-----Oryginalna wiadomość-----", "sv": "-----Ursprungligt meddelande-----",
    "ja": "-----Original Message-----", "zh": "-----原始邮件-----",
}  # fmt: skip
# Gmail's forward: a localized separator, then its fields (some clients keep English labels).
GMAIL_FWD = {
    "en": ("---------- Forwarded message ---------", ("From", "Date", "Subject", "To")),
    "fr": ("---------- Message transféré ---------", ("De", "Date", "Subject", "To")),
    "de": ("---------- Weitergeleitete Nachricht ---------", ("Von", "Date", "Subject", "To")),
    "es": ("---------- Forwarded message ---------", ("De", "Date", "Subject", "To")),
    "it": ("---------- Forwarded message ---------", ("Da", "Date", "Subject", "To")),
    "nl": ("---------- Doorgestuurd bericht ---------", ("Van", "Date", "Subject", "To")),
    "pt": ("---------- Forwarded message ---------", ("De", "Date", "Subject", "To")),
    "ru": ("---------- Пересылаемое сообщение ---------", ("От", "Date", "Subject", "To")),
    "pl": ("---------- Forwarded message ---------", ("Od", "Date", "Subject", "To")),
    "sv": ("---------- Vidarebefordrat meddelande ---------", ("Från", "Date", "Subject", "To")),
    "ja": ("---------- Forwarded message ---------", ("From", "Date", "Subject", "To")),
    "zh": ("---------- Forwarded message ---------", ("发件人", "Date", "Subject", "To")),
}
# Apple Mail's forward line, its fields From / Subject / Date / To.
APPLE_FWD = {
    "en": "Begin forwarded message:", "fr": "Début du message réexpédié :",
    "de": "Anfang der weitergeleiteten Nachricht:", "es": "Inicio del mensaje reenviado:",
    "it": "Inizio messaggio inoltrato:", "nl": "Begin doorgestuurd bericht:",
    "pt": "Início da mensagem reencaminhada:", "ru": "Начало переадресованного сообщения:",
    "pl": "Początek przekazywanej wiadomości:", "sv": "Vidarebefordrat mejl:",
    "ja": "転送されたメッセージ:", "zh": "以下是转发的邮件：",
}  # fmt: skip
# Thunderbird's forward: separator, then a table Subject / Date / From / To.
THUNDERBIRD_FWD = {
    "en": ("-------- Forwarded Message --------", ("Subject", "Date", "From", "To")),
    "fr": ("-------- Message transféré --------", ("Sujet", "Date", "De", "Pour")),
    "de": ("-------- Weitergeleitete Nachricht --------", ("Betreff", "Datum", "Von", "An")),
    "es": ("-------- Mensaje reenviado --------", ("Asunto", "Fecha", "De", "Para")),
    "it": ("-------- Messaggio Inoltrato --------", ("Oggetto", "Data", "Mittente", "A")),
    "nl": ("-------- Doorgestuurd bericht --------", ("Onderwerp", "Datum", "Van", "Aan")),
    "pt": ("-------- Mensagem encaminhada --------", ("Assunto", "Data", "De", "Para")),
    "ru": ("-------- Перенаправленное сообщение --------", ("Тема", "Дата", "От", "Кому")),
    "pl": ("-------- Przekazana wiadomość --------", ("Temat", "Data", "Od", "Do")),
    "sv": ("-------- Vidarebefordrat meddelande --------", ("Ämne", "Datum", "Från", "Till")),
    "ja": ("-------- 転送メッセージ --------", ("件名", "日付", "差出人", "宛先")),
    "zh": ("-------- 转发的消息 --------", ("主题", "日期", "发件人", "收件人")),
}
# Samsung Email / Android clients: separator, From / Date / To / Subject (DATE_FIELDS).
SAMSUNG_SEP = {
    "en": "-------- Original message --------", "fr": "-------- Message d'origine --------",
    "de": "-------- Ursprüngliche Nachricht --------", "es": "-------- Mensaje original --------",
    "it": "-------- Messaggio originale --------", "nl": "-------- Oorspronkelijk bericht --------",
    "pt": "-------- Mensagem original --------", "ru": "-------- Исходное сообщение --------",
    "pl": "-------- Oryginalna wiadomość --------", "sv": "-------- Originalmeddelande --------",
    "ja": "-------- 元のメッセージ --------", "zh": "-------- 原始邮件 --------",
}  # fmt: skip
# Yahoo's forward: separator, From / To / Sent / Subject.
YAHOO_FWD = {
    "en": ("----- Forwarded Message -----", ("From", "To", "Sent", "Subject")),
    "fr": ("----- Message transféré -----", ("De", "À", "Envoyé", "Objet")),
    "de": ("----- Weitergeleitete Nachricht -----", ("Von", "An", "Gesendet", "Betreff")),
    "es": ("----- Mensaje reenviado -----", ("De", "Para", "Enviado", "Asunto")),
    "it": ("----- Messaggio inoltrato -----", ("Da", "A", "Inviato", "Oggetto")),
    "nl": ("----- Doorgestuurd bericht -----", ("Van", "Aan", "Verzonden", "Onderwerp")),
    "pt": ("----- Mensagem encaminhada -----", ("De", "Para", "Enviado", "Assunto")),
    "ru": ("----- Пересылаемое сообщение -----", ("От", "Кому", "Отправлено", "Тема")),
    "pl": ("----- Przekazana wiadomość -----", ("Od", "Do", "Wysłano", "Temat")),
    "sv": ("----- Vidarebefordrat meddelande -----", ("Från", "Till", "Skickat", "Ämne")),
    "ja": ("----- 転送メッセージ -----", ("差出人", "宛先", "送信日時", "件名")),
    "zh": ("----- 转发的邮件 -----", ("发件人", "收件人", "发送时间", "主题")),
}
# Lotus Notes' own separator naming the sender, with a To / Subject table below.
NOTES_SEP = {
    "en": '----- Message from "{n}" <{a}> on Tue, 03 Mar 2026 10:00:00 +0100 -----',
    "fr": '----- Message de "{n}" <{a}> le mar., 03 mars 2026 10:00:00 +0100 -----',
    "de": '----- Nachricht von "{n}" <{a}> am Di, 03 Mär 2026 10:00:00 +0100 -----',
    "es": '----- Mensaje de "{n}" <{a}> el mar, 03 mar 2026 10:00:00 +0100 -----',
    "it": '----- Messaggio da "{n}" <{a}> il mar, 03 mar 2026 10:00:00 +0100 -----',
    "nl": '----- Bericht van "{n}" <{a}> op di, 03 mrt 2026 10:00:00 +0100 -----',
    "pt": '----- Mensagem de "{n}" <{a}> em ter, 03 mar 2026 10:00:00 +0100 -----',
    "ru": '----- Сообщение от "{n}" <{a}> на вт, 03 мар 2026 10:00:00 +0300 -----',
    "pl": '----- Wiadomość od "{n}" <{a}> dnia wt, 03 mar 2026 10:00:00 +0100 -----',
    "sv": '----- Meddelande från "{n}" <{a}> den 2026-03-03 10:00:00 +0100 -----',
    "ja": '----- "{n}" <{a}> からのメッセージ (2026/03/03 10:00:00 +0900) -----',
    "zh": '----- 来自 "{n}" <{a}> 的邮件 (2026-03-03 10:00:00 +0800) -----',
}
MOBILE_FOOTER = {
    "en": "Sent from my iPhone", "fr": "Envoyé de mon iPhone", "de": "Von meinem iPhone gesendet",
    "es": "Enviado desde mi iPhone", "it": "Inviato da iPhone", "nl": "Verstuurd vanaf mijn iPhone",
    "pt": "Enviado do meu iPhone", "ru": "Отправлено с iPhone", "pl": "Wysłane z iPhone'a",
    "sv": "Skickat från min iPhone", "ja": "iPhoneから送信", "zh": "发自我的iPhone",
}  # fmt: skip
SAMSUNG_FOOTER = {
    "en": "Sent from my Galaxy",
    "fr": "Envoyé depuis mon Galaxy",
    "de": "Von meinem Galaxy gesendet",
    "es": "Enviado desde mi Galaxy",
    "it": "Inviato dal mio Galaxy",
    "nl": "Verzonden vanaf mijn Galaxy",
    "pt": "Enviado do meu Galaxy",
    "ru": "Отправлено с моего Galaxy",
    "pl": "Wysłane z mojego Galaxy",
    "sv": "Skickat från min Galaxy",
    "ja": "Galaxy から送信",
    "zh": "从我的 Galaxy 发送",
}


def fields(lang, labels, colon=": ", tab=False, wrap=None):
    """Field lines: From, date, To, Subject in the order of ``labels``' meanings."""
    values = {
        0: f"{SENDER[lang]} <{ADDR}>" if wrap is None else wrap,
        1: DATE_TEXT[lang],
        2: "helpdesk@example.org",
        3: SUBJECT[lang],
    }
    return [f"{label}{colon}{chr(9) if tab else ''}{values[i]}" for i, label in enumerate(labels)]


def ordered_fields(lang, labels, meanings, colon=": ", tab=False):
    """Fields whose labels come in another order: ``meanings`` maps each to 0-3."""
    values = [f"{SENDER[lang]} <{ADDR}>", DATE_TEXT[lang], "helpdesk@example.org", SUBJECT[lang]]
    sep = colon + ("\t" if tab else "")
    return [f"{label}{sep}{values[m]}" for label, m in zip(labels, meanings, strict=True)]


def old_lines(lang):
    hello, text, sign = OLD[lang]
    return [hello, "", text, "", sign]


def quoted(lines):
    return [f"> {line}" if line else ">" for line in lines]


# --- messages ---------------------------------------------------------------------------------
def plain_message(body: str, lang: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Tom Baker <tom@customer.example>"
    msg["To"] = ADDR
    msg["Subject"] = f"Re: {SUBJECT[lang]}"
    msg["Message-ID"] = "<probe@customer.example>"
    msg.set_content(body)
    return msg.as_bytes()


def html_message(markup: str, lang: str, text: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Tom Baker <tom@customer.example>"
    msg["To"] = ADDR
    msg["Subject"] = f"Re: {SUBJECT[lang]}"
    msg["Message-ID"] = "<probe@customer.example>"
    msg.set_content(text or "see the HTML part")
    msg.add_alternative(
        f"<html><head><meta charset='utf-8'></head><body>{markup}</body></html>", subtype="html"
    )
    return msg.as_bytes()


def new_part(raw: bytes) -> str:
    return " ".join(parse_message(raw, SETTINGS).new_part_text.split())


def expected(lang) -> str:
    return " ".join(" ".join(ANSWER[lang]).split())


def answer_text(lang) -> str:
    return "\n".join(ANSWER[lang])


def h(text) -> str:
    return escape(text, quote=False)


def html_lines(lines, tag="div") -> str:
    close = tag.split()[0]
    return "".join(f"<{tag}>{h(line) if line else '<br>'}</{close}>" for line in lines)


# --- webmails and other clients ---------------------------------------------------------------
ZIMBRA_SEP = {
    "en": ("----- Original Message -----", "Sent"), "fr": ("----- Mail original -----", "Envoyé"),
    "de": ("----- Ursprüngliche Mail -----", "Gesendet"),
    "es": ("----- Mensaje original -----", "Enviados"),
    "it": ("----- Messaggio originale -----", "Inviato"),
    "nl": ("----- Oorspronkelijk bericht -----", "Verzonden"),
    "pt": ("----- Mensagem original -----", "Enviadas"),
    "ru": ("----- Исходное сообщение -----", "Отправленные"),
    "pl": ("----- Oryginalna wiadomość -----", "Wysłane"),
    "sv": ("----- Ursprungligt meddelande -----", "Skickat"),
    "ja": ("----- 元のメッセージ -----", "送信済み"), "zh": ("----- 原始邮件 -----", "发送时间"),
}  # fmt: skip
# Horde's attribution: no date, the sender's address and a colon.
HORDE_ATTR = {
    "en": "Quoting {s}:", "fr": "Citation {s} :", "de": "Zitat von {s}:", "es": "Citando a {s}:",
    "it": "Citando {s}:", "nl": "Citeren {s}:", "pt": "Citando {s}:", "ru": "Цитирование {s}:",
    "pl": "Cytowanie {s}:", "sv": "Citerar {s}:",
}  # fmt: skip
# Outlook for iOS / Android: its footer with a link, then Outlook's rule and header block.
OUTLOOK_MOBILE = {
    "en": "Get Outlook for iOS<https://aka.ms/o0ukef>",
    "fr": "Télécharger Outlook pour iOS<https://aka.ms/o0ukef>",
    "de": "Outlook für iOS<https://aka.ms/o0ukef> beziehen",
    "es": "Obtener Outlook para iOS<https://aka.ms/o0ukef>",
    "it": "Scarica Outlook per iOS<https://aka.ms/o0ukef>",
    "nl": "Outlook voor iOS downloaden<https://aka.ms/o0ukef>",
    "pt": "Obter o Outlook para iOS<https://aka.ms/o0ukef>",
    "ru": "Получить Outlook для iOS<https://aka.ms/o0ukef>",
    "pl": "Pobierz aplikację Outlook dla systemu Android<https://aka.ms/AAb9ysg>",
    "sv": "Skaffa Outlook för Android<https://aka.ms/AAb9ysg>",
    "ja": "iOS 版 Outlook<https://aka.ms/o0ukef> を入手",
    "zh": "获取 Outlook for iOS<https://aka.ms/o0ukef>",
}
