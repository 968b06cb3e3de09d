"""The new part of replies and forwards as each mail client writes them (issue 14).

One class per client, each layout in the 12 languages of ``newpart_clients.LANGS``, plain
text and the client's HTML: the new part read from the whole message must be the customer's
answer exactly (white space aside), without the attribution, the separator, the header block,
the quoted or forwarded message and the device footer.
"""

import textwrap

import pytest
from newpart_clients import (
    ADDR,
    APPLE_FWD,
    DATE_FIELDS,
    DATE_TEXT,
    GMAIL_FWD,
    HORDE_ATTR,
    LANGS,
    MOBILE_FOOTER,
    NOTES_SEP,
    OUTLOOK_FIELDS,
    OUTLOOK_MOBILE,
    OUTLOOK_SEP,
    SAMSUNG_FOOTER,
    SAMSUNG_SEP,
    SENDER,
    SUBJECT,
    THUNDERBIRD_FWD,
    YAHOO_FWD,
    ZIMBRA_SEP,
    answer_text,
    apple_attr,
    expected,
    fields,
    gmail_attr,
    h,
    html_lines,
    html_message,
    mailru_attr,
    new_part,
    notes_attr,
    old_lines,
    ordered_fields,
    plain_message,
    quoted,
    thunderbird_attr,
    yahoo_attr,
    yandex_attr,
)

langs = pytest.mark.parametrize("lang", LANGS)


def plain(lang, *blocks):
    """A plain-text message of the answer and the blocks below it."""
    lines = [answer_text(lang), ""]
    for block in blocks:
        lines.extend(block)
    return plain_message("\n".join(lines) + "\n", lang)


def answer_html(lang, tag="div"):
    return html_lines(lang_answer(lang), tag)


def lang_answer(lang):
    return answer_text(lang).split("\n")


def old_html(lang):
    return html_lines(old_lines(lang))


class TestGmail:
    @langs
    def test_reply_plain(self, lang):
        raw = plain(lang, [gmail_attr(lang), ""], quoted(old_lines(lang)))
        assert new_part(raw) == expected(lang)

    @langs
    def test_reply_html(self, lang):
        markup = (
            f'<div dir="ltr">{"<br>".join(h(x) for x in lang_answer(lang))}</div><br>'
            '<div class="gmail_quote gmail_quote_container">'
            f'<div dir="ltr" class="gmail_attr">{h(gmail_attr(lang))}<br></div>'
            '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
            f'border-left:1px solid rgb(204,204,204);padding-left:1ex">{old_html(lang)}'
            "</blockquote></div>"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    @langs
    def test_forward_plain(self, lang):
        sep, labels = GMAIL_FWD[lang]
        block = [sep, *ordered_fields(lang, labels, (0, 1, 3, 2)), "", ""]
        raw = plain(lang, block, old_lines(lang))
        assert new_part(raw) == expected(lang)

    @langs
    def test_forward_html(self, lang):
        sep, labels = GMAIL_FWD[lang]
        head = "<br>".join(h(x) for x in ordered_fields(lang, labels, (0, 1, 3, 2)))
        markup = (
            f'<div dir="ltr">{"<br>".join(h(x) for x in lang_answer(lang))}<br><br>'
            f'<div class="gmail_quote"><div dir="ltr" class="gmail_attr">{h(sep)}<br>{head}'
            f'<br></div><br><br><div dir="ltr">{old_html(lang)}</div></div></div>'
        )
        assert new_part(html_message(markup, lang)) == expected(lang)


class TestOutlook:
    @langs
    def test_reply_plain_original_message(self, lang):
        mailto = f"{SENDER[lang]} [mailto:{ADDR}]"
        block = [OUTLOOK_SEP[lang], *fields(lang, OUTLOOK_FIELDS[lang], wrap=mailto), ""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)

    @langs
    def test_reply_plain_underscores(self, lang):
        block = ["_" * 32, *fields(lang, OUTLOOK_FIELDS[lang]), ""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)

    @langs
    def test_reply_plain_mac_date_fields(self, lang):
        block = ["", *fields(lang, DATE_FIELDS[lang]), ""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)

    @langs
    def test_reply_html_desktop(self, lang):
        labels = OUTLOOK_FIELDS[lang]
        head = "<br>".join(
            f"<b>{h(label)}:</b> {h(row.split(': ', 1)[1])}"
            for label, row in zip(labels, fields(lang, labels), strict=True)
        )
        markup = (
            '<div class="WordSection1">'
            + answer_html(lang, 'p class="MsoNormal"')
            + '<p class="MsoNormal">&nbsp;</p><div><div style="border:none;border-top:solid '
            f'#E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal">{head}</p></div></div>'
            f'<p class="MsoNormal">&nbsp;</p>{html_lines(old_lines(lang), "p")}</div>'
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    @langs
    def test_reply_html_web(self, lang):
        head = "<br>".join(
            f"<b>{h(row.split(': ', 1)[0])}:</b> {h(row.split(': ', 1)[1])}"
            for row in fields(lang, OUTLOOK_FIELDS[lang])
        )
        markup = (
            f'<div dir="ltr">{answer_html(lang)}</div><div id="appendonsend"></div>'
            '<hr style="display:inline-block;width:98%" tabindex="-1">'
            '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" '
            f'style="font-size:11pt" color="#000000">{head}</font><div>&nbsp;</div></div>'
            f"<div>{old_html(lang)}</div>"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    @langs
    def test_reply_html_new_outlook(self, lang):
        head = "<br>".join(
            f"<b>{h(row.split(': ', 1)[0])}: </b>{h(row.split(': ', 1)[1])}"
            for row in fields(lang, DATE_FIELDS[lang])
        )
        markup = (
            f'<div class="elementToProof">{answer_html(lang)}</div>'
            '<div id="mail-editor-reference-message-container"><div class="ms-outlook-mobile-'
            'reference-message skipProofing"><br></div><div class="ms-outlook-mobile-reference-'
            'message skipProofing" style="text-align:left;padding:3pt 0in 0in;border-width:1pt '
            'medium medium;border-style:solid none none;border-color:rgb(181,196,223)">'
            f"{head}<br><br></div>{old_html(lang)}</div>"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)


class TestAppleMail:
    @langs
    def test_reply_plain(self, lang):
        raw = plain(lang, [apple_attr(lang), ""], quoted(old_lines(lang)))
        assert new_part(raw) == expected(lang)

    @langs
    def test_reply_html(self, lang):
        markup = (
            "<br>".join(h(x) for x in lang_answer(lang))
            + '<br id="lineBreakAtBeginningOfMessage"><div><br><blockquote type="cite">'
            f'<div>{h(apple_attr(lang))}</div><br class="Apple-interchange-newline">'
            f"<div>{old_html(lang)}</div></blockquote></div><br>"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    @langs
    def test_forward_plain(self, lang):
        head = ordered_fields(lang, DATE_FIELDS[lang], (0, 1, 2, 3))
        head = [head[0], head[3], head[1], head[2]]  # From, Subject, Date, To
        block = [APPLE_FWD[lang], "", *head, "", ""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)

    @langs
    def test_forward_html(self, lang):
        head = ordered_fields(lang, DATE_FIELDS[lang], (0, 1, 2, 3))
        rows = "".join(
            f'<div style="margin:0px"><span><b>{h(r.split(": ", 1)[0])}: </b></span>'
            f"<span>{h(r.split(': ', 1)[1])}<br></span></div>"
            for r in (head[0], head[3], head[1], head[2])
        )
        markup = (
            f'{"<br>".join(h(x) for x in lang_answer(lang))}<br><div><br><blockquote type="cite">'
            f'<div>{h(APPLE_FWD[lang])}</div><br class="Apple-interchange-newline">{rows}<br>'
            f"<div>{old_html(lang)}</div></blockquote></div>"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)


class TestIosMail:
    @langs
    def test_reply_plain(self, lang):
        raw = plain(
            lang, [MOBILE_FOOTER[lang], ""], quoted([apple_attr(lang), "", *old_lines(lang)])
        )
        assert new_part(raw) == expected(lang)

    @langs
    def test_reply_html(self, lang):
        markup = (
            f'<div dir="ltr">{"<br>".join(h(x) for x in lang_answer(lang))}</div>'
            f'<div dir="ltr"><br></div><div dir="ltr">{h(MOBILE_FOOTER[lang])}</div>'
            f'<div dir="ltr"><br><blockquote type="cite">{h(apple_attr(lang))}<br><br>'
            f'</blockquote></div><blockquote type="cite"><div dir="ltr">{old_html(lang)}'
            "</div></blockquote>"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)


class TestThunderbird:
    @langs
    def test_reply_plain(self, lang):
        raw = plain(lang, [thunderbird_attr(lang)], quoted(old_lines(lang)))
        assert new_part(raw) == expected(lang)

    @langs
    def test_bottom_posted_plain(self, lang):
        lines = [thunderbird_attr(lang), *quoted(old_lines(lang)), "", answer_text(lang)]
        assert new_part(plain_message("\n".join(lines) + "\n", lang)) == expected(lang)

    @langs
    def test_reply_html(self, lang):
        markup = (
            f"{html_lines(lang_answer(lang), 'p')}"
            f'<div class="moz-cite-prefix">{h(thunderbird_attr(lang))}<br></div>'
            f'<blockquote type="cite" cite="mid:old@example.com">{old_html(lang)}</blockquote>'
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    @langs
    def test_forward_plain(self, lang):
        sep, labels = THUNDERBIRD_FWD[lang]
        head = ordered_fields(lang, labels, (3, 1, 0, 2), colon=": ", tab=True)
        block = ["", sep, *head, "", ""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)

    @langs
    def test_forward_html(self, lang):
        sep, labels = THUNDERBIRD_FWD[lang]
        values = {0: f"{SENDER[lang]} <{ADDR}>", 1: "Tue, 3 Mar 2026 10:00:00 +0100"}
        values.update({2: "helpdesk@example.org", 3: "x"})
        rows = "".join(
            f'<tr><th valign="BASELINE" nowrap="nowrap" align="RIGHT">{h(label)}: </th>'
            f"<td>{h(values[m])}</td></tr>"
            for label, m in zip(labels, (3, 1, 0, 2), strict=True)
        )
        markup = (
            f"{html_lines(lang_answer(lang), 'p')}"
            f'<div class="moz-forward-container"><br><br>{h(sep)}'
            '<table class="moz-email-headers-table" border="0" cellspacing="0" cellpadding="0">'
            f"<tbody>{rows}</tbody></table><br><br>{old_html(lang)}</div>"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)


class TestSamsung:
    @langs
    def test_reply_plain(self, lang):
        block = [SAMSUNG_FOOTER[lang], "", "", SAMSUNG_SEP[lang]]
        block += [f"{row} " for row in fields(lang, DATE_FIELDS[lang])] + [""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)

    @langs
    def test_reply_html(self, lang):
        head = "".join(f"<div>{h(row)} </div>" for row in fields(lang, DATE_FIELDS[lang]))
        markup = (
            f'<div dir="auto">{"<br>".join(h(x) for x in lang_answer(lang))}</div>'
            '<div dir="auto"><br></div><div id="composer_signature" dir="auto"><div '
            f'style="font-size:85%;color:#575757" dir="auto">{h(SAMSUNG_FOOTER[lang])}</div>'
            '</div><div dir="auto"><br></div><div><br></div><div align="left" dir="auto" '
            f'style="font-size:100%;color:#000000"><div>{h(SAMSUNG_SEP[lang])}</div>{head}'
            f"<div><br></div></div>{old_html(lang)}"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)


class TestYahoo:
    @langs
    def test_reply_plain(self, lang):
        # Yahoo's text alternative: the attribution indented, the old text unquoted.
        block = ["", f"    {yahoo_attr(lang)}  ", " ", *(f" {x}" for x in old_lines(lang))]
        assert new_part(plain(lang, block)) == expected(lang)

    @langs
    def test_reply_html(self, lang):
        markup = (
            f'<div class="ydp1" style="font-family:Helvetica">{answer_html(lang)}<div><br></div>'
            '<div id="yahoo_quoted_1234" class="yahoo_quoted"><div style="font-size:13px">'
            f"<div>{h(yahoo_attr(lang))}</div><div><br></div><div><br></div>"
            f'<div><div dir="ltr">{old_html(lang)}</div></div></div></div></div>'
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    @langs
    def test_forward_plain(self, lang):
        sep, labels = YAHOO_FWD[lang]
        head = ordered_fields(lang, labels, (0, 2, 1, 3))
        block = ["", sep, *head, "", ""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)


RU_EN = pytest.mark.parametrize("lang", ["ru", "en"])
MAILRU_FWD = {
    "ru": ("-------- Пересылаемое сообщение --------", ("От кого", "Кому", "Дата", "Тема")),
    "en": ("-------- Forwarded message --------", ("From", "To", "Date", "Subject")),
}
YANDEX_FWD = {
    "ru": (
        "-------- Пересылаемое сообщение --------",
        "-------- Конец пересылаемого сообщения --------",
    ),
    "en": ("-------- Forwarded message --------", "-------- End of forwarded message --------"),
}


class TestMailRu:
    @RU_EN
    def test_reply_plain(self, lang):
        raw = plain(lang, ["", mailru_attr(lang)], quoted(old_lines(lang)))
        assert new_part(raw) == expected(lang)

    @RU_EN
    def test_reply_html(self, lang):
        markup = (
            f'{answer_html(lang)}<div>&nbsp;</div><blockquote style="border-left:1px solid '
            f'#0857A6; margin:10px; padding:0 0 0 10px;">{h(mailru_attr(lang))}<br>&nbsp;'
            f'<div id=""><div class="js-helper js-readmsg-msg"><div>{old_html(lang)}</div>'
            "</div></div></blockquote>"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    @RU_EN
    def test_forward_plain(self, lang):
        sep, labels = MAILRU_FWD[lang]
        block = ["", sep, *ordered_fields(lang, labels, (0, 2, 1, 3)), "", ""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)


class TestYandex:
    @RU_EN
    def test_reply_plain(self, lang):
        raw = plain(lang, ["", yandex_attr(lang)], quoted(old_lines(lang)))
        assert new_part(raw) == expected(lang)

    @RU_EN
    def test_reply_html(self, lang):
        markup = (
            f"{answer_html(lang)}<div>&nbsp;</div><div>&nbsp;</div>"
            f"<div>{h(yandex_attr(lang))}</div><blockquote>{old_html(lang)}</blockquote>"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    @RU_EN
    def test_forward_plain(self, lang):
        start, end = YANDEX_FWD[lang]
        block = ["", "", start, yandex_attr(lang), *old_lines(lang), end, ""]
        assert new_part(plain(lang, block)) == expected(lang)

    @RU_EN
    def test_forward_html(self, lang):
        start, end = YANDEX_FWD[lang]
        markup = (
            f"{answer_html(lang)}<div>&nbsp;</div><div>{h(start)}</div>"
            f"<div>{h(yandex_attr(lang))}</div>{old_html(lang)}<div>{h(end)}</div>"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)


class TestLotusNotes:
    @langs
    def test_reply_plain_wrote_on(self, lang):
        raw = plain(lang, ["", notes_attr(lang), ""], old_lines(lang))
        assert new_part(raw) == expected(lang)

    @langs
    def test_reply_plain_message_from(self, lang):
        sep = NOTES_SEP[lang].format(n=SENDER[lang], a=ADDR)
        to, subject = OUTLOOK_FIELDS[lang][2], OUTLOOK_FIELDS[lang][3]
        block = ["", sep, "", f"{to}:\thelpdesk@example.org", f"{subject}:\tx", "", ""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)

    @langs
    def test_reply_plain_header_table(self, lang):
        head = ordered_fields(lang, DATE_FIELDS[lang], (0, 1, 2, 3), tab=True)
        block = ["", head[0], head[2], head[1], head[3], "", ""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)

    @langs
    def test_reply_html_header_table(self, lang):
        head = ordered_fields(lang, DATE_FIELDS[lang], (0, 1, 2, 3))
        rows = "".join(
            '<tr valign="top"><td><font size="1" color="#5f5f5f" face="sans-serif">'
            f'{h(label)}:</font></td><td><font size="1" face="sans-serif">{h(value)}'
            "</font></td></tr>"
            for label, value in (row.split(": ", 1) for row in (head[0], head[2], head[1], head[3]))
        )
        markup = (
            f'<font size="2" face="sans-serif">{"<br>".join(h(x) for x in lang_answer(lang))}'
            f'</font><br><br><br><br><table width="100%">{rows}</table><br>'
            '<hr width="100%" size="2" align="left" noshade><br><br><br>'
            f'<tt><font size="2">{"<br>".join(h(x) for x in old_lines(lang))}</font></tt>'
        )
        assert new_part(html_message(markup, lang)) == expected(lang)


class TestSignatureAboveTheQuote:
    """Top-posting clients put the sender's signature between the answer and the quote."""

    @langs
    def test_dash_signature_then_gmail_attribution(self, lang):
        sig = ["-- ", "Tom Baker", "ACME GmbH", "+49 30 1234567"]
        raw = plain(lang, [*sig, "", gmail_attr(lang)], quoted(old_lines(lang)))
        assert new_part(raw) == expected(lang)

    @langs
    def test_contact_block_then_outlook_header(self, lang):
        sig = ["Tom Baker", "ACME GmbH", "Tel. +49 30 1234567", "www.acme.example", ""]
        block = [*sig, OUTLOOK_SEP[lang], *fields(lang, OUTLOOK_FIELDS[lang]), ""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)


class TestAttributionLeftBehind:
    """The client dropped the quote (or the sender cut it) but kept its attribution."""

    @langs
    @pytest.mark.parametrize("attr", [gmail_attr, apple_attr, thunderbird_attr, notes_attr])
    def test_attribution_at_the_end(self, lang, attr):
        assert new_part(plain(lang, [attr(lang)])) == expected(lang)


class TestTheCustomersOwnLinesStay:
    """The same words in a customer's text are not a client's footer, forward or attribution."""

    @pytest.mark.parametrize(
        "line",
        [
            "Sent the invoice to the Samsung office last week.",
            "Enviado do meu escritório para o suporte da Samsung ontem.",
            "iPhoneから送信したメールが届きません。",
            "Outlook for iOS crashes when I open the PDF.",
            "Gesendet an den Support von Samsung.",
            "Sent to Samsung support yesterday",
        ],
    )
    def test_a_last_line_naming_a_device_is_kept(self, line):
        raw = plain_message(f"{answer_text('en')}\n\n{line}\n", "en")
        assert new_part(raw) == f"{expected('en')} {line}"

    @pytest.mark.parametrize(
        "line",
        [
            "本文写于 2026-03-03：",
            "王芳 <wang@example.com> 写于 2026-03-03 的报告如下：",
            "--- Follow-up 2026-03-03 (Jean-Pierre) ---",
        ],
    )
    def test_a_line_of_the_text_keeps_what_follows(self, line):
        raw = plain_message(f"{line}\n{answer_text('zh')}\n", "zh")
        assert new_part(raw) == f"{line} {expected('zh')}"

    def test_a_sentence_introducing_a_forward_stays(self):
        intro = "Ich leite Ihnen die Nachricht weiter:"
        raw = plain("de", [intro, "", *fields("de", DATE_FIELDS["de"]), ""], old_lines("de"))
        assert new_part(raw) == f"{expected('de')} {intro}"


class TestWebmails:
    @langs
    def test_zimbra_reply_plain(self, lang):
        sep, sent = ZIMBRA_SEP[lang]
        labels = (OUTLOOK_FIELDS[lang][0], OUTLOOK_FIELDS[lang][2], sent, OUTLOOK_FIELDS[lang][3])
        block = [sep, *ordered_fields(lang, labels, (0, 2, 1, 3)), ""]
        assert new_part(plain(lang, block, quoted(old_lines(lang)))) == expected(lang)

    @pytest.mark.parametrize("lang", ["en", "de", "fr", "es"])
    def test_gmx_reply_plain(self, lang):
        labels = (OUTLOOK_FIELDS[lang][1].split()[0], *DATE_FIELDS[lang][:1])
        labels = (*labels, DATE_FIELDS[lang][2], DATE_FIELDS[lang][3])
        block = [" ", " ", "", *ordered_fields(lang, labels, (1, 0, 2, 3)), ""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)

    @pytest.mark.parametrize("lang", ["en", "de", "fr"])
    def test_proton_reply_plain(self, lang):
        block = ["------- Original Message -------", gmail_attr(lang), ""]
        assert new_part(plain(lang, block, quoted(old_lines(lang)))) == expected(lang)

    @pytest.mark.parametrize("lang", list(HORDE_ATTR))
    def test_horde_reply_plain(self, lang):
        attribution = HORDE_ATTR[lang].format(s=f"{SENDER[lang]} <{ADDR}>")
        raw = plain(lang, [attribution, ""], quoted(old_lines(lang)))
        assert new_part(raw) == expected(lang)

    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_qq_mail_reply_plain(self, lang):
        sep = "------------------ 原始邮件 ------------------"
        labels = ("发件人", "发送时间", "收件人", "主题")
        if lang == "en":
            sep, labels = "------------------ Original ------------------", DATE_FIELDS["en"]
        head = [
            f'{labels[0]}: "{SENDER[lang]}"<{ADDR}>;',
            f"{labels[1]}: {DATE_TEXT[lang]}",
            f'{labels[2]}: "helpdesk"<helpdesk@example.org>;',
            f"{labels[3]}: {SUBJECT[lang]}",
        ]
        assert new_part(plain(lang, ["", sep, *head, "", ""], old_lines(lang))) == expected(lang)

    def test_netease_reply_plain(self):
        attribution = f'在 2026-03-03 10:00:00，"{SENDER["zh"]}" <{ADDR}> 写道：'
        assert new_part(plain("zh", [attribution], quoted(old_lines("zh")))) == expected("zh")

    @pytest.mark.parametrize("lang", ["en", "de"])
    def test_spark_reply_plain(self, lang):
        attribution = {
            "en": f"On 3 Mar 2026 at 10:00 +0100, {SENDER['en']} <{ADDR}>, wrote:",
            "de": f"Am 3. März 2026, 10:00 +0100 schrieb {SENDER['de']} <{ADDR}>:",
        }[lang]
        assert new_part(plain(lang, [attribution], quoted(old_lines(lang)))) == expected(lang)

    @pytest.mark.parametrize("lang", ["en", "de", "fr"])
    def test_k9_reply_plain(self, lang):
        attribution = {
            "en": f"On March 3, 2026 10:00:00 AM GMT+01:00, {SENDER['en']} <{ADDR}> wrote:",
            "de": f"{SENDER['de']} <{ADDR}> schrieb am 3. März 2026 10:00:00 MEZ:",
            "fr": f"Le 3 mars 2026 10:00:00 GMT+01:00, {SENDER['fr']} <{ADDR}> a écrit :",
        }[lang]
        assert new_part(plain(lang, [attribution], quoted(old_lines(lang)))) == expected(lang)


class TestOutlookMobile:
    @langs
    def test_reply_plain(self, lang):
        block = [OUTLOOK_MOBILE[lang], "_" * 32, *fields(lang, OUTLOOK_FIELDS[lang]), ""]
        assert new_part(plain(lang, ["", *block], old_lines(lang))) == expected(lang)

    @langs
    def test_reply_html(self, lang):
        text, _, rest = OUTLOOK_MOBILE[lang].partition("<")
        link, _, after = rest.partition(">")
        head = "<br>".join(
            f"<b>{h(row.split(': ', 1)[0])}:</b> {h(row.split(': ', 1)[1])}"
            for row in fields(lang, OUTLOOK_FIELDS[lang])
        )
        markup = (
            f'<div dir="ltr">{answer_html(lang)}</div><div><br></div>'
            f'<div id="ms-outlook-mobile-signature"><div dir="ltr">{h(text)}<a href="{link}">'
            f"</a>{h(after)}</div></div>"
            '<hr style="display:inline-block;width:98%" tabindex="-1">'
            f'<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif">{head}</font>'
            f"<div>&nbsp;</div></div><div>{old_html(lang)}</div>"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    @pytest.mark.parametrize(
        ("line", "below"),
        [
            ("Please write to Ann Lee <ann@example.com>:", ["Error 42 on tray 2."]),
            ("I asked Ann Lee <ann@example.com>:", ["> Is tray 2 broken?"]),
        ],
    )
    def test_a_sentence_ending_with_an_address_stays(self, line, below):
        raw = plain_message("\n".join([answer_text("en"), line, *below]) + "\n", "en")
        kept = [line, *below] if not below[0].startswith(">") else [line]
        assert new_part(raw) == " ".join([expected("en"), *kept])


class TestIssueClassesInEachLanguage:
    """Issue 14's classes (an attribution above the answer with no quote, a quote inside one
    ``<pre>``, Gmail's invisible U+1427 marker) in the client forms of every language."""

    @langs
    @pytest.mark.parametrize("attr", [gmail_attr, apple_attr, thunderbird_attr, yahoo_attr])
    def test_attribution_at_the_start(self, lang, attr):
        raw = plain_message(f"{attr(lang)}\n\n{answer_text(lang)}\n", lang)
        assert new_part(raw) == expected(lang)

    @langs
    @pytest.mark.parametrize("attr", [gmail_attr, thunderbird_attr])
    def test_quote_inside_one_pre_block(self, lang, attr):
        text = "\n".join([answer_text(lang), "", attr(lang), *quoted(old_lines(lang))])
        assert new_part(html_message(f"<pre>{h(text)}</pre>", lang)) == expected(lang)

    @langs
    def test_gmail_marker_above_the_quote(self, lang):
        markup = (
            f'<div dir="ltr">{"<br>".join(h(x) for x in lang_answer(lang))}'
            '<div hspace="streak-pt-mark" style="max-height:1px">\u1427</div></div><br>'
            f'<div class="gmail_quote"><div dir="ltr" class="gmail_attr">{h(gmail_attr(lang))}'
            f'</div><blockquote class="gmail_quote">{old_html(lang)}</blockquote></div>'
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    def test_a_pasted_log_of_quoted_lines_in_html_stays(self):
        log = ["The mail server answered:", "> 550 5.1.1 mailbox unavailable", "> retry later"]
        markup = f"<pre>{h(chr(10).join([answer_text('en'), '', *log]))}</pre>"
        assert new_part(html_message(markup, "en")) == " ".join([expected("en"), *log])

    def test_answers_below_a_quote_in_one_pre_block_stay(self):
        text = [gmail_attr("en"), "> Does tray 2 work?", "", "No, it still jams.", ""]
        text += ["> And tray 1?", "", "Tray 1 works."]
        markup = f"<pre>{h(chr(10).join(text))}</pre>"
        assert "Tray 1 works." in new_part(html_message(markup, "en"))

    def test_a_syllabics_final_inside_words_stays(self):
        words = "ᐊᒻᒪᓗ ᑲᑎᒪᔨᑦ\u1427 ᐅᖃᐅᓯᖏᑦ"  # U+1427 as a letter of Canadian syllabics
        markup = f"<div>{answer_text('en')}</div><div>{words}</div>"
        assert new_part(html_message(markup, "en")) == f"{expected('en')} {words}"


CLOSINGS = {
    "en": ["Best regards,", "Kind regards,", "Warm regards,"],
    "fr": ["Cordialement,", "Bien à vous,", "Salutations,"],
    "de": ["Mit freundlichen Grüßen", "Viele Grüße", "Beste Grüße,"],
    "es": ["Saludos cordiales,", "Un saludo,", "Atentamente,"],
    "it": ["Cordiali saluti,", "Saluti,", "Un saluto,"],
    "nl": ["Met vriendelijke groet,", "Groeten,", "Met vriendelijke groeten,"],
    "pt": ["Atenciosamente,", "Cumprimentos,", "Abraços,"],
    "ru": ["С уважением,", "С уважением,", "С уважением,"],
    "pl": ["Pozdrawiam,", "Z poważaniem,", "Pozdrawiam serdecznie,"],
    "sv": ["Med vänliga hälsningar,", "Vänliga hälsningar,", "Hälsningar,"],
}
FRAME = "━" * 20
SIGNATURE_BOX = {
    "ja": [FRAME, "山田 太郎", "株式会社ACME", "TEL: 03-1234-5678", FRAME],
    "zh": ["--", "王芳", "ACME 技术部", "电话：010-1234 5678"],
}


class TestClosingAboveTheQuote:
    """The closing and the sender's name between the answer and the quoted message."""

    @pytest.mark.parametrize("lang", list(CLOSINGS))
    @pytest.mark.parametrize("which", [0, 1, 2])
    def test_closing_and_name_then_attribution(self, lang, which):
        raw = plain(
            lang,
            [CLOSINGS[lang][which], "Tom Baker", "", gmail_attr(lang)],
            quoted(old_lines(lang)),
        )
        assert new_part(raw) == expected(lang)

    @pytest.mark.parametrize("lang", list(CLOSINGS))
    def test_closing_name_and_company_then_outlook_header(self, lang):
        sig = [CLOSINGS[lang][0], "", "Tom Baker", "ACME GmbH", ""]
        block = [*sig, "_" * 32, *fields(lang, OUTLOOK_FIELDS[lang]), ""]
        assert new_part(plain(lang, block, old_lines(lang))) == expected(lang)

    @pytest.mark.parametrize("lang", list(SIGNATURE_BOX))
    def test_signature_box_then_outlook_header(self, lang):
        block = [*SIGNATURE_BOX[lang], "", OUTLOOK_SEP[lang], *fields(lang, OUTLOOK_FIELDS[lang])]
        assert new_part(plain(lang, [*block, ""], old_lines(lang))) == expected(lang)

    @pytest.mark.parametrize("lang", list(CLOSINGS))
    def test_outlook_html_signature_above_the_header(self, lang):
        head = "<br>".join(
            f"<b>{h(row.split(': ', 1)[0])}:</b> {h(row.split(': ', 1)[1])}"
            for row in fields(lang, OUTLOOK_FIELDS[lang])
        )
        markup = (
            f'{answer_html(lang, "p class=MsoNormal")}<p class="MsoNormal">&nbsp;</p>'
            f'<p class="MsoNormal">{h(CLOSINGS[lang][0])}</p><p class="MsoNormal">Tom Baker<br>'
            'ACME GmbH<br>Tel. +49 30 1234567</p><p class="MsoNormal">&nbsp;</p>'
            '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
            f'<p class="MsoNormal">{head}</p></div>{html_lines(old_lines(lang), "p")}'
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    def test_a_framed_log_at_the_end_stays(self):
        log = ["=" * 20, "Build 2026-03-03 10:00 failed", "Step 4 of 7", "=" * 20]
        raw = plain_message("\n".join([answer_text("en"), "", *log]) + "\n", "en")
        # (a trailing rule line is dropped with the ends of every new part)
        assert new_part(raw).startswith(" ".join([expected("en"), *log[:3]]))


class TestWebmailsHtml:
    @langs
    def test_zimbra_reply_html(self, lang):
        sent = ZIMBRA_SEP[lang][1]
        labels = (OUTLOOK_FIELDS[lang][0], OUTLOOK_FIELDS[lang][2], sent, OUTLOOK_FIELDS[lang][3])
        head = "<br>".join(
            f"<b>{h(r.split(': ', 1)[0])}: </b>{h(r.split(': ', 1)[1])}"
            for r in ordered_fields(lang, labels, (0, 2, 1, 3))
        )
        markup = (
            f'<div style="font-family: arial">{answer_html(lang)}<div><br></div><hr id="zwchr">'
            f'<div style="color:#000;font-weight:normal">{head}<br></div><br>{old_html(lang)}</div>'
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    @pytest.mark.parametrize("lang", ["en", "de", "fr", "es"])
    def test_gmx_reply_html(self, lang):
        labels = (OUTLOOK_FIELDS[lang][1].split()[0], DATE_FIELDS[lang][0])
        labels = (*labels, DATE_FIELDS[lang][2], DATE_FIELDS[lang][3])
        head = "<br>".join(
            f"<b>{h(r.split(': ', 1)[0])}:</b>&nbsp;{h(r.split(': ', 1)[1])}"
            for r in ordered_fields(lang, labels, (1, 0, 2, 3))
        )
        markup = (
            f'{answer_html(lang)}<div>&nbsp;</div><div name="quote" style="margin:10px 5px 5px '
            f'10px;border-left:2px solid #C3D9E5"><div style="margin:0 0 10px 0;">{head}</div>'
            f'<div name="quoted-content">{old_html(lang)}</div></div>'
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_qq_mail_reply_html(self, lang):
        sep, labels = "原始邮件", ("发件人", "发送时间", "收件人", "主题")
        if lang == "en":
            sep, labels = "Original", DATE_FIELDS["en"]
        values = (f'"{SENDER[lang]}"<{ADDR}>;', DATE_TEXT[lang], '"helpdesk"<x@example.org>;')
        rows = "".join(
            f"<div><b>{label}:</b>&nbsp;{h(value)}</div>"
            for label, value in zip(labels, (*values, SUBJECT[lang]), strict=True)
        )
        markup = (
            f'{answer_html(lang)}<div><br></div><div style="font-size:12px;padding:2px 0">'
            f"------------------&nbsp;{sep}&nbsp;------------------</div>"
            f'<div style="font-size:12px;background:#efefef;padding:8px;">{rows}</div>'
            f"<div><br></div>{old_html(lang)}"
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    def test_netease_reply_html(self):
        attribution = f'在 2026-03-03 10:00:00，"{SENDER["zh"]}" <{ADDR}> 写道：'
        markup = (
            f'{answer_html("zh")}<br><div style="position:relative;zoom:1"></div>'
            f'<div id="divNeteaseMailCard"></div><br><pre><br>{h(attribution)}<br></pre>'
            '<blockquote id="isReplyContent" style="PADDING-LEFT: 1ex; MARGIN: 0px 0px 0px '
            f'0.8ex; BORDER-LEFT: #ccc 1px solid">{old_html("zh")}</blockquote>'
        )
        assert new_part(html_message(markup, "zh")) == expected("zh")

    @pytest.mark.parametrize("lang", list(HORDE_ATTR))
    def test_horde_reply_html(self, lang):
        attribution = HORDE_ATTR[lang].format(s=f"{SENDER[lang]} <{ADDR}>")
        markup = (
            f"{answer_html(lang, 'p')}<p>{h(attribution)}</p>"
            f'<blockquote type="cite">{old_html(lang)}</blockquote>'
        )
        assert new_part(html_message(markup, lang)) == expected(lang)

    @langs
    def test_roundcube_reply_html(self, lang):
        markup = (
            f"{answer_html(lang, 'p')}<p>{h(thunderbird_attr(lang))}</p>"
            '<blockquote type="cite" style="padding: 0 0.4em; border-left: #1010ff 2px solid; '
            f'margin: 0">{old_html(lang)}</blockquote>'
        )
        assert new_part(html_message(markup, lang)) == expected(lang)


GMAIL_MOBILE_ATTR = {
    "en": "On Tue, 3 Mar 2026, 10:00 {n}, <{a}> wrote:",
    "fr": "Le mar. 3 mars 2026, 10:00, {n} <{a}> a écrit :",
    "de": "{n} <{a}> schrieb am Di., 3. März 2026, 10:00:",
    "es": "El mar., 3 de mar. de 2026 10:00, {n} <{a}> escribió:",
    "it": "Il mar 3 mar 2026, 10:00 {n} <{a}> ha scritto:",
    "nl": "Op di 3 mrt. 2026 10:00 schreef {n} <{a}>:",
    "pt": "Em ter., 3 de mar. de 2026 10:00, {n} <{a}> escreveu:",
    "ru": "вт, 3 мар. 2026 г., 10:00 {n} <{a}>:",
    "pl": "wt., 3 mar 2026, 10:00 użytkownik {n} <{a}> napisał:",
    "sv": "Den tis 3 mars 2026 10:00{n} <{a}> skrev:",
    "ja": "2026年3月3日(火) 10:00 {n} <{a}>:",
    "zh": "{n} <{a}>于2026年3月3日 周二10:00写道：",
}
YAHOO_MOBILE = {
    "en": "Sent from Yahoo Mail on Android",
    "fr": "Envoyé de Yahoo Mail pour Android",
    "de": "Von Yahoo Mail auf Android gesendet",
    "es": "Enviado desde Yahoo Mail para Android",
    "it": "Inviato da Yahoo Mail su Android",
    "nl": "Verzonden vanuit Yahoo Mail voor Android",
    "pt": "Enviado do Yahoo Mail no Android",
    "ru": "Отправлено из Yahoo Почты для Android",
    "pl": "Wysłane z Yahoo Mail na Androida",
    "sv": "Skickat från Yahoo Mail för Android",
    "ja": "Yahoo!メール Androidアプリから送信",
    "zh": "从 Android 版 Yahoo 邮箱发送",
}


class TestMobileApps:
    @langs
    def test_gmail_app_reply_plain(self, lang):
        attribution = GMAIL_MOBILE_ATTR[lang].format(n=SENDER[lang], a=ADDR)
        raw = plain(lang, [attribution, ""], quoted(old_lines(lang)))
        assert new_part(raw) == expected(lang)

    @langs
    def test_yahoo_app_reply_plain(self, lang):
        raw = plain(
            lang,
            [YAHOO_MOBILE[lang], "", "", f"    {yahoo_attr(lang)}", ""],
            [f" {x}" for x in old_lines(lang)],
        )
        assert new_part(raw) == expected(lang)


class TestWrappedAttributions:
    """A plain-text part wraps a long attribution line over two or three lines."""

    @langs
    @pytest.mark.parametrize("attr", [gmail_attr, apple_attr, thunderbird_attr, yahoo_attr])
    @pytest.mark.parametrize("width", [40, 60])
    def test_wrapped_attribution_above_the_quote(self, lang, attr, width):
        wrapped = textwrap.wrap(attr(lang), width, break_long_words=False, break_on_hyphens=False)
        raw = plain(lang, [*wrapped, ""], quoted(old_lines(lang)))
        assert new_part(raw) == expected(lang)

    def test_a_table_s_column_rules_are_no_separator(self):
        table = ["Zone    AVG.     BUY", "------  ------   ------", "Zone 1  2.2930   1.8650"]
        raw = plain_message("\n".join([answer_text("en"), "", *table]) + "\n", "en")
        assert new_part(raw) == " ".join(" ".join([expected("en"), *table]).split())
