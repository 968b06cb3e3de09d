# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestMailToTicket(MailTicketCase):
    def test_new_mail_creates_ticket_with_every_mapped_field(self):
        raw = make_email(
            subject="Printer broken on floor 2",
            body="Hello,\nthe printer jams on every page.\n",
            html="<p>Hello,</p><p>the printer <b>jams</b> on every page.</p>",
            attachments=[("report.pdf", "application/pdf", b"%PDF-1.4 fake report " * 50)],
            message_id="<printer-1@client.example>",
        )
        self.deliver(raw)
        result = self.fetch()
        self.assertEqual(result["processed"], 1)
        line = self.ledger()
        self.assertEqual(line.state, "processed")
        self.assertEqual(line.action, "created")
        self.assertEqual(line.message_id, "printer-1@client.example")
        ticket = self.ticket_of(line)
        self.assertEqual(ticket._name, "helpdesk.mail.ticket")
        self.assertEqual(ticket.name, "Printer broken on floor 2")
        self.assertIn("<b>jams</b>", ticket.description)
        self.assertEqual(ticket.partner_id, self.alice)
        self.assertEqual(ticket.organization_id, self.acme)
        self.assertEqual(ticket.origin, "mail")
        self.assertEqual(ticket.ticket_type, "user_request")
        self.assertEqual(ticket.mail_inbox_id, self.inbox)
        self.assertRegex(ticket.reference, r"^R-\d{6}$")
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(attachments.mapped("name"), ["report.pdf"])
        self.assertIn(self.alice, ticket.message_partner_ids)
        email_message = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(email_message.message_id, "<printer-1@client.example>")
        self.assertEqual(email_message.author_id, self.alice)
        # A second cycle finds nothing new: the message is processed once.
        self.assertEqual(self.fetch()["new"], 0)
        self.assertEqual(
            self.env["helpdesk.mail.ticket"].search_count([("mail_inbox_id", "=", self.inbox.id)]),
            1,
        )

    def test_empty_subject_uses_default_title_then_no_subject(self):
        self.deliver(make_email(subject=None, message_id="<nosubj-1@client.example>"))
        self.fetch()
        self.assertEqual(self.ticket_of(self.ledger()).name, "No Subject")
        self.inbox.ticket_default_title = "Email without subject"
        self.deliver(make_email(subject="", message_id="<nosubj-2@client.example>"))
        self.fetch()
        line = self.ledger().filtered(lambda m: m.message_id == "nosubj-2@client.example")
        self.assertEqual(self.ticket_of(line).name, "Email without subject")

    def test_spaces_encoded_at_the_subject_ends_are_not_in_the_ticket_title(self):
        # The subject keeps the spaces its sender encoded at its ends (RFC 2047); a title
        # does not: Odoo trims a Char typed in a form, and " Drucker" sorts and shows apart.
        raw = (
            b"From: Alice Martin <alice@acme.example>\r\n"
            b"To: support@helpdesk.example\r\n"
            b"Subject: =?utf-8?Q?_Drucker_defekt_?=\r\n"
            b"Date: Thu, 2 Aug 2018 16:58:28 +0200\r\n"
            b"Message-ID: <spaced-1@client.example>\r\n"
            b"\r\n"
            b"The printer is broken.\r\n"
        )
        self.deliver(raw)
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.subject, " Drucker defekt ")
        self.assertEqual(self.ticket_of(line).name, "Drucker defekt")

    def test_reply_to_a_notification_updates_its_ticket(self):
        self.deliver(make_email(subject="VPN down", message_id="<vpn-1@client.example>"))
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        notification = ticket.with_user(self.agent).message_post(
            body="Could you restart your laptop?",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.alice.ids,
        )
        self.assertTrue(notification.message_id)
        reply = make_email(
            subject="Re: VPN down (edited by the user)",
            body=(
                "Restarted, still down.\n\n"
                "On Monday, Agent wrote:\n> Could you restart your laptop?\n"
            ),
            headers={"In-Reply-To": notification.message_id, "References": notification.message_id},
            message_id="<vpn-2@client.example>",
        )
        self.deliver(reply)
        self.fetch()
        line = self.ledger().filtered(lambda m: m.message_id == "vpn-2@client.example")
        self.assertEqual(line.action, "updated")
        self.assertEqual(self.ticket_of(line), ticket)
        update = ticket.message_ids.filtered(lambda m: m.message_id == "<vpn-2@client.example>")
        self.assertEqual(
            update.subtype_id, self.env.ref("helpdesk_mail_ticket.mt_ticket_updated_by_email")
        )
        self.assertEqual(update.author_id, self.alice)
        self.assertIn("Restarted, still down.", update.body)
        self.assertNotIn("Could you restart", update.body)
        self.assertEqual(
            self.env["helpdesk.mail.ticket"].search_count([("mail_inbox_id", "=", self.inbox.id)]),
            1,
        )

    def test_title_pattern_matches_the_reference(self):
        ticket = self.env["helpdesk.mail.ticket"].create(
            {"name": "Existing", "partner_id": self.alice.id}
        )
        self.deliver(
            make_email(
                subject=f"Re: {ticket.reference} still broken", message_id="<tp-1@client.example>"
            )
        )
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.action, "updated")
        self.assertEqual(self.ticket_of(line), ticket)
        # iTop admins write flags too: /R-(\d+)/i matches a lower-case reference.
        self.inbox.title_pattern = r"/r-(\d{6})/i"
        self.deliver(
            make_email(
                subject=f"about {ticket.reference.lower()}", message_id="<tp-2@client.example>"
            )
        )
        self.fetch()
        line = self.ledger().filtered(lambda m: m.message_id == "tp-2@client.example")
        self.assertEqual(line.action, "updated", line.reason)

    def test_create_only_ignores_matches_and_update_only_rejects_new_mail(self):
        ticket = self.env["helpdesk.mail.ticket"].create(
            {"name": "Existing", "partner_id": self.alice.id}
        )
        self.inbox.behavior = "create_only"
        self.deliver(
            make_email(subject=f"Re: {ticket.reference}", message_id="<co-1@client.example>")
        )
        self.fetch()
        self.assertEqual(self.ledger().action, "created")
        self.inbox.behavior = "update_only"
        self.deliver(make_email(subject="A brand new request", message_id="<uo-1@client.example>"))
        self.fetch()
        line = self.ledger().filtered(lambda m: m.message_id == "uo-1@client.example")
        self.assertEqual(line.state, "error")
        self.assertIn("No ticket to update", line.reason)

    def test_reply_matching_another_type_is_an_error(self):
        ticket = self.env["helpdesk.mail.ticket"].create(
            {"name": "An incident", "partner_id": self.alice.id, "ticket_type": "incident"}
        )
        self.deliver(
            make_email(subject=f"Re: {ticket.reference}", message_id="<type-1@client.example>")
        )
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.state, "error")
        self.assertIn("type", line.reason)
        self.assertEqual(len(ticket.message_ids.filtered(lambda m: m.message_type == "email")), 0)

    def test_unknown_caller_rejected(self):
        self.deliver(
            make_email(sender="Bob <bob@unknown.example>", message_id="<unk-1@client.example>")
        )
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.state, "error")
        self.assertEqual(line.reason, "Unknown caller (bob@unknown.example)")
        self.assertFalse(self.env["res.partner"].search([("email", "=", "bob@unknown.example")]))
        self.assertTrue(line.raw_attachment_id, "the mail in error is kept")
        # Errors are never retried by themselves.
        self.fetch()
        self.assertEqual(line.state, "error")
        self.assertEqual(line.attempts, 1)

    def test_unknown_caller_created_with_default_values(self):
        self.inbox.write(
            {
                "unknown_caller_behavior": "create_contact",
                "caller_default_values": (
                    f"parent_id:{self.acme.name}\nfunction:Customer\nref: a: b"
                ),
            }
        )
        self.deliver(
            make_email(
                sender='"Doe, John" <John.Doe@Unknown.example>', message_id="<new-1@client.example>"
            )
        )
        self.deliver(
            make_email(sender="John.Doe@unknown.example", message_id="<new-2@client.example>")
        )
        self.fetch()
        callers = self.env["res.partner"].search(
            [("email_normalized", "=", "john.doe@unknown.example")]
        )
        self.assertEqual(
            len(callers), 1, "the second mail reuses the contact the first one created"
        )
        self.assertEqual(callers.name, "John Doe")
        self.assertEqual(callers.parent_id, self.acme)
        self.assertEqual(callers.function, "Customer")
        self.assertEqual(callers.ref, "a: b")
        tickets = self.ledger().mapped(lambda m: m._get_ticket())
        self.assertEqual(len(self.ledger().filtered(lambda m: m.action == "created")), 2)
        self.assertTrue(
            all(t.partner_id == callers and t.organization_id == self.acme for t in tickets)
        )

    def test_ticket_default_values(self):
        stage = self.env.ref("helpdesk_mail_ticket.stage_assigned")
        self.inbox.ticket_default_values = "\n".join(
            [
                "priority:High",  # selection by label
                f"user_id:{self.agent.name}",  # many2one by unique name
                f"stage_id:{stage.id}",  # many2one by id
                "ticket_type:incident",
                "ticket_type:problem",  # last line wins
                "no_such_field:42",  # traced, not fatal
                "without colon",
                "name: Fixed: title",  # split at the first colon, overrides the mapping
            ]
        )
        self.inbox.trace = True
        self.deliver(make_email(message_id="<dv-1@client.example>"))
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        self.assertEqual(ticket.priority, "2")
        self.assertEqual(ticket.user_id, self.agent)
        self.assertEqual(ticket.stage_id, stage)
        self.assertEqual(ticket.ticket_type, "problem")
        self.assertEqual(ticket.name, "Fixed: title")
        self.assertIn("no_such_field", self.inbox.debug_trace)

    def test_keep_then_delete_when_ticket_closed(self):
        self.deliver(make_email(message_id="<keep-1@client.example>"))
        self.fetch()
        self.assertEqual(len(self.server_uids()), 1, "kept on the server while the ticket is open")
        ticket = self.ticket_of(self.ledger())
        ticket.stage_id = self.env.ref("helpdesk_mail_ticket.stage_closed")
        self.fetch()
        self.assertEqual(
            self.server_uids(), [], "removed at the next cycle once the ticket is closed"
        )
        self.assertFalse(self.ledger().on_server)
        self.assertEqual(self.ledger().state, "processed")

    def test_deleted_ticket_removes_its_message(self):
        self.deliver(make_email(message_id="<keep-2@client.example>"))
        self.fetch()
        self.ticket_of(self.ledger()).unlink()
        self.fetch()
        self.assertEqual(self.server_uids(), [])

    def test_delete_after_processing(self):
        self.inbox.email_storage = "delete"
        self.deliver(make_email(message_id="<del-1@client.example>"))
        self.deliver(
            make_email(sender="nobody@unknown.example", message_id="<del-2@client.example>")
        )
        self.fetch()
        # The processed one is gone, the one in error stays (mark_as_error).
        self.assertEqual(len(self.server_uids()), 1)
        self.assertEqual(self.ledger().filtered("on_server").state, "error")

    def test_move_after_processing(self):
        self.dovecot.create_folder(self.mailbox_login, "Done")
        self.inbox.write({"email_storage": "move", "target_folder": "Done"})
        self.deliver(make_email(message_id="<mv-1@client.example>"))
        self.fetch()
        self.assertEqual(self.server_uids(), [])
        self.assertEqual(len(self.server_uids(folder="Done")), 1)

    def test_error_delete_behaviour(self):
        self.inbox.error_behavior = "delete"
        self.deliver(
            make_email(sender="nobody@unknown.example", message_id="<err-1@client.example>")
        )
        self.fetch()
        self.assertEqual(self.server_uids(), [])
        line = self.ledger()
        self.assertEqual(line.state, "error")
        self.assertTrue(line.raw_attachment_id, "deleted from the server, but never lost")

    def test_reset_status_reprocesses_an_error_and_never_duplicates(self):
        self.deliver(
            make_email(sender="Carol <carol@acme.example>", message_id="<rs-1@client.example>")
        )
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.state, "error")
        self.env["res.partner"].create({"name": "Carol", "email": "carol@acme.example"})
        line.with_user(self.manager).action_reset_status()
        self.assertEqual(line.state, "new")
        self.fetch()
        self.assertEqual(line.state, "processed")
        ticket = self.ticket_of(line)
        self.assertTrue(ticket)
        # Reset of a message processed fine: reprocessed, but no second ticket.
        line.with_user(self.manager).action_reset_status()
        self.fetch()
        self.assertEqual(line.state, "processed")
        self.assertEqual(self.ticket_of(line), ticket)
        self.assertEqual(
            self.env["helpdesk.mail.ticket"].search_count(
                [("partner_id.email", "=", "carol@acme.example")]
            ),
            1,
        )

    def test_delete_from_mailbox_content(self):
        self.deliver(make_email(message_id="<dm-1@client.example>"))
        self.deliver(make_email(message_id="<dm-2@client.example>"))
        self.fetch()
        self.assertEqual(len(self.server_uids()), 2)
        line = self.ledger().filtered(lambda m: m.message_id == "dm-1@client.example")
        line.with_user(self.manager).action_delete_from_server()
        self.assertEqual(len(self.server_uids()), 1)
        self.assertFalse(line.on_server)
        self.fetch()
        self.assertEqual(
            len(self.ledger()), 2, "the ledger keeps the history of the deleted message"
        )

    def test_known_cc_contacts_become_followers(self):
        bob = self.env["res.partner"].create({"name": "Bob", "email": "bob@acme.example"})
        self.inbox.import_additional_contacts = "only_on_creation"
        self.deliver(
            make_email(
                to=f"{self.mailbox_login}, bob@acme.example",
                headers={"Cc": "Stranger <stranger@elsewhere.example>"},
                message_id="<cc-1@client.example>",
            )
        )
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        self.assertIn(bob, ticket.message_partner_ids)
        self.assertFalse(
            self.env["res.partner"].search([("email", "=", "stranger@elsewhere.example")])
        )

    def test_update_hook_and_subtype(self):
        ticket = self.env["helpdesk.mail.ticket"].create(
            {"name": "Hooked", "partner_id": self.alice.id}
        )
        calls = []
        original = type(ticket)._mail_ticket_email_updated

        def spy(record, message, sender):
            calls.append((record.id, message.id, sender.id))
            return original(record, message, sender)

        type(ticket)._mail_ticket_email_updated = spy
        try:
            self.deliver(
                make_email(subject=f"Re: {ticket.reference}", message_id="<hk-1@client.example>")
            )
            self.fetch()
        finally:
            type(ticket)._mail_ticket_email_updated = original
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0][0], ticket.id)
        self.assertEqual(calls[0][2], self.alice.id)

    def test_ticket_log_setting_writes_a_field(self):
        self.env["ir.config_parameter"].set_param(
            "helpdesk_mail_ticket.ticket_log", "helpdesk.mail.ticket:description"
        )
        ticket = self.env["helpdesk.mail.ticket"].create(
            {"name": "Logged", "partner_id": self.alice.id, "description": "<p>Start</p>"}
        )
        self.deliver(
            make_email(
                subject=f"Re: {ticket.reference}",
                body="Appended text",
                message_id="<tl-1@client.example>",
            )
        )
        self.fetch()
        self.assertIn("Start", ticket.description)
        self.assertIn("Appended text", ticket.description)

    def test_automated_mail_is_undesired(self):
        self.deliver(
            make_email(subject="Out Of Office: back Monday", message_id="<ooo-1@client.example>")
        )
        self.deliver(
            make_email(
                subject="Thanks",
                headers={"Auto-Submitted": "auto-replied"},
                message_id="<ooo-2@client.example>",
            )
        )
        self.fetch()
        self.assertEqual(set(self.ledger().mapped("state")), {"undesired"})
        self.assertFalse(
            self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", self.inbox.id)])
        )
