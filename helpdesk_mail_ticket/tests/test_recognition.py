# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Known mail stays known: a mailbox renumbered by its server (a new IMAP UIDVALIDITY,
new POP3 UIDLs) imports nothing twice and loses nothing, whatever state its messages
were in; a different email that reuses a Message-ID is not taken for a duplicate;
``use_message_id_as_uid`` keys the ledger by Message-ID."""

import email.policy
from email.message import EmailMessage
from unittest.mock import patch

from odoo.tests import tagged

from ..mailharness.proxy import FaultProxy
from ..mailsource import NetworkError
from ..mailsource.imap import ImapSource
from ..models import mail_inbox_sync
from .common import MailTicketCase, make_email

FORWARD_SUBJECT = "[Helpdesk] Failed to process an incoming email"


class RenumberCase(MailTicketCase):
    def setUp(self):
        super().setUp()
        self.inbox.write(
            {"notify_errors_to": "admin@helpdesk.example", "notify_errors_from": "hd@x.example"}
        )

    def tickets(self, inbox=None):
        return self.env["helpdesk.mail.ticket"].search(
            [("mail_inbox_id", "=", (inbox or self.inbox).id)]
        )

    def forwards(self):
        return self.env["mail.mail"].search([("subject", "like", FORWARD_SUBJECT)])

    def snapshot(self, inbox=None):
        """What must not change when the mailbox is renumbered: each line's state,
        action and ticket, the tickets, the forwards."""
        lines = self.ledger(inbox)
        return (
            sorted((m.id, m.state, m.action or "", m.ticket_id) for m in lines),
            self.tickets(inbox).ids,
            self.forwards().ids,
        )

    def fill_with_every_state(self, login=None, inbox=None):
        """A processed mail, one too big, one in error, one in error then ignored by
        the admin: each in its final state."""
        login, inbox = login or self.mailbox_login, inbox or self.inbox
        self.deliver(make_email(subject="Fine", message_id="<fine@c.x>"), login=login)
        self.deliver(
            make_email(subject="Stranger 1", sender="x1@unknown.example", message_id="<s1@c.x>"),
            login=login,
        )
        self.deliver(
            make_email(subject="Stranger 2", sender="x2@unknown.example", message_id="<s2@c.x>"),
            login=login,
        )
        self.deliver(
            make_email(subject="Huge", body="big " * 5000, message_id="<huge@c.x>"), login=login
        )
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.maximum_email_size", "8K")
        self.fetch(inbox)
        lines = self.ledger(inbox).sorted("id")
        self.assertEqual(
            lines.mapped("state"), ["processed", "error", "error", "error"], lines.mapped("reason")
        )
        lines[2].action_ignore()
        self.assertGreaterEqual(len(self.forwards()), 2)
        return lines


@tagged("post_install", "-at_install")
class TestRenumberedStates(RenumberCase):
    def test_imap_uidvalidity_change_keeps_every_state(self):
        lines = self.fill_with_every_state()
        before = self.snapshot()
        new_validity = self.dovecot.reset_uidvalidity(self.mailbox_login)
        self.deliver(make_email(subject="After", message_id="<after@c.x>"))
        result = self.fetch()
        self.assertEqual((result["new"], result["processed"]), (1, 1), result)
        after_lines = self.ledger() - lines
        self.assertEqual(after_lines.mapped("action"), ["created"])
        self.assertEqual(self.snapshot()[0][:4], before[0], "the known lines kept their state")
        self.assertEqual(len(self.tickets()), len(before[1]) + 1, "no ticket twice")
        self.assertEqual(self.forwards().ids, before[2], "no error forwarded again")
        self.assertTrue(all(m.uid.startswith(f"{new_validity}:") for m in self.ledger()))
        self.assertTrue(all(self.ledger().mapped("on_server")))

    def test_imap_non_ascii_byte_in_a_message_id(self):
        raw = make_email(subject="Accents", message_id="<cafe-XX@c.x>")
        raw = raw.replace(b"cafe-XX", b"caf\xc3\xa9-\xe9")
        self.deliver(raw)
        self.fetch()
        before = self.snapshot()
        self.dovecot.reset_uidvalidity(self.mailbox_login)
        self.fetch()
        self.assertEqual(self.snapshot(), before)
        self.assertTrue(self.ledger().on_server)

    def test_pop3_renumbered_keeps_every_state(self):
        login, password = self.new_mailbox()
        inbox = self.create_inbox(
            login,
            password,
            protocol="pop3",
            notify_errors_to="admin@helpdesk.example",
            notify_errors_from="hd@x.example",
        )
        self.fill_with_every_state(login, inbox)
        before = self.snapshot(inbox)
        uidls = self.ledger(inbox).mapped("server_uid")
        self.dovecot.reset_uidvalidity(login)
        self.fetch(inbox)
        on_server = self.ledger(inbox).filtered("on_server")
        self.assertFalse(set(uidls) & set(on_server.mapped("server_uid")), "renumbered")
        self.assertEqual(self.snapshot(inbox), before, "nothing imported or forwarded again")
        self.assertTrue(all(self.ledger(inbox).mapped("on_server")))

    def test_interrupted_recognition_resumes(self):
        for number in range(5):
            self.deliver(make_email(subject=f"Request {number}", message_id=f"<ir-{number}@c.x>"))
        self.fetch()
        before = self.snapshot()
        self.dovecot.reset_uidvalidity(self.mailbox_login)
        calls = []
        original = ImapSource.fetch_header

        def fail_after_three(source, uid):
            calls.append(uid)
            if len(calls) > 3:
                raise NetworkError("connection reset (injected)")
            return original(source, uid)

        with (
            patch.object(mail_inbox_sync, "RECOGNIZE_BATCH", 2),
            patch.object(ImapSource, "fetch_header", fail_after_three),
        ):
            self.assertTrue(self.inbox._fetch().get("failure"))
        self.fetch()
        self.assertEqual(self.snapshot(), before, "resumed: nothing imported twice")
        self.assertTrue(all(self.ledger().mapped("on_server")))


@tagged("post_install", "-at_install")
class TestMessageIdReuse(RenumberCase):
    def test_a_different_email_reusing_a_message_id_is_imported(self):
        self.inbox.email_storage = "delete"
        # A scanner reusing its Message-ID sends each email at its own time.
        first, second = "Mon, 01 Dec 2026 10:00:00 +0000", "Mon, 01 Dec 2026 10:04:00 +0000"
        self.deliver(make_email("Scan 1", "First scan", message_id="<scan@c.x>", date=first))
        self.fetch()
        self.deliver(make_email("Scan 2", "Second scan", message_id="<scan@c.x>", date=second))
        self.fetch()
        lines = self.ledger().sorted("id")
        self.assertEqual(lines.mapped("action"), ["created", "created"], lines.mapped("reason"))
        self.assertEqual(sorted(self.tickets().mapped("name")), ["Scan 1", "Scan 2"])
        self.assertEqual(self.server_uids(), [], "deleted once imported")

    def test_the_same_email_through_two_relays_is_a_duplicate(self):
        raw = make_email(subject="Twice", message_id="<twice@c.x>")
        self.deliver(b"Received: from relay1.example by mx.example; Mon, 1 Dec 2026\r\n" + raw)
        self.deliver(b"Received: from relay2.example by mx.example; Mon, 1 Dec 2026\r\n" + raw)
        self.fetch()
        self.assertEqual(sorted(self.ledger().mapped("action")), ["created", "duplicate"])
        self.assertEqual(len(self.tickets()), 1)

    def test_the_same_email_re_encoded_by_a_relay_in_two_inboxes_is_one_ticket(self):
        """To support@ and Cc a team list support@ also receives: the list's relay
        re-encodes the body (8bit to quoted-printable) and adds its Received line."""
        login, password = self.new_mailbox()
        other = self.create_inbox(login, password, name="team list")
        message = EmailMessage()
        for name, value in (
            ("From", "Alice Martin <alice@acme.example>"),
            ("To", "support@helpdesk.example"),
            ("Cc", "team@lists.example"),
            ("Subject", "Imprimante"),
            ("Date", "Mon, 01 Dec 2026 10:00:00 +0100"),
            ("Message-ID", "<relay-1@client.example>"),
        ):
            message[name] = value
        message.set_content("L'imprimante du 2e étage est cassée.\n", cte="8bit")
        direct = message.as_bytes(policy=email.policy.SMTP)
        del message["Content-Transfer-Encoding"]
        message.set_content("L'imprimante du 2e étage est cassée.\n", cte="quoted-printable")
        relayed = b"Received: from lists.example by mx.example; Mon, 1 Dec 2026\r\n"
        relayed += message.as_bytes(policy=email.policy.SMTP)
        self.assertNotEqual(direct.split(b"\r\n\r\n")[1], relayed.split(b"\r\n\r\n")[1])
        self.deliver(direct)
        self.deliver(relayed, login=login)
        self.fetch()
        self.fetch(other)
        lines = self.ledger() | self.ledger(other)
        self.assertEqual(sorted(lines.mapped("action")), ["created", "duplicate"])
        self.assertEqual(len({(m.ticket_model, m.ticket_id) for m in lines}), 1)

    def test_a_different_email_with_a_known_message_id_in_error_is_forwarded(self):
        stranger = "x@unknown.example"
        first, second = "Mon, 01 Dec 2026 10:00:00 +0000", "Mon, 01 Dec 2026 10:04:00 +0000"
        self.deliver(make_email("A", sender=stranger, message_id="<same@c.x>", date=first))
        other = make_email("B", "other", sender=stranger, message_id="<same@c.x>", date=second)
        self.deliver(other)
        self.fetch()
        self.assertEqual(self.ledger().mapped("state"), ["error", "error"])
        self.assertEqual(len(self.forwards()), 2, "two different emails: two forwards")


@tagged("post_install", "-at_install")
class TestMessageIdAsUid(RenumberCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.use_message_id_as_uid", "1")

    def _renumber_and_check(self, inbox, login):
        no_id = make_email(subject="No id").replace(b"Message-ID:", b"X-Old-Message-ID:")
        for raw in (
            make_email(subject="One", message_id="<one@c.x>"),
            make_email(subject="Two", message_id="<two@c.x>"),
            no_id,
        ):
            self.deliver(raw, login=login)
        self.fetch(inbox)
        lines = self.ledger(inbox).sorted("id")
        self.assertEqual(lines.mapped("uid")[:2], ["one@c.x", "two@c.x"])
        self.assertTrue(lines[2].uid.startswith("hdr:"), lines[2].uid)
        self.assertEqual(lines.mapped("action"), ["created"] * 3)
        before = self.snapshot(inbox)
        self.dovecot.reset_uidvalidity(login)
        self.deliver(make_email(subject="Three", message_id="<three@c.x>"), login=login)
        result = self.fetch(inbox)
        self.assertEqual((result["new"], result["processed"]), (1, 1), result)
        self.assertEqual(self.snapshot(inbox)[0][:3], before[0], "nothing imported twice")
        uids = self.ledger(inbox).sorted("id").mapped("uid")
        self.assertEqual(uids, [*lines.mapped("uid"), "three@c.x"])
        self.assertTrue(all(self.ledger(inbox).mapped("on_server")), "nothing lost")

    def test_imap(self):
        self._renumber_and_check(self.inbox, self.mailbox_login)

    def test_pop3(self):
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password, protocol="pop3")
        self._renumber_and_check(inbox, login)


@tagged("post_install", "-at_install")
class TestReusedPop3Uidl(RenumberCase):
    """A POP3 server whose UIDLs are message numbers (the case use_message_id_as_uid is
    for): a UIDL seen before may name another message now. A line is given back to a
    listed message only once its header block says it is the same message."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.use_message_id_as_uid", "1")
        proxy = FaultProxy(self.dovecot.pop3_port, "pop3", uidl_as_number=True).start()
        self.addCleanup(proxy.stop)
        self.login, password = self.new_mailbox()
        self.pop3 = self.create_inbox(self.login, password, protocol="pop3", port=proxy.port)

    def send(self, name, body):
        return self.deliver(make_email(name, body, message_id=f"<{name}@c.x>"), login=self.login)

    def names(self):
        return sorted(self.tickets(self.pop3).mapped("name"))

    def test_kept_mail_renumbered_by_another_client_deleting_one(self):
        one = self.send("One", "Short.")
        self.send("Two", "A longer body, so that the sizes tell the messages apart.")
        self.fetch(self.pop3)
        self.assertEqual(self.names(), ["One", "Two"])
        with self.dovecot.imap(self.login, "INBOX") as client:  # another client
            client.uid("STORE", str(one), "+FLAGS", "(\\Deleted)")
            client.expunge()
        self.send("Three", "The longest body of the three: Two is now number 1, Three number 2.")
        self.fetch(self.pop3)
        self.fetch(self.pop3)
        self.assertEqual(self.names(), ["One", "Three", "Two"], "Three recorded and processed")
        lines = self.ledger(self.pop3)
        self.assertEqual(sorted(lines.mapped("action")), ["created"] * 3)
        on_server = lines.filtered("on_server").sorted("server_uid")
        self.assertEqual(on_server.mapped("message_id"), ["Two@c.x", "Three@c.x"])

    def test_deleted_mail_then_another_under_its_uidl(self):
        self.pop3.email_storage = "delete"
        self.send("One", "The first request.")
        self.fetch(self.pop3)
        self.assertEqual(self.server_uids(self.login), [], "processed, then deleted")
        self.send("Three", "The third request, under the first one's UIDL.")
        self.fetch(self.pop3)
        self.assertEqual(self.names(), ["One", "Three"], "Three processed, not deleted unread")
        three = self.ledger(self.pop3).filtered(lambda m: m.message_id == "Three@c.x")
        self.assertEqual((three.state, three.action), ("processed", "created"))
        self.assertEqual(self.server_uids(self.login), [], "deleted once processed")
