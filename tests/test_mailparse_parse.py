"""parse_message on real and built messages: headers, bodies, attachments, automated mail."""

import io
import json
import struct
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from mailparse import Settings, parse_message
from mailparse.charsets import decode_bytes
from PIL import Image

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


def load(*parts) -> bytes:
    return DATA.joinpath(*parts).read_bytes()


def png(width: int, height: int, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (255, 0, 0, 128) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def build(html: str | None = None, text: str | None = "Hello", attachments=(), **headers) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Doe, John <John.Doe@Example.COM>")
    message["To"] = headers.pop("To", "support@example.com")
    message["Subject"] = headers.pop("Subject", "Printer broken")
    message["Message-ID"] = headers.pop("Message_ID", "<abc@example.com>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if text is not None:
        message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html") if text is not None else message.set_content(
            html, subtype="html"
        )
    for data, maintype, subtype, filename, cid in attachments:
        if cid:
            target = message.get_payload()[-1] if message.is_multipart() else message
            target.add_related(
                data, maintype, subtype, cid=f"<{cid}>", filename=filename, disposition="inline"
            )
        else:
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


# --- headers -------------------------------------------------------------------------------------


def test_addresses_ids_and_name_swap():
    raw = build(References="<a@x> <b@x> <c@x>", In_Reply_To="<c@x>", Cc="Ann <ANN@x.org>")
    raw = raw.replace(b"<a@x> <b@x> <c@x>", b"<a@x>\r\n <b@x>\r\n\t<c@x>")  # folded
    parsed = parse_message(raw)
    assert parsed.error == ""
    assert parsed.from_email == "john.doe@example.com"
    assert parsed.from_name == "John Doe"
    assert parsed.to == [("", "support@example.com")]
    assert parsed.cc == [("Ann", "ann@x.org")]
    assert parsed.message_id == parsed.stable_id == "abc@example.com"
    assert parsed.references == ["a@x", "b@x", "c@x"]
    assert parsed.in_reply_to == ["c@x"]
    assert parsed.subject == "Printer broken"


def test_sender_fallbacks_and_no_subject():
    raw = b"Sender: Bot <bot@x.org>\r\nSubject: \r\n\r\nbody\r\n"
    parsed = parse_message(raw)
    assert parsed.from_email == "bot@x.org"
    assert parsed.subject == ""
    raw = b"Reply-To: r@x.org\r\n\r\nbody\r\n"
    assert parse_message(raw).from_email == "r@x.org"


def test_rfc2047_words_across_folded_lines_and_split_multibyte():
    raw = (
        b"From: =?UTF-8?B?SsO8cmdlbg==?= <j@x.de>\r\n"
        b"Subject: =?UTF-8?Q?Caf=C3=A9_?=\r\n =?UTF-8?B?w6k=?=\r\n"
        b"\t=?ISO-8859-1?Q?_na=EFve?= done\r\n\r\nx"
    )
    parsed = parse_message(raw)
    assert parsed.subject == "Café é naïve done"
    assert parsed.from_name == "Jürgen"


def test_raw_8bit_headers_decode_as_utf8():
    raw = "Subject: Grüße aus Köln\r\nFrom: Zoë <z@x.de>\r\n\r\nhi".encode()
    parsed = parse_message(raw)
    assert parsed.subject == "Grüße aus Köln"
    assert parsed.from_name == "Zoë"


def test_message_without_message_id_gets_stable_fallback():
    raw = b"From: a@x.org\r\nSubject: s\r\nDate: Mon, 1 Jan 2024 10:00:00 +0100\r\n\r\nbody\r\n"
    first = parse_message(raw)
    again = parse_message(raw.replace(b"\r\n", b"\n"))
    assert first.message_id == ""
    assert first.stable_id.startswith("sha256:")
    assert first.stable_id == again.stable_id
    assert parse_message(raw + b"more").stable_id != first.stable_id
    assert first.date.isoformat() == "2024-01-01T09:00:00+00:00"


def test_use_message_id_as_uid():
    raw = build()
    assert parse_message(raw, Settings(use_message_id_as_uid=True)).uid == "abc@example.com"


# --- charsets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "label", "expected"),
    [
        (b"\x93quoted\x94 \x80", "iso-8859-1", "“quoted” €"),  # mislabelled windows-1252
        ("日本語".encode("iso2022_jp"), "ISO-2022-JP", "日本語"),
        ("中文字符".encode("gb18030"), "gb2312", "中文字符"),
        ("한국어".encode("cp949"), "ks_c_5601-1987", "한국어"),
        ("Hi €".encode("utf-7"), "utf-7", "Hi €"),
        ("déjà".encode() + b"\xe9", "utf-8", "déjàé"),  # stray byte, no mojibake elsewhere
        ("déjà".encode(), "x-unknown", "déjà"),
    ],
)
def test_decode_bytes(data, label, expected):
    assert decode_bytes(data, label) == expected


@pytest.mark.parametrize(
    ("name", "subject", "needle"),
    [
        ("japanese_iso_2022.eml", "まみむめも", "すみません"),
        ("ks_c_5601-1987.eml", None, "스티해"),
        ("japanese_shift_jis.eml", None, "あいうえお"),
    ],
)
def test_real_cjk_mail(name, subject, needle):
    parsed = parse_message(load("mikel", name))
    if subject:
        assert parsed.subject == subject
    assert needle in parsed.body_text


# --- bodies --------------------------------------------------------------------------------------


def test_body_parts_order_and_text_to_html():
    raw = build(html="<p>Hi <b>there</b> <a href='https://x.org/a'>doc</a></p>", text="Hi there")
    assert parse_message(raw).body_part == "text/html"
    parsed = parse_message(raw)
    assert "[doc](https://x.org/a)" in parsed.body_text  # links kept
    plain = parse_message(raw, Settings(body_parts_order=("text/plain", "text/html")))
    assert plain.body_part == "text/plain"
    assert plain.body_html == "<p>Hi there</p>"
    text = parse_message(build(text="a < b\nsee https://x.org/p?q=1\n\nnext"))
    assert text.body_html == (
        '<p>a &lt; b<br>\nsee <a href="https://x.org/p?q=1">https://x.org/p?q=1</a></p>\n<p>next</p>'
    )


def test_talon_plain_reply_new_part():
    settings = Settings(body_parts_order=("text/plain", "text/html"))
    for name in ("gmail", "yahoo", "android", "apple_mail"):
        parsed = parse_message(load("talon", f"{name}.eml"), settings)
        assert parsed.new_part_text == "Hello", name


def test_mobile_signature_cut_but_kept_in_with_signature_field():
    parsed = parse_message(load("talon", "iphone.eml"), Settings(body_parts_order=("text/plain",)))
    assert parsed.new_part_text == "Hello"
    assert parsed.new_part_with_signature == "Hello\n\nSent from my iPhone"
    assert parsed.signature_text == "Sent from my iPhone"


def test_inline_cid_image_kept_in_html_and_marked_inline():
    html = '<p>See <img src=cid:shot@x alt=""> and <img src="cid:missing@x"></p>'
    raw = build(html=html, attachments=[(png(300, 200), "image", "png", "shot.png", "shot@x")])
    parsed = parse_message(raw)
    assert 'src="cid:shot@x"' in parsed.body_html
    assert 'src="cid:missing@x"' in parsed.body_html  # unmatched cid left alone
    [att] = parsed.attachments
    assert (att.filename, att.content_id, att.inline, att.kept) == (
        "shot.png",
        "shot@x",
        True,
        True,
    )
    assert (att.width, att.height) == (300, 200)


# --- attachments ---------------------------------------------------------------------------------


def test_forwarded_message_kept_as_eml():
    parsed = parse_message(load("mikel", "attachment_message_rfc822.eml"))
    [att] = parsed.attachments
    assert att.filename.endswith(".eml") and att.content_type == "message/rfc822"
    assert parse_message(att.data).subject  # a readable message
    assert att.kept


def test_rfc2231_2047_and_raw_8bit_filenames():
    assert (
        parse_message(load("mikel", "attachment_nonascii_filename.eml")).attachments[0].filename
        == "ciële.txt"
    )
    message = EmailMessage()
    message["Subject"] = "x"
    message.set_content("body")
    message.add_attachment(
        b"%PDF", maintype="application", subtype="pdf", filename="Résumé été.pdf"
    )
    parsed = parse_message(message.as_bytes())
    assert parsed.attachments[0].filename == "Résumé été.pdf"
    raw = message.as_bytes().replace(
        parsed.attachments[0].filename.encode(), b"x"
    )  # unchanged as the name is RFC 2231-encoded
    assert b"filename*=" in raw


def test_unnamed_parts_get_type_based_names():
    message = EmailMessage()
    message["Subject"] = "x"
    message.set_content("body")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf")
    message.add_attachment(b"raw", maintype="application", subtype="x-custom")
    names = [att.filename for att in parse_message(message.as_bytes()).attachments]
    assert names == ["application001.pdf", "application002.x-custom"]


def test_exclusion_exact_wildcard_and_dangerous_defaults():
    attachments = [
        (b"MZ..", "application", "octet-stream", "setup.exe", None),
        (b"x", "application", "x-foo", "data.foo", None),
        (b"%PDF", "application", "pdf", "ok.pdf", None),
        (b"echo", "application", "octet-stream", "run.ps1", None),
        (b"[InternetShortcut]", "application", "octet-stream", "link.lnk", None),
    ]
    raw = build(attachments=attachments)
    parsed = parse_message(
        raw, Settings.from_itop({"exclude_attachment_types": ["application/x-*"]})
    )
    kept = {att.filename: (att.kept, att.reason) for att in parsed.attachments}
    assert kept["ok.pdf"] == (True, "")
    assert kept["data.foo"][0] is False and "excluded type application/x-foo" in kept["data.foo"][1]
    assert kept["setup.exe"][0] is False  # excluded by the wildcard before the block list
    default = parse_message(raw)
    reasons = {att.filename: att.reason for att in default.attachments}
    assert reasons["setup.exe"] == "dangerous type application/x-msdos-program"
    assert reasons["data.foo"] == ""
    assert kept["run.ps1"][0] is False
    assert kept["link.lnk"][0] is False
    relaxed = parse_message(
        raw, Settings(exclude_attachment_types=(), block_dangerous_attachments=False)
    )
    assert all(att.kept for att in relaxed.attachments)


def _tnef_attr(level: int, attr: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, attr, len(data)) + data + struct.pack("<H", checksum)


def test_tnef_winmail_dat_is_unpacked():
    stream = struct.pack("<IH", 0x223E9F78, 1)
    stream += _tnef_attr(1, 0x00089006, b"\x01\x00\x00\x00")  # a message-level attribute
    for name, payload in (
        (b"REPORT.TXT\x00", b"quarterly numbers"),
        (b"LOGO.PNG\x00", png(200, 60)),
    ):
        stream += _tnef_attr(2, 0x00069002, b"\x01\x00" + b"\x00" * 12)
        stream += _tnef_attr(2, 0x00018010, name)
        stream += _tnef_attr(2, 0x0006800F, payload)
    raw = build(attachments=[(stream, "application", "ms-tnef", "winmail.dat", None)])
    atts = parse_message(raw).attachments
    assert [(a.filename, a.kept) for a in atts] == [("REPORT.TXT", True), ("LOGO.PNG", True)]
    assert atts[0].data == b"quarterly numbers"
    assert atts[1].content_type == "image/png" and atts[1].width == 200


def test_truncated_tnef_does_not_raise():
    stream = struct.pack("<IH", 0x223E9F78, 1) + b"\x02\x10\x80\x01\x00\xff\xff"
    raw = build(attachments=[(stream, "application", "ms-tnef", "winmail.dat", None)])
    parsed = parse_message(raw)
    assert parsed.error == ""
    assert parsed.attachments[0].filename == "winmail.dat"  # kept as is


# --- images --------------------------------------------------------------------------------------


def test_small_images_dropped_when_width_or_height_below_minimum():
    attachments = [
        (png(50, 10), "image", "png", "logo.png", None),
        (png(300, 10), "image", "png", "bar.png", None),
        (png(100, 20), "image", "png", "exact.png", None),
    ]
    atts = {a.filename: a for a in parse_message(build(attachments=attachments)).attachments}
    assert not atts["logo.png"].kept and atts["logo.png"].reason == "image 50x10 below 100x20"
    assert not atts["bar.png"].kept
    assert atts["exact.png"].kept


def test_big_images_resized_keeping_ratio_format_and_transparency():
    settings = Settings(images_maximum_size=(1000, 1000))
    jpeg = io.BytesIO()
    Image.new("RGB", (4000, 3000), (10, 20, 30)).save(jpeg, "JPEG")
    attachments = [
        (jpeg.getvalue(), "image", "jpeg", "photo.jpg", None),
        (png(2000, 500), "image", "png", "wide.png", None),
    ]
    atts = {
        a.filename: a for a in parse_message(build(attachments=attachments), settings).attachments
    }
    photo = Image.open(io.BytesIO(atts["photo.jpg"].data))
    assert (photo.format, photo.size) == ("JPEG", (1000, 750))
    wide = Image.open(io.BytesIO(atts["wide.png"].data))
    assert (wide.format, wide.size, wide.mode) == ("PNG", (1000, 250), "RGBA")
    assert wide.getpixel((0, 0))[3] == 128


def test_corrupt_image_kept_as_is():
    truncated = png(3000, 3000)[:60] + b"garbage"  # header readable, pixels not
    settings = Settings(images_maximum_size=(100, 100))
    [att] = parse_message(
        build(attachments=[(truncated, "image", "png", "broken.png", None)]), settings
    ).attachments
    assert att.kept and att.data == truncated
    [att] = parse_message(
        build(attachments=[(b"not an image", "image", "png", "x.png", None)])
    ).attachments
    assert att.kept and att.width is None


def test_decompression_bomb_is_not_decoded():
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")  # 400 Mpx, tiny file
    raw = build(attachments=[(out.getvalue(), "image", "png", "bomb.png", None)])
    [att] = parse_message(raw, Settings(images_maximum_size=(100, 100))).attachments
    assert att.data == out.getvalue()  # neither decoded nor resized


# --- automated mail ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("rfc3834-01.eml", "auto_reply"),
        ("arf-01.eml", "feedback_report"),
        ("lhost-sendmail-15.eml", "bounce"),
    ],
)
def test_sisimai_automated(name, kind):
    parsed = parse_message(load("sisimai", name))
    assert parsed.automated is not None and parsed.automated.kind == kind


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ({"Subject": "Out of office: back Monday"}, "undesired_subject"),
        ({"Subject": "Réponse automatique: absent"}, "undesired_subject"),
        ({"Auto_Submitted": "auto-replied"}, "auto_reply"),
        ({"Auto_Submitted": "auto-generated"}, "bulk"),
        ({"X_Autoreply": "yes"}, "auto_reply"),
        ({"X_Autorespond": "vacation"}, "auto_reply"),
        ({"Precedence": "bulk"}, "bulk"),
        ({"Precedence": "junk"}, "bulk"),
        ({"X_Auto_Response_Suppress": "OOF, AutoReply"}, "bulk"),
        ({"X_Loop": "helpdesk@example.com"}, "loop"),
        ({"Return_Path": "<>"}, "bounce"),
        ({"From": "MAILER-DAEMON@mx.example.com"}, "bounce"),
        ({"From": "postmaster@example.com"}, "bounce"),
    ],
)
def test_automated_headers(headers, kind):
    parsed = parse_message(build(**headers))
    assert parsed.automated is not None, headers
    assert parsed.automated.kind == kind
    assert parsed.automated.reason


def test_human_mail_not_flagged():
    assert parse_message(build(Auto_Submitted="no")).automated is None
    assert (
        parse_message(build(Subject="Re: automatic answer needed for my invoice")).automated is None
    )
    for name in ("gmail", "yahoo", "iphone"):
        assert parse_message(load("talon", f"{name}.eml")).automated is None


# --- robustness, CLI, isolation -----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00\xff\xfe", b"Subject: x", b"Content-Type: multipart/mixed\r\n\r\n--", "é".encode()],
)
def test_garbage_never_raises(raw):
    parsed = parse_message(raw)
    assert isinstance(parsed.error, str)
    assert parsed.stable_id


def test_cli_prints_one_json_object_per_file(tmp_path):
    bad = tmp_path / "missing.eml"
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"title_pattern": "/Ticket#(\\d+)/"}))
    ticket = tmp_path / "t.eml"
    ticket.write_bytes(build(Subject="Re: [Ticket#42] broken"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mailparse",
            "--config",
            str(config),
            str(DATA / "talon" / "gmail.eml"),
            str(bad),
            str(ticket),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "helpdesk_mail_ticket")},
        check=True,
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3
    keys = {
        "file",
        "message_id",
        "subject",
        "from_email",
        "from_name",
        "to",
        "cc",
        "date",
        "in_reply_to",
        "references",
        "body_part",
        "description_html",
        "text",
        "new_part",
        "automated",
        "ticket_refs",
        "attachments",
        "defects",
        "error",
    }
    assert keys <= set(rows[0])
    assert rows[0]["error"] == "" and rows[0]["from_email"] == "xxx@gmail.com"
    assert rows[1]["error"].startswith("FileNotFoundError")
    assert rows[2]["ticket_refs"] == ["Ticket#42", "42"]


def test_imports_with_odoo_blocked():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'odoo' or name.startswith('odoo.'):\n"
        "            raise ImportError('odoo is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "try:\n"
        "    import odoo\n"
        "except ImportError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('blocker failed')\n"
        "import mailparse, mailparse.cli\n"
        "from mailparse import parse_message\n"
        "assert parse_message(b'Subject: ok\\r\\n\\r\\nhi').subject == 'ok'\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'odoo']\n"
        "print('ok')\n"
    )
    result = subprocess.run(  # noqa: PLW1510 - the return code is asserted below
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "helpdesk_mail_ticket")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_msg_ids_wrapped_in_encoded_words_are_read():
    """Python's email package wraps a long msg-id in RFC 2047 words; replies still match."""
    from email.message import EmailMessage

    long_id = "<507073826179893.1795580285.816148042678833-openerp-1-helpdesk.mail.ticket@vm>"
    message = EmailMessage()
    message["From"] = "a@example.com"
    message["In-Reply-To"] = long_id
    message["References"] = f"{long_id} <other@example.com>"
    message.set_content("hi")
    raw = message.as_bytes()
    assert b"=?utf-8?q?" in raw
    parsed = parse_message(raw)
    assert parsed.in_reply_to == [long_id.strip("<>")]
    assert parsed.references == [long_id.strip("<>"), "other@example.com"]


def test_the_text_of_an_html_body_is_made_only_when_read(monkeypatch):
    """html2text is a good share of a parse, and the addon reads the HTML only: the
    text of an HTML body is computed on first read, once, and equals the eager one."""
    from mailparse import htmlbody, parse

    message = EmailMessage()
    message["From"] = "a@b.example"
    message["Subject"] = "Printer"
    message.set_content(
        "<p>The printer is jammed.</p><p>Regards,<br>Ann</p>"
        "<blockquote>On Monday, Bob wrote: it works</blockquote>",
        subtype="html",
    )
    calls = []

    def counting(markup):
        calls.append(markup)
        return htmlbody.html_to_text(markup)

    monkeypatch.setattr(parse, "html_to_text", counting)
    parsed = parse_message(message.as_bytes(), Settings())
    assert parsed.body_part == "text/html" and calls == []
    assert parsed.body_text == htmlbody.html_to_text(parsed.body_html)
    assert parsed.new_part_text == htmlbody.html_to_text(parsed.new_part_html)
    assert parsed.new_part_with_signature == parsed.new_part_text
    assert "jammed" in parsed.new_part_text and "it works" not in parsed.new_part_text
    assert len(calls) == 2, "each text made once"
    parsed.body_text, parsed.new_part_text  # noqa: B018 - read again: no new call
    assert len(calls) == 2
