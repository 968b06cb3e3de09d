# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attacks on the idle cycle run in one transaction (issue 13, branch idle3): the
first message of a cycle is claimed with the commit that ends its synchronization, on
that transaction's snapshot. When that claim fails because another worker changed the
line since that snapshot, the message must not be downloaded by the handle the line
holds now on a connection to a mailbox the inbox does not read any more."""

from unittest.mock import patch

from odoo.modules import module as odoo_module
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.mail_inbox_message_batch import MailInboxMessage as BatchMessage
from ..models.mail_inbox_message_claim import MailInboxMessage
from .common import make_email
from .test_attack_combined import MailboxChangedMidCycleCase


@tagged("post_install", "-at_install")
class TestAttackIdle3FirstClaim(MailboxChangedMidCycleCase):
    def _alpha_and_beta_left_new(self, beta_aside=False, **inbox_kwargs):
        """An inbox (Alpha 1, Beta 2, POP3 unless ``inbox_kwargs`` say otherwise), both
        recorded and left new; Beta set aside when ``beta_aside``. Returns the login,
        the inbox and Alpha."""
        env, login, inbox = self._committed_inbox(count=0, **inbox_kwargs)
        alpha = make_email(subject="Alpha", message_id="<alpha@c.example>")
        self.deliver(alpha, login=login)  # 1
        self.deliver(make_email(subject="Beta", message_id="<beta@c.example>"), login=login)
        self.cycle(inbox)  # both recorded, left new
        if beta_aside:
            env.cr.execute(
                "UPDATE mail_inbox_message SET state = 'undesired' WHERE inbox_id = %s "
                "AND message_id = 'beta@c.example'",
                [inbox.id],
            )
            env.cr.commit()
        return login, inbox, alpha

    def _imap_inbox_and_support_holding_alpha(self, beta_aside=False):
        """An IMAP inbox on INBOX (Alpha 1, Beta 2), both left new (one batch) or Beta
        set aside; the folder Support (the same UIDVALIDITY) holding a copy of Alpha as
        UID 2."""
        login, inbox, alpha = self._alpha_and_beta_left_new(
            beta_aside, port=self.dovecot.imap_port, protocol="imap"
        )
        self._support_holding_alpha(login, alpha)
        return inbox

    def _cycle_with_change_before(self, inbox, model_class, name):
        step, changed = self._once_changed_to_support(inbox, getattr(model_class, name))
        with (
            patch.object(odoo_module, "current_test", None),
            patch.object(model_class, name, step),
        ):
            result = inbox._fetch()
        self.assertTrue(changed)
        self.assertFalse(result.get("failure"), result.get("failure"))
        self.assertEqual(result["error"], 0, result)
        self.assertEqual(result["processed"], 0, "nothing downloaded from the old folder")
        self.assertEqual(self.committed_message_ids(inbox), ["alpha@c.example", "beta@c.example"])

    def test_a_first_claim_refused_by_a_change_downloads_nothing_on_the_old_mailbox(self):
        """The cycle found Alpha's line on a snapshot that still names INBOX; the
        administrator points the inbox at Support and another worker synchronizes it
        before the claim that ends the synchronization (Alpha's line found again in
        Support, its handle now Support's UID 2). That claim meets the change (a
        serialization failure: not claimed), and the message was then claimed on its
        turn, on a fresh snapshot, without the check of the mailbox the later
        messages get: downloaded by UID 2 from INBOX, which is Beta."""
        inbox = self._imap_inbox_and_support_holding_alpha(beta_aside=True)
        self._cycle_with_change_before(inbox, MailInboxMessage, "_claim_following")

    def test_pop3_a_first_claim_refused_by_a_change_downloads_nothing_on_the_old_mailbox(self):
        """The same on POP3, whose idle cycle finds the lines to process on the
        snapshot of its first read (taken before it connected): the administrator
        points the inbox at another mailbox (its handles made as the old one's: the
        same UIDVALIDITY) while the cycle connects, and another worker synchronizes
        it (Alpha's line found again there, its handle now the new mailbox's second
        message's). The first claim, on the old snapshot, fails; the message was
        claimed again on its turn and downloaded from the old mailbox by that
        handle: Beta."""
        login, inbox, alpha = self._alpha_and_beta_left_new(beta_aside=True)
        self.cycle(inbox)  # the listing compared and remembered: an idle mailbox
        new_login, new_password = self.new_mailbox()
        self._holding_alpha_as_second(new_login, alpha, uidvalidity_of=login)
        changed, inbox_class = [], type(inbox)
        original = inbox_class._open_source

        def open_source(record, *args, **kwargs):
            if not changed:
                changed.append(True)
                admin = self._real_env()
                other = admin["mail.inbox"].browse(inbox.id)
                other.write({"login": new_login, "password": new_password})
                admin.cr.commit()
                with other._open_source() as new:
                    other._sync_mailbox(new)
                admin.cr.commit()
            return original(record, *args, **kwargs)

        with (
            patch.object(odoo_module, "current_test", None),
            patch.object(inbox_class, "_open_source", open_source),
        ):
            result = inbox._fetch()
        self.assertTrue(changed)
        self.assertEqual(result["error"], 0, result)
        self.assertEqual(result["processed"], 0, "nothing downloaded from the old mailbox")
        self.assertEqual(self.committed_message_ids(inbox), ["alpha@c.example", "beta@c.example"])

    def test_a_batch_claimed_before_a_change_downloads_nothing_on_the_old_mailbox(self):
        """The batch's claim committed, the administrator's change and another
        worker's synchronization of Support committed before the batch reads its
        lines' handles (``_download_batch``, a transaction of its own): the leases
        do not stop the synchronization, and Alpha's line, found again in Support
        as UID 2, was downloaded by that UID from INBOX: Beta."""
        inbox = self._imap_inbox_and_support_holding_alpha()
        self._cycle_with_change_before(inbox, BatchMessage, "_download_batch")

    def test_a_batch_claim_refused_by_a_change_downloads_nothing_on_the_old_mailbox(self):
        """A batch's claim (``_claim_rows``) runs on the snapshot on which the cycle
        checked the mailbox (``_goes_on``). The administrator's change and another
        worker's synchronization of Support committed between that check and the
        claim: the claim met them (a serialization failure) and was tried again on a
        fresh snapshot, the mailbox not checked again: Alpha's line, found again in
        Support as UID 2, was downloaded by that UID from INBOX: Beta."""
        inbox = self._imap_inbox_and_support_holding_alpha()
        self._cycle_with_change_before(inbox, BatchMessage, "_claim_rows")

    def test_messages_left_out_of_a_batch_download_nothing_after_a_change(self):
        """Messages a batch claimed and left out (history since the plan: another
        worker counted an attempt) are processed one after the other at the end of
        the cycle (``_process_alone``), each committing, the mailbox checked once
        before the first. The administrator's change and another worker's
        synchronization of Support committed after the first of them (Delta): Beta
        was still processed from the old folder, and Alpha's line, found again in
        Support as UID 2, was downloaded by that UID from INBOX: Beta."""
        _env, login, inbox = self._committed_inbox(
            count=0, port=self.dovecot.imap_port, protocol="imap"
        )
        alpha = make_email(subject="Alpha", message_id="<alpha@c.example>")
        self.deliver(make_email(subject="Delta", message_id="<delta@c.example>"), login=login)
        self.deliver(make_email(subject="Beta", message_id="<beta@c.example>"), login=login)
        self.deliver(alpha, login=login)  # INBOX 3
        self.cycle(inbox)  # all three recorded, left new: one batch
        self._support_holding_alpha(login, alpha)
        original_claim_rows = BatchMessage._claim_rows
        counted = []

        def claim_rows(records):
            if not counted:  # another worker's attempts: each goes alone
                counted.append(True)
                other = self._real_env()
                other.cr.execute(
                    "UPDATE mail_inbox_message SET attempts = 1 WHERE inbox_id = %s", [inbox.id]
                )
                other.cr.commit()
            return original_claim_rows(records)

        original_isolated = MailInboxMessage._process_isolated
        process_isolated, changed = self._once_changed_to_support(inbox, original_isolated)
        calls = []

        def second_process_isolated(record, *args, **kwargs):
            # The change comes once the first message left out is done (Delta).
            calls.append(record.id)
            step = process_isolated if len(calls) == 2 else original_isolated
            return step(record, *args, **kwargs)

        with (
            patch.object(odoo_module, "current_test", None),
            patch.object(BatchMessage, "_claim_rows", claim_rows),
            patch.object(MailInboxMessage, "_process_isolated", second_process_isolated),
            # Beta, checked on a snapshot before the change, meets it when it writes
            # its download mark (a serialization failure): aborted, left new.
            mute_logger(
                "odoo.sql_db", "odoo.addons.helpdesk_mail_ticket.models.mail_inbox_message"
            ),
        ):
            result = inbox._fetch()
        self.assertTrue(changed)
        self.assertFalse(result.get("failure"), result.get("failure"))
        # Delta, processed before the change, ends as the inbox's rules say (an
        # unknown caller here); Alpha and Beta wait, never read from the old folder.
        check = self._real_env()
        check.cr.execute(
            "SELECT message_id, state FROM mail_inbox_message WHERE inbox_id = %s "
            "AND message_id IN ('alpha@c.example', 'beta@c.example') ORDER BY message_id",
            [inbox.id],
        )
        self.assertEqual(
            check.cr.fetchall(), [("alpha@c.example", "new"), ("beta@c.example", "new")]
        )
