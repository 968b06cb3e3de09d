# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What an email may put in front of an agent: no script, no event handler, no
``javascript:`` URL, no remote tracking pixel, no dangerous attachment."""

import io
import re

from lxml import html as lxml_html
from PIL import Image

from odoo.tests import tagged

from .common import MailTicketCase, make_email

# From the OWASP XSS filter evasion cheat sheet and PortSwigger's XSS cheat sheet.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)><circle r=1></circle></svg>",
    "<svg><script>alert(4)</script></svg>",
    '<a href="javascript:alert(5)">click</a>',
    '<a href="JaVaScRiPt:alert(6)">click</a>',
    '<a href="jav&#x09;ascript:alert(7)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==">click</a>',
    "<body onload=alert(9)>",
    '<iframe src="javascript:alert(10)"></iframe>',
    '<div style="width: expression(alert(11))">x</div>',
    '<div style="background:url(javascript:alert(12))">x</div>',
    '<object data="javascript:alert(13)"></object>',
    '<embed src="javascript:alert(14)">',
    '<form action="javascript:alert(15)"><button formaction="javascript:alert(15)">go</button>'
    "</form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(16)>",
    "<details open ontoggle=alert(17)>x</details>",
    "<input autofocus onfocus=alert(18)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(19)">',
    '<base href="javascript:alert(20)//">',
    '<link rel=stylesheet href="javascript:alert(21)">',
    '<video><source onerror="alert(22)"></video>',
    "<marquee onstart=alert(23)>x</marquee>",
    '"><script>alert(24)</script>',
    "<scr<script>ipt>alert(25)</scr</script>ipt>",
    '<a href="  javascript:alert(26)">x</a>',
    "<style>@import 'javascript:alert(27)';</style>",
    '<img src="x" style="x:expr/**/ession(alert(28))">',
    '<a href="vbscript:msgbox(29)">x</a>',
    '<svg><a xlink:href="javascript:alert(30)"><text y="20">x</text></a></svg>',
    '<noscript><p title="</noscript><img src=x onerror=alert(31)>"></noscript>',
    '<table background="javascript:alert(32)"><tr><td>x</td></tr></table>',
]
DANGEROUS_ELEMENTS = {
    "script",
    "iframe",
    "object",
    "embed",
    "base",
    "meta",
    "link",
    "form",
    "style",
    "frame",
    "frameset",
    "applet",
}
DANGEROUS_VALUE = re.compile(r"javascript:|vbscript:|data:text|expression\(|@import", re.I)


def assert_harmless(case, html):
    """No element that runs code, no event handler, no script URL in any attribute."""
    if not html:
        return
    root = lxml_html.fragment_fromstring(str(html), create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        case.assertNotIn(element.tag.lower(), DANGEROUS_ELEMENTS, html)
        for name, value in element.attrib.items():
            case.assertFalse(name.lower().startswith("on"), f"{name}= survived in {html}")
            squeezed = re.sub(r"[\s\x00-\x1f]+", "", value)
            case.assertIsNone(DANGEROUS_VALUE.search(squeezed), f"{name}={value} in {html}")


def png(width, height, color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestContentSecurity(MailTicketCase):
    def _stored_description(self, ticket):
        # As stored in the database, not as the ORM re-renders it.
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT description FROM helpdesk_mail_ticket WHERE id = %s", [ticket.id]
        )
        return self.env.cr.fetchone()[0]

    def test_xss_payloads_never_reach_a_ticket(self):
        # More tickets from one sender than the mail gateway's loop threshold allows.
        self.env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", "100")
        for number, payload in enumerate(XSS_PAYLOADS):
            self.deliver(
                make_email(
                    subject=f"Payload {number}",
                    body="see html",
                    html=f"<html><body><p>Hello {number}</p>{payload}</body></html>",
                    message_id=f"<xss-{number}@client.example>",
                )
            )
        self.deliver(
            make_email(
                subject="Re: Payload 0",
                body="see html",
                html="<p>All at once in a reply</p>" + "".join(XSS_PAYLOADS),
                headers={"In-Reply-To": "<xss-0@client.example>"},
                message_id="<xss-reply@client.example>",
            )
        )
        self.fetch()
        ledger = self.ledger()
        self.assertEqual(len(ledger), len(XSS_PAYLOADS) + 1)
        self.assertEqual(set(ledger.mapped("state")), {"processed"})
        self.assertEqual(
            ledger.filtered(lambda m: m.action == "updated").message_id, "xss-reply@client.example"
        )
        tickets = self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", self.inbox.id)])
        self.assertEqual(len(tickets), len(XSS_PAYLOADS))
        for ticket in tickets:
            stored = self._stored_description(ticket)
            self.assertIn("Hello", stored)
            assert_harmless(self, stored)
            for message in ticket.message_ids:
                assert_harmless(self, message.body)

    def test_remote_images_are_stripped_inline_images_kept(self):
        html = (
            "<p>My screen:</p>"
            '<img src="cid:screen@client" alt="screen">'
            '<img src="https://tracker.example/open.gif?u=42" width="1" height="1">'
            '<img src="//tracker.example/p.gif">'
            '<img src="http://tracker.example/a.png" srcset="https://tracker.example/b.png 2x">'
            '<div style="color: red; background-image: url(https://tracker.example/bg.png)">'
            "styled</div>"
            '<table background="https://tracker.example/t.gif"><tr><td>cell</td></tr></table>'
            '<video poster="https://tracker.example/v.png"></video>'
        )
        raw = make_email(subject="Pixels", html=html, message_id="<px-1@client.example>")
        # Add the inline image the cid points to (big enough to be kept).
        raw = self._with_inline_image(raw, png(400, 300), "screen@client")
        self.deliver(raw)
        self.deliver(
            make_email(
                subject="Re: Pixels",
                html='<p>Reply</p><img src="https://tracker.example/reply.gif">',
                headers={"In-Reply-To": "<px-1@client.example>"},
                message_id="<px-2@client.example>",
            )
        )
        self.fetch()
        ticket = self.ticket_of(self.ledger().filtered(lambda m: m.action == "created"))
        stored = self._stored_description(ticket)
        bodies = " ".join(ticket.message_ids.mapped("body"))
        for text in (stored, bodies):
            self.assertNotIn("tracker.example", text)
        self.assertIn("My screen:", stored)
        self.assertIn("styled", stored)
        self.assertIn("color", stored, "harmless style is kept")
        self.assertRegex(stored, r'<img[^>]+src="/web/image/\d+\?access_token=')

    def _with_inline_image(self, raw, data, cid):
        from email import message_from_bytes, policy

        message = message_from_bytes(raw, policy=policy.default)
        html_part = message.get_body(preferencelist=("html",))
        html_part.add_related(data, maintype="image", subtype="png", cid=f"<{cid}>")
        return message.as_bytes()

    def test_dangerous_attachments_blocked_by_default(self):
        attachments = [
            ("invoice.exe", "application/octet-stream", b"MZ\x90\x00fake executable"),
            ("setup.msi", "application/x-msi", b"\xd0\xcf\x11\xe0fake installer"),
            ("run.js", "text/plain", b"WScript.Echo('x')"),
            ("payload.scr", "application/octet-stream", b"MZfake"),
            ("tool.bat", "text/plain", b"del /q C:\\*"),
            ("macro.vbs", "text/plain", b"MsgBox 1"),
            ("shortcut.lnk", "application/octet-stream", b"L\x00\x00\x00"),
            ("report.pdf", "application/pdf", b"%PDF-1.4 harmless report"),
            ("notes.txt", "text/plain", b"harmless notes"),
        ]
        self.deliver(
            make_email(
                subject="Files", attachments=attachments, message_id="<att-1@client.example>"
            )
        )
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        names = sorted(
            self.env["ir.attachment"]
            .search([("res_model", "=", ticket._name), ("res_id", "=", ticket.id)])
            .mapped("name")
        )
        self.assertEqual(names, ["notes.txt", "report.pdf"])
