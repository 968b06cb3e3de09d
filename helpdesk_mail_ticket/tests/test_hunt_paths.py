# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Paths no other test walked: a Message-ID reused after an update, attachments of
no bytes or sharing a name, the address of an archived inbox among the To/Cc."""

from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestHuntPaths(MailTicketCase):
    def tickets(self):
        return self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", self.inbox.id)])

    def test_a_new_email_reusing_the_message_id_of_an_update_is_imported(self):
        self.deliver(make_email(subject="Printer", message_id="<first@c.x>"))
        self.fetch()
        ticket = self.tickets()
        reply = make_email(
            subject="Re: Printer",
            body="Still broken.",
            message_id="<scan@c.x>",
            headers={"In-Reply-To": "<first@c.x>"},
            date="Mon, 01 Dec 2026 10:00:00 +0000",
        )
        self.deliver(reply)
        self.fetch()
        # A scanner reusing its Message-ID: another email, another request.
        self.deliver(
            make_email(
                subject="Scan",
                body="The scan of the contract.",
                message_id="<scan@c.x>",
                date="Mon, 01 Dec 2026 11:00:00 +0000",
            )
        )
        self.fetch()
        lines = self.ledger().sorted("id")
        self.assertEqual(
            lines.mapped("action"), ["created", "updated", "created"], lines.mapped("reason")
        )
        self.assertEqual(len(self.tickets() - ticket), 1)

    def test_empty_and_same_named_attachments_are_all_kept(self):
        self.deliver(
            make_email(
                attachments=[
                    ("empty.txt", "text/plain", b""),
                    ("scan.pdf", "application/pdf", b"%PDF-1.4 first"),
                    ("scan.pdf", "application/pdf", b"%PDF-1.4 second"),
                ],
                message_id="<att@c.x>",
            )
        )
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.state, "processed", line.reason)
        ticket = self.ticket_of(line)
        files = self.env["ir.attachment"].search(
            [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(sorted(files.mapped("name")), ["empty.txt", "scan.pdf", "scan.pdf"])

    def test_an_archived_inbox_address_in_cc_never_follows(self):
        login, password = self.new_mailbox()
        old = self.create_inbox(login, password, name="old support")
        old.active = False
        own = self.env["res.partner"].create({"name": "Old support", "email": login})
        self.inbox.import_additional_contacts = "always"
        self.deliver(make_email(to=self.mailbox_login, headers={"Cc": login}))
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        self.assertNotIn(own, ticket.message_partner_ids)

    def test_a_reply_to_a_deleted_ticket_makes_a_new_one(self):
        self.deliver(make_email(subject="Printer", message_id="<gone@c.x>"))
        self.fetch()
        self.tickets().unlink()
        self.deliver(
            make_email(
                subject="Re: Printer",
                body="Any news?",
                message_id="<gone-2@c.x>",
                headers={"In-Reply-To": "<gone@c.x>", "References": "<gone@c.x>"},
            )
        )
        self.fetch()
        line = self.ledger().filtered(lambda m: m.message_id == "gone-2@c.x")
        self.assertEqual((line.state, line.action), ("processed", "created"), line.reason)
        self.assertEqual(len(self.tickets()), 1)

    def test_a_caller_is_known_by_either_form_of_an_international_domain(self):
        # Mail servers write an international domain in its ASCII form (IDNA) unless
        # both ends speak SMTPUTF8; the contact may hold either form.
        juergen = self.env["res.partner"].create(
            {"name": "Jürgen", "email": "juergen@bücher.example"}
        )
        ascii_ = self.env["res.partner"].create(
            {"name": "Zoë", "email": "zoe@xn--mller-kva.example"}
        )
        self.deliver(
            make_email(sender="Jürgen <juergen@xn--bcher-kva.example>", message_id="<idn-1@c.x>")
        )
        # A UTF-8 header as an SMTPUTF8 server delivers it.
        utf8 = make_email(sender="Zoe <zoe@placeholder.example>", message_id="<idn-2@c.x>")
        self.deliver(utf8.replace(b"placeholder", "müller".encode()))
        self.fetch()
        by_id = {line.message_id: line for line in self.ledger()}
        for message_id, partner in (("idn-1@c.x", juergen), ("idn-2@c.x", ascii_)):
            line = by_id[message_id]
            self.assertEqual(line.state, "processed", line.reason)
            self.assertEqual(self.ticket_of(line).partner_id, partner)

    def _agent_answers_a_note(self, prefix):
        """A ticket (its request ``<prefix>-0@c.x``), an internal note on it written in
        Odoo, and an agent's email answering the note's notification
        (``<prefix>-2@helpdesk.example``), fetched. Returns the ticket and the note."""
        self.agent.partner_id.email = "agent@helpdesk.example"
        self.deliver(make_email(subject="Printer", message_id=f"<{prefix}-0@c.x>"))
        self.fetch()
        ticket = self.tickets()
        note = ticket.message_post(
            body="Is this the customer who never pays?",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            message_id=f"<{prefix}-1@odoo.example>",
        )
        self.deliver(
            make_email(
                sender="Agent <agent@helpdesk.example>",
                subject="Re: Printer",
                body="Yes, the same one.",
                message_id=f"<{prefix}-2@helpdesk.example>",
                headers={"In-Reply-To": note.message_id, "References": note.message_id},
            )
        )
        self.fetch()
        return ticket, note

    def _assert_internal(self, ticket, message_id):
        """The email ``message_id`` processed, and posted on ``ticket`` as a note."""
        line = self.ledger().filtered(lambda m: m.message_id == message_id.strip("<>"))
        self.assertEqual(line.state, "processed", line.reason)
        (reply,) = ticket.message_ids.filtered(lambda m: m.message_id == message_id)
        self.assertTrue(reply.subtype_id.internal, reply.subtype_id.name)

    def test_a_reply_to_an_internal_note_stays_internal(self):
        # An agent mentioned in an internal note answers its notification by email:
        # Odoo's mail gateway keeps such a reply a note; published, the caller (a
        # follower) would be mailed the agents' discussion.
        ticket, _note = self._agent_answers_a_note("note")
        self._assert_internal(ticket, "<note-2@helpdesk.example>")

    def test_the_callers_reply_to_a_strangers_email_logged_as_a_note_updates(self):
        # A stranger's email, logged as an internal note, was no secret to the people it
        # was sent to: the caller's reply-all to it is an update, as before.
        self.env["res.partner"].create({"name": "Bob", "email": "bob@elsewhere.example"})
        self.deliver(make_email(subject="Printer", message_id="<st-0@c.x>"))
        self.fetch()
        ticket = self.tickets()
        self.deliver(
            make_email(
                sender="Bob <bob@elsewhere.example>",
                subject=f"Re: Printer {ticket.reference}",
                message_id="<st-1@c.x>",
                headers={"Cc": "alice@acme.example"},
            )
        )
        self.deliver(
            make_email(
                subject=f"Re: Printer {ticket.reference}",
                body="Bob is right.",
                message_id="<st-2@c.x>",
                headers={"In-Reply-To": "<st-1@c.x>", "References": "<st-1@c.x>"},
            )
        )
        self.fetch()
        (logged,) = ticket.message_ids.filtered(lambda m: m.message_id == "<st-1@c.x>")
        self.assertTrue(logged.subtype_id.internal, "the stranger's email is a note")
        (reply,) = ticket.message_ids.filtered(lambda m: m.message_id == "<st-2@c.x>")
        self.assertFalse(reply.subtype_id.internal, reply.subtype_id.name)

    def test_a_domain_with_sharp_s_is_not_its_ss_namesake(self):
        # straße.example and strasse.example are two domains (IDNA 2008: "ß" is
        # xn--strae-oqa); IDNA 2003's mapping of "ß" to "ss" must not make the mail of
        # one the mail of the other's contact.
        other = self.env["res.partner"].create(
            {"name": "Stefan of strasse", "email": "stefan@strasse.example"}
        )
        self.inbox.unknown_caller_behavior = "create_contact"
        utf8 = make_email(sender="Stefan <stefan@placeholder.example>", message_id="<ss-1@c.x>")
        self.deliver(utf8.replace(b"placeholder", "straße".encode()))
        self.fetch()
        line = self.ledger().filtered(lambda m: m.message_id == "ss-1@c.x")
        self.assertEqual(line.state, "processed", line.reason)
        self.assertNotEqual(self.ticket_of(line).partner_id, other)

    def test_an_inbox_address_in_the_other_form_of_its_domain_never_follows(self):
        # An inbox whose login is written with its international domain, addressed in
        # Cc in the form mail servers write (IDNA): still our own mailbox, never a
        # follower (each of our replies would come back to it), though the contact
        # holding its address is found by either form.
        ours = self.create_inbox("helpdesk@bücher.example", "unused", name="bücher")
        ours.active = False
        own = self.env["res.partner"].create(
            {"name": "Bücher support", "email": "helpdesk@bücher.example"}
        )
        self.inbox.import_additional_contacts = "always"
        self.deliver(
            make_email(
                to=self.mailbox_login,
                headers={"Cc": "helpdesk@xn--bcher-kva.example"},
                message_id="<own-idn@c.x>",
            )
        )
        self.fetch()
        line = self.ledger().filtered(lambda m: m.message_id == "own-idn@c.x")
        self.assertEqual(line.state, "processed", line.reason)
        self.assertNotIn(own, self.ticket_of(line).message_partner_ids)

    def test_a_reply_to_a_reply_to_an_internal_note_stays_internal(self):
        # The agents go on discussing by email: the second reply answers the first
        # (logged as an internal note from an email), quoting the note. Published, the
        # caller would be mailed the whole internal discussion.
        ticket, note = self._agent_answers_a_note("chain")
        self.deliver(
            make_email(
                sender="Agent <agent@helpdesk.example>",
                subject="Re: Printer",
                body="Then no more work for him.",
                message_id="<chain-3@helpdesk.example>",
                headers={
                    "In-Reply-To": "<chain-2@helpdesk.example>",
                    "References": f"{note.message_id} <chain-2@helpdesk.example>",
                },
            )
        )
        self.fetch()
        self._assert_internal(ticket, "<chain-3@helpdesk.example>")
