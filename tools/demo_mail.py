"""The demo's sample mail: a morning at ACME's IT helpdesk (imported by tools/demo.py).

First cycle, the mailbox holds:

1. Alice asks for help: the shared drive refuses her, a screenshot in the mail, her
   manager Bob in copy;
2. Claire writes in French: the second-floor printer prints blank pages;
3. Jürgen writes in German: the VPN drops every few minutes, his client's log attached;
4. a bounce: the mail server could not deliver an earlier answer to a colleague who left.

Then an agent answers Alice from the ticket (in Odoo), and for the second cycle:

5. Alice answers the agent above the quoted history;
6. Bob's out-of-office answers the agent's mail he got in copy.

Standard library only (Pillow draws the screenshot when present).
"""

import io
import zlib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

MAILBOX = "support@helpdesk.example"
ALICE = ("Alice Martin", "alice.martin@acme.example")
BOB = ("Bob Lee", "bob.lee@acme.example")
AGENT_REPLY = (
    "<p>Hello Alice,</p><p>your account had lost its membership of the group "
    "<b>Finance-Share</b>; I added it back. Please log off and on again, then tell me "
    "whether the drive opens.</p><p>ACME IT support</p>"
)


def _date(hours_ago):
    return format_datetime(datetime.now().astimezone() - timedelta(hours=hours_ago))


def _message(sender, subject, hours_ago, domain):
    message = EmailMessage()
    message["From"] = f"{sender[0]} <{sender[1]}>"
    message["To"] = f"ACME IT support <{MAILBOX}>"
    message["Subject"] = subject
    message["Date"] = _date(hours_ago)
    message["Message-ID"] = make_msgid(domain=domain)
    return message


def screenshot_png():
    """A 360x120 screenshot of the error (a plain PNG without Pillow)."""
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        return _plain_png(360, 120)
    image = Image.new("RGB", (360, 120), (240, 240, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 359, 22), fill=(0, 84, 166))
    draw.text((8, 6), "Network Error", fill="white")
    draw.text((12, 45), "Windows cannot access \\\\files\\finance", fill="black")
    draw.text((12, 70), "Error 0x80070005: Access is denied.", fill=(180, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _plain_png(width, height):
    def chunk(kind, data):
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    rows = b"".join(b"\x00" + b"\xf0\xf0\xf0" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def request_with_screenshot():
    message = _message(ALICE, "Cannot open the shared drive", 3, "acme.example")
    message["Cc"] = f"{BOB[0]} <{BOB[1]}>"
    message.set_content(
        "Hello,\n\nsince this morning the shared drive \\\\files\\finance says access is "
        "denied (screenshot attached). I need it for the month-end closing today.\n\n"
        "Alice Martin\nFinance, ACME\n"
    )
    message.add_alternative(
        "<p>Hello,</p><p>since this morning the shared drive <code>\\\\files\\finance</code>"
        " says <b>access is denied</b>:</p>"
        '<p><img src="cid:screenshot@acme.example" alt="Access is denied"></p>'
        "<p>I need it for the month-end closing today.</p><p>Alice Martin<br>Finance, ACME</p>",
        subtype="html",
    )
    message.get_payload()[1].add_related(
        screenshot_png(), "image", "png", cid="<screenshot@acme.example>",
        filename="screenshot.png",
    )  # fmt: skip
    return message


def request_in_french():
    message = _message(
        ("Claire Dubois", "claire.dubois@acme.example"),
        "Imprimante du 2e étage : les pages sortent blanches",
        2.5,
        "acme.example",
    )
    message.set_content(
        "Bonjour,\n\nl'imprimante du deuxième étage (salle 214) sort des pages blanches "
        "depuis ce matin, même après avoir changé le toner.\n\nMerci d'avance,\n"
        "Claire Dubois\nComptabilité\n"
    )
    return message


def request_in_german():
    message = _message(
        ("Jürgen Schäfer", "juergen.schaefer@acme.example"),
        "VPN-Verbindung bricht ständig ab",
        2,
        "acme.example",
    )
    message.set_content(
        "Hallo zusammen,\n\nseit dem Update gestern bricht meine VPN-Verbindung alle paar "
        "Minuten ab. Das Protokoll des Clients hänge ich an.\n\nViele Grüße\nJürgen Schäfer\n"
    )
    log = (
        "2026-03-02 08:14:03 tunnel up (gateway vpn.acme.example)\n"
        "2026-03-02 08:17:41 DPD timeout, peer not responding\n"
        "2026-03-02 08:17:41 tunnel down, reconnecting\n"
    )
    message.add_attachment(log, subtype="plain", filename="vpn-client.log")
    return message


def bounce():
    """A delivery status notification (RFC 3464) for an earlier answer of the helpdesk."""
    return (
        (
            "From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>\n"
            f"To: {MAILBOX}\n"
            "Subject: Undelivered Mail Returned to Sender\n"
            f"Date: {_date(1.5)}\n"
            f"Message-ID: {make_msgid(domain='mx.acme.example')}\n"
            "Auto-Submitted: auto-replied\n"
            "MIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-1"\n'
            "\n--dsn-1\nContent-Type: text/plain; charset=us-ascii\n\n"
            "This is the mail system at host mx.acme.example.\n\n"
            "I'm sorry to have to inform you that your message could not be delivered to one\n"
            "or more recipients.\n\n"
            "<tom.weber@acme.example>: host mx.acme.example said: 550 5.1.1 User unknown\n"
            "\n--dsn-1\nContent-Type: message/delivery-status\n\n"
            "Reporting-MTA: dns; mx.acme.example\n\n"
            "Final-Recipient: rfc822; tom.weber@acme.example\nAction: failed\nStatus: 5.1.1\n"
            "\n--dsn-1\nContent-Type: text/rfc822-headers\n\n"
            f"From: ACME IT support <{MAILBOX}>\nTo: tom.weber@acme.example\n"
            f"Subject: Re: Laptop replacement\n"
            f"Message-ID: {make_msgid(domain='helpdesk.example')}\n"
            "\n--dsn-1--\n"
        )
        .replace("\n", "\r\n")
        .encode()
    )


def first_cycle():
    """(label, raw bytes) of the mail waiting in the mailbox at the first cycle."""
    return [
        ("request with a screenshot", request_with_screenshot().as_bytes()),
        ("request in French", request_in_french().as_bytes()),
        ("request in German", request_in_german().as_bytes()),
        ("bounce", bounce()),
    ]


def second_cycle(request_id, agent_id, reference):
    """The answers to the agent's reply (Message-ID ``agent_id``) on ticket ``reference``."""
    answer = _message(ALICE, f"Re: [{reference}] Cannot open the shared drive", 0.5, "acme.example")
    answer["In-Reply-To"] = agent_id
    answer["References"] = f"{request_id} {agent_id}"
    answer.set_content(
        "Yes, it opens again after logging on again. Thank you, you saved my closing!\n"
        "\nAlice\n\n"
        f"On {_date(1)}, ACME IT support <{MAILBOX}> wrote:\n"
        "> Hello Alice,\n>\n> your account had lost its membership of the group "
        "Finance-Share; I\n> added it back. Please log off and on again, then tell me "
        "whether the\n> drive opens.\n>\n> ACME IT support\n"
    )
    away = _message(BOB, f"Automatic reply: [{reference}] Cannot open the shared drive", 0.9,
                    "acme.example")  # fmt: skip
    away["In-Reply-To"] = agent_id
    away["Auto-Submitted"] = "auto-replied"
    away["X-Auto-Response-Suppress"] = "All"
    away.set_content(
        "I am out of the office until Monday with no access to my mail. For urgent "
        "matters, please call the finance desk.\n\nBob Lee\n"
    )
    return [
        ("the customer answers the agent", answer.as_bytes()),
        ("out-of-office", away.as_bytes()),
    ]
