# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Failure paths the earlier hunts left open: an inbox archived during a cron run, a
new inbox for the mailbox of an archived one, one of our own inboxes as the sender."""

from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..mailsource.base import MailSource
from ..mailsource.imap import ImapSource
from ..transaction import LEASE_NS
from .common import MailTicketCase, make_email
from .test_pop3_idle import Pop3IdleCase


@tagged("post_install", "-at_install")
class TestHuntEdges(MailTicketCase):
    def tickets(self, inbox=None):
        return self.env["helpdesk.mail.ticket"].search(
            [("mail_inbox_id", "=", (inbox or self.inbox).id)]
        )

    # Lead 1: an inbox archived during a cron run.

    def test_an_inbox_archived_during_the_cron_run_is_not_polled_by_it(self):
        first, second = self.only_inboxes_with_mail(2, "arch")
        fetch, archived = type(first)._fetch, []

        def fetch_then_archive_the_next(inbox, *args, **kwargs):
            result = fetch(inbox, *args, **kwargs)
            if inbox == first and not archived:  # an admin archives the second meanwhile
                second.active = False
                archived.append(second)
            return result

        self.patch(type(first), "_fetch", fetch_then_archive_the_next)
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.ledger(first).state, "processed")
        self.assertFalse(self.ledger(second), "the archived inbox was polled")
        self.assertFalse(self.tickets(second))
        second.active = True  # restored: its mail is there, made into a ticket once
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.ledger(second).state, "processed")
        self.assertEqual(len(self.tickets(second)), 1)

    def test_an_inbox_archived_during_its_cycle_leaves_the_rest_new(self):
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", "1")
        for number in range(3):
            self.deliver(make_email(message_id=f"<arch-mid-{number}@c.x>"))
        chunk = type(self.inbox)._process_chunk

        def process_then_archive(inbox, *args, **kwargs):
            states = chunk(inbox, *args, **kwargs)
            inbox.active = False  # an admin archives it after its first message
            return states

        self.patch(type(self.inbox), "_process_chunk", process_then_archive)
        self.env["mail.inbox"]._cron_fetch()
        lines = self.ledger().sorted("id")
        self.assertEqual(lines.mapped("state"), ["processed", "new", "new"], lines.mapped("reason"))
        self.assertEqual(set(lines.mapped("attempts")), {0, 1})
        self.inbox.active = True
        self.fetch()
        self.assertEqual(set(lines.mapped("state")), {"processed"})
        self.assertEqual(len(self.tickets()), 3)

    def test_the_idle_loop_of_an_inbox_archived_meanwhile_ends(self):
        # helpdesk_fetch --idle waits on an inbox, polls it, waits again: archived
        # meanwhile, it is polled no more (its mail waits for it to be restored).
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        self.deliver(make_email(message_id="<idle-0@c.x>"))
        waits = []

        def wait_for_mail(inbox, timeout):
            waits.append(timeout)
            if len(waits) > 1:
                raise AssertionError("the loop went on with an archived inbox")
            inbox.active = False  # an admin archives it while the loop waits
            self.deliver(make_email(message_id="<idle-1@c.x>"))
            return True

        self.patch(type(self.inbox), "_wait_for_mail", wait_for_mail)
        self.inbox._run_idle_loop(max_seconds=600)
        self.assertEqual(self.ledger().mapped("message_id"), ["idle-0@c.x"])

    # Lead 5: what batches left out, after the cycle stopped between two batches.

    def test_a_reply_left_out_of_a_batch_is_not_processed_after_a_mailbox_change(self):
        # Batches of 2: [parent, x], [reply, y], [z, w]. Another worker holds the
        # parent: the reply leaves its batch, for later in the cycle. The inbox is then
        # pointed at another folder: the cycle stops before [z, w], and the reply must
        # not be downloaded on this connection either (its handle may name another
        # message of the new folder once synchronized), nor wait for the parent.
        self.dovecot.create_folder(self.mailbox_login, "Other")
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", "2")
        names = ["parent", "x", "reply", "y", "z", "w"]
        for name in names:
            headers = {"In-Reply-To": "<l5-parent@c.x>"} if name == "reply" else None
            self.deliver(make_email(message_id=f"<l5-{name}@c.x>", headers=headers))
        self.assertEqual(self.inbox._fetch(limit=0)["new"], 6)  # recorded, none processed
        lines = {line.message_id[3:-4]: line for line in self.ledger()}
        other = self._real_env()  # another worker has the parent
        other.cr.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_NS, lines["parent"].id])
        self.env.cr.execute("SET LOCAL lock_timeout = '5s'")  # never waits for it forever
        chunk = type(self.inbox)._process_chunk

        def process_then_change_the_folder(inbox, source, settings, chunks, index, *args):
            states = chunk(inbox, source, settings, chunks, index, *args)
            if lines["reply"] in chunks[index]:
                inbox.mailbox = "Other"  # an admin, between two batches
            return states

        self.patch(type(self.inbox), "_process_chunk", process_then_change_the_folder)
        self.inbox._fetch()
        states = {name: (line.state, line.attempts) for name, line in lines.items()}
        self.assertEqual(states["reply"], ("new", 0), states)
        self.assertEqual((states["z"], states["w"]), (("new", 0), ("new", 0)), states)
        self.assertEqual((states["x"], states["y"]), (("processed", 1), ("processed", 1)))
        self.env.cr.execute(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
            "AND classid = %s::oid AND objid = %s::oid AND objsubid = 2",
            [LEASE_NS, lines["reply"].id],
        )
        self.assertFalse(self.env.cr.fetchone(), "the reply's lease outlived the cycle")

    # Lead 4: a source keeping a cursor without ``unchanged_since`` (a third party's).

    def test_a_cursor_source_without_unchanged_since_lists_every_cycle(self):
        # The base's answer (False: not known to be unchanged) makes the cycle lock and
        # list: nothing new is skipped, nothing known recorded again.
        self.patch(ImapSource, "unchanged_since", MailSource.unchanged_since)
        self.deliver(make_email(message_id="<cur-0@c.x>"))
        self.fetch()
        self.assertEqual(self.fetch()["new"], 0, "an unchanged mailbox records nothing")
        self.deliver(make_email(message_id="<cur-1@c.x>"))
        self.assertEqual(self.fetch()["new"], 1)
        lines = self.ledger()
        self.assertEqual(sorted(lines.mapped("message_id")), ["cur-0@c.x", "cur-1@c.x"])
        self.assertEqual(set(lines.mapped("state")), {"processed"})
        self.assertEqual(len(self.tickets()), 2)

    # Lead 3: one of our own inboxes as the sender.

    def _from_own(self, sender, number):
        self.inbox.unknown_caller_behavior = "create_contact"
        self.deliver(make_email(sender=sender, message_id=f"<own-from-{number}@c.x>"))
        self.fetch()
        return self.ledger().filtered(lambda m: m.message_id == f"own-from-{number}@c.x")

    def test_mail_from_this_inbox_makes_no_ticket_nor_contact(self):
        # A copy of mail sent from the support mailbox itself (a "Send as" with the
        # mailbox in Cc, an auto-forward keeping the From): never a caller.
        line = self._from_own(f"Support <{self.mailbox_login.upper()}>", 1)
        self.assertEqual(line.state, "undesired", line.reason)
        self.assertIn(self.mailbox_login.lower(), line.reason.lower())
        self.assertFalse(self.tickets())
        partners = self.env["res.partner"].search(
            [("email_normalized", "=", self.mailbox_login.lower())]
        )
        self.assertFalse(partners, "our inbox made a contact")

    def test_mail_from_another_of_our_inboxes_makes_no_ticket(self):
        # Archived too: its address is still ours.
        login, password = self.new_mailbox()
        self.create_inbox(login, password, name="second", active=False)
        line = self._from_own(f"Second <{login}>", 2)
        self.assertEqual(line.state, "undesired", line.reason)
        self.assertFalse(self.tickets())

    def test_a_reply_from_our_inbox_never_makes_it_a_follower(self):
        self.deliver(make_email(subject="Printer", message_id="<own-req@c.x>"))
        self.fetch()
        ticket = self.tickets()
        line = self._from_own(f"Support <{self.mailbox_login}>", 3)
        self.assertEqual(line.state, "undesired", line.reason)
        self.assertNotIn(self.mailbox_login.lower(), ticket.message_partner_ids.mapped("email"))

    # Lead 2: a new inbox for the mailbox an archived inbox reads.

    def test_a_new_inbox_on_an_archived_inboxs_mailbox_names_it(self):
        self.inbox.active = False
        with self.assertRaises(ValidationError) as caught, mute_logger("odoo.sql_db"):
            self.create_inbox(self.mailbox_login, self.mailbox_password, name="again")
        self.assertIn(self.inbox.name, str(caught.exception))
        self.assertIn("archived", str(caught.exception))


@tagged("post_install", "-at_install")
class TestHuntEdgesPop3Reset(Pop3IdleCase):
    def test_a_pop3_listing_read_before_a_reset_does_not_undo_it(self):
        """Lead 4: a POP3 cycle compares its listing with the ledger, then marks the
        lines (``_sync_rows``). An administrator pointing the inbox at another mailbox
        in between (the reset committed): the cycle's write met the reset's, and its
        retry, on a fresh snapshot, compared the old mailbox's listing with the reset
        ledger and set the old mailbox's lines back on the server under their old
        handles: the new mailbox's messages of the same handles were taken for them."""
        _env, old_login, inbox = self._committed_inbox(count=3)
        self.dovecot.expunge(old_login, 1)  # another client: a line leaves the server
        new_login, new_password = self.new_mailbox()
        sync_rows, changed = self._after_an_admins_write(
            type(inbox)._sync_rows, inbox, {"login": new_login, "password": new_password}
        )
        with patch.object(type(inbox), "_sync_rows", sync_rows):
            self.cycle(inbox)
        self.assertTrue(changed)
        lines = self.lines(self._real_env(), inbox)
        self.assertEqual([on for _uid, on in lines], [False, False, False], "the reset stands")
