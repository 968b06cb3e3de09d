# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attack of the one-new cuts (branch onecost): the email lock let go with the lease in
one statement, the kept lines' tickets read with one fetch()."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from . import test_attack_firstclaim, test_recognition
from .common import MailTicketCase, fail_a_commit_once, make_email


def advisory_locks_held(cr):
    """How many advisory locks (leases and email locks) the session of ``cr`` holds."""
    cr.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND pid = pg_backend_pid()"
    )
    return cr.fetchone()[0]


@tagged("post_install", "-at_install")
class TestAttackOneCostLocks(MailTicketCase):
    play_commits = test_attack_firstclaim.TestAttackFirstClaim.play_commits

    def test_the_outcome_commit_fails_with_the_email_lock_held(self):
        """The commit of a message's outcome fails (a deferred check) while its email's
        lock is held: the lock and the lease are let go all the same (the statement
        letting both go first meets the failed transaction), the next cycle processes
        the message once."""
        self.fetch()
        self.deliver(make_email(subject="Outcome refused"))
        fail_a_commit_once(self.env.cr, "NEW.state <> 'new' AND OLD.state = 'new'")
        first, second, third = self.play_commits()
        with first, second, third:
            with (
                mute_logger("odoo.sql_db"),
                mute_logger("odoo.addons.helpdesk_mail_ticket.models.mail_inbox_message"),
            ):
                self.inbox._fetch()
            self.assertEqual(advisory_locks_held(self.env.cr), 0, "no lock outlives the cycle")
            self.env.invalidate_all()
            self.assertEqual(self.fetch()["processed"], 1)
            self.assertEqual(advisory_locks_held(self.env.cr), 0)
        line = self.ledger()
        line.invalidate_recordset()
        self.assertEqual(line.state, "processed")
        self.assertEqual(
            self.env["helpdesk.mail.ticket"].search([]).mapped("name"), ["Outcome refused"]
        )

    def test_processing_raises_with_the_email_lock_held(self):
        """Processing raises while the email's lock is held: nothing held after."""
        self.fetch()
        self.deliver(make_email(subject="Raises"))
        model = type(self.ledger())
        original = model._process_claimed

        def boom(line, parsed, raw):
            raise RuntimeError("boom")

        first, second, third = self.play_commits()
        with first, second, third:
            model._process_claimed = boom
            try:
                with mute_logger("odoo.addons.helpdesk_mail_ticket.models.mail_inbox_message"):
                    self.inbox._fetch()
            finally:
                model._process_claimed = original
            self.assertEqual(advisory_locks_held(self.env.cr), 0, "no lock outlives the cycle")
            self.env.invalidate_all()
            self.assertEqual(self.fetch()["processed"], 1)


@tagged("post_install", "-at_install")
class TestAttackOneCostRecognition(test_recognition.RenumberCase):
    """New mail recognized with one read of the ledger a step (the listing brought the
    header blocks) or the recorded handles first (it did not: more than
    HEADERS_WITH_LISTING new, or POP3), Message-IDs reused, an email twice, a line that
    left the server under the same Message-ID: each email one line, nothing lost, and
    the cursor stored only once all have their lines."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.use_message_id_as_uid", "1")

    def deliver_mixed(self, count, tag, login=None):
        raws = []
        for number in range(count):
            message_id = f"<{tag}-reused@c.x>" if number % 3 == 0 else f"<{tag}-{number}@c.x>"
            raws.append(make_email(subject=f"{tag} {number}", body=f"Body {tag} {number}",
                                   message_id=message_id))  # fmt: skip
        raws.append(raws[1])  # the same email twice
        for raw in raws:
            self.deliver(raw, login=login)
        return len(raws)

    def check(self, inbox, login, count, ahead):
        """``ahead``: whether a step reads the ledger once (the listing brought every
        header block of the step), else whether one reads the recorded handles first."""
        model = type(inbox)
        original, reads = model._read_recognition, []

        def spy(record, handles=(), identities=(), keys=()):
            identities = list(identities)
            reads.append((bool(handles), bool(identities)))
            return original(record, handles, identities, keys)

        self.addCleanup(setattr, model, "_read_recognition", original)
        model._read_recognition = spy
        self.fetch(inbox)  # an empty mailbox: the next listing is incremental
        self.deliver(make_email(subject="Left", message_id="<left-reused@c.x>"), login=login)
        inbox.email_storage = "delete"
        self.fetch(inbox)
        self.assertEqual(self.server_uids(login), [], "deleted once imported")
        inbox.email_storage = "keep"
        delivered = self.deliver_mixed(count, "left", login=login)
        result = self.fetch(inbox)
        self.assertEqual(result["new"], delivered, result)
        lines = self.ledger(inbox)
        self.assertEqual(len(lines), delivered + 1)
        self.assertEqual(len(set(lines.mapped("uid"))), delivered + 1)
        on_server = lines.filtered("on_server")
        self.assertEqual(len(on_server), delivered, "each listed message has its line")
        self.assertEqual(
            sorted(on_server.mapped("server_uid")), sorted(self._handles(inbox, login))
        )
        self.assertEqual(lines.mapped("state").count("processed"), delivered + 1)
        before = self.snapshot(inbox)
        self.assertEqual(self.fetch(inbox)["new"], 0, "the cursor was stored: nothing again")
        self.assertEqual(self.snapshot(inbox), before)
        self.assertIn((True, ahead), reads)

    def _handles(self, inbox, login):
        with inbox._open_source() as source:
            return [message.uid for message in source.list_changes(None).messages]

    def test_imap_few_new_headers_with_the_listing(self):
        self.check(self.inbox, self.mailbox_login, 8, ahead=True)

    def test_imap_more_new_than_the_listing_brings(self):
        self.check(self.inbox, self.mailbox_login, 26, ahead=False)

    def test_pop3(self):
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password, protocol="pop3")
        inbox.write({"notify_errors_to": "admin@helpdesk.example",
                     "notify_errors_from": "hd@x.example"})  # fmt: skip
        self.check(inbox, login, 8, ahead=False)
