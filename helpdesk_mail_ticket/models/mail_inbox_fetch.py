# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Polling an inbox: the cron's cycle, the IDLE loop, push delivery, and the cycle's
status and warnings."""

import hashlib
import logging
import time
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import MissingError
from odoo.tools import SQL

from ..mailparse import header_ids
from ..mailparse.identity import content_digest, header_digest
from ..mailsource import MailSourceError
from ..mailsource.ahead import ConnectAhead
from ..mailsource.base import REDACTED
from ..mailsource.early import EarlyConnection
from ..transaction import SYNC_RETRIES, commit, release_locks, rollback
from .mail_inbox import DEFAULT_RUN_BUDGET, SECRETS_PREFETCH, InboxTrace
from .mail_inbox_message_claim import Handoff

# The inbox's logger, whichever file of the model logs (log handlers name it).
_logger = logging.getLogger(__package__ + ".mail_inbox")

# IDLE mode: longest single IDLE (RFC 2177 asks clients to renew before 29 minutes) and
# the polling interval used instead when the server does not offer IDLE.
IDLE_MAX_WAIT = 20 * 60
IDLE_FALLBACK_POLL = 10
FAILURES_BEFORE_WARNING = 3
# The seconds between two polls when not set.
DEFAULT_PERIODICITY = 30
# last_run_date is rewritten by a successful cycle only once this old: back-to-back
# cycles (IMAP IDLE, a short periodicity) then write nothing when nothing changed.
LAST_RUN_PRECISION = timedelta(seconds=10)
ERRORS_BEFORE_WARNING = 10
# A cron run opens the connections of this many next inboxes while it polls one.
CONNECT_AHEAD = 4
# New messages (no attempt yet) processed in one transaction, a savepoint each, and
# the most mail a batch holds (its messages' bytes stay in memory until its commit).
BATCH_SIZE = 20
BATCH_BYTES = 8 * 2**20


# One concern of mail.inbox per file, as Odoo splits a large model: intended.
class MailInbox(models.Model):
    _inherit = "mail.inbox"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _get_number_setting(self, name, default, minimum=0):
        """The global setting ``name`` as a whole number of at least ``minimum``, else
        ``default``. A value the settings form refuses, stored another way (a word, a
        number under the minimum saved before the check, a system parameter edited by
        hand), is the default, with a warning: read as it stood, a word stopped every
        cron run and a negative budget let every inbox process nothing, without a word."""
        value = (self._get_global_params().get(name) or "").strip()
        try:
            number = int(value) if value else default
        except ValueError:
            number = minimum - 1
        if number < minimum:
            _logger.warning(
                "The setting %s is %r, no whole number of at least %s: %s used",
                name,
                value,
                minimum,
                default,
            )
            return default
        return number

    @api.model
    def _cron_fetch(self):
        """Called from a cron: poll every active inbox, then schedule the next poll
        after ``periodicity`` seconds (Odoo's cron ticks per minute). Every inbox of
        every company, whichever companies the cron's user is in: each is processed
        in its own company (``_fetch``)."""
        budget = self._get_number_setting("max_messages_per_run", DEFAULT_RUN_BUDGET)
        done = remaining = 0
        # Archived during the run: passed over from then on (``_is_polled``). Listed
        # with what the run reads of them before each one's own first read (the POP3
        # mailboxes shared, the connections opened ahead), in one statement: else the
        # first of those fields read every prefetched column of every inbox.
        inboxes = (
            self.sudo()
            .with_context(mail_inbox_active_only=True)
            .search_fetch([], self._get_cycle_fields())
        )
        shared = inboxes._pop3_mailboxes_shared()
        with ConnectAhead(self._get_connect_ahead()) as ahead:
            for index, inbox in enumerate(inboxes):
                # An inbox deleted during the run raises MissingError when read: passed
                # over here (no statement to check each), and by _connect_ahead.
                inboxes[index + 1 : index + 1 + ahead.width]._connect_ahead(ahead, shared)
                # A spent budget is 0: the inbox is synchronized, its mail waits.
                try:
                    result = inbox._fetch(
                        limit=max(budget - done, 0) if budget else None, ahead=ahead
                    )
                except MissingError:  # deleted since the run started: nothing to poll
                    _logger.info("Mail inbox %s was deleted during the cron run", inbox.id)
                    continue
                except Exception as error:
                    # Beyond the cycle's own guard (its status, its trace, an override):
                    # this inbox alone fails; the run goes on with the next ones.
                    inbox._record_cycle_crash(error)
                    continue
                done += result["processed"] + result["error"] + result["undesired"]
                remaining += result["remaining"]
        if done or remaining:
            # Odoo's runner made the progress record with 0 and 0, what an idle run
            # would write again (one statement a run).
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        periodicity = self._get_number_setting("periodicity", DEFAULT_PERIODICITY, 1)
        if periodicity < 60 and not remaining:
            self._get_fetch_cron()._trigger(
                at=fields.Datetime.now() + timedelta(seconds=periodicity)
            )

    @api.model
    def _get_fetch_cron(self):
        """The inbox cron's record, without the statement ``env.ref`` sends to check
        that it exists (the xml id's lookup is cached): its trigger reads the record
        anyway, and a record deleted since fails there (MissingError), as ``env.ref``
        would have (ValueError), after every inbox of the run is polled."""
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "helpdesk_mail_ticket.ir_cron_mail_inbox_fetch"
        )
        return self.env["ir.cron"].browse(cron_id)

    def _record_cycle_crash(self, error):
        """Undo what this inbox's cycle left when it failed beyond its own guard, and
        record the failure on the inbox when the database still takes it."""
        _logger.exception("Mail inbox %s: the cycle failed", self.id)
        rollback(self.env)
        try:
            with self.env.cr.savepoint():
                self._record_failure(
                    self.env._("The cycle failed: %(error)s", error=self._crash_text(error))
                )
            commit(self.env)
        except Exception:
            _logger.exception("Mail inbox %s: its failure could not be recorded", self.id)
            rollback(self.env)

    def _crash_text(self, error):
        """What a failed cycle records of ``error`` (its last error, read by whoever
        reads the inbox): a database error's own message without its DETAIL (which can
        show the inbox's whole row, its password and tokens with it), and no secret of
        this inbox."""
        text = str(error)
        if isinstance(error, psycopg2.Error) and error.diag.message_primary:
            text = error.diag.message_primary
        secrets = [
            name for name, field in self._fields.items() if field.prefetch == SECRETS_PREFETCH
        ]
        try:
            values = self.sudo().read(secrets)[0] if secrets else {}
        except Exception:  # the database refuses even this: keep the message alone
            values = {}
            _logger.debug("Mail inbox %s: secrets unreadable", self.id, exc_info=True)
        for value in values.values():
            if isinstance(value, str) and len(value) >= 3:
                text = text.replace(value, REDACTED)
        return text[:500]

    @api.model
    def _get_connect_ahead(self):
        """How many next inboxes a cron run connects to while it polls one (0: none)."""
        return CONNECT_AHEAD

    def _connect_ahead(self, ahead, shared=frozenset()):
        """Start connecting these inboxes on ``ahead``'s threads (``_fetch`` takes the
        connection). Not an OAuth2 inbox, whose access token may be renewed and stored
        by its own cycle, nor a POP3 mailbox of ``shared`` (``_pop3_mailboxes_shared``:
        a POP3 server locks a mailbox for one session)."""
        for inbox in self:
            try:
                if inbox.id in ahead or inbox.auth_method == "oauth2":
                    continue
                if inbox.protocol == "pop3" and inbox._pop3_mailbox() in shared:
                    continue
                trace = inbox._new_trace()
                source = inbox._open_source(trace=trace.add)
            except Exception:  # its own cycle meets it again (deleted: passed over)
                _logger.debug("Mail inbox %s: not connected ahead", inbox.id, exc_info=True)
                continue
            ahead.open(inbox.id, source, data=trace)

    def _pop3_mailbox(self):
        """What tells a mailbox: its login. Not the server's name nor its port: one
        mailbox answers under several (localhost and 127.0.0.1, an alias, 110 and 995),
        which the unique mailbox key tells apart."""
        return (self.login or "").strip().lower()

    def _pop3_mailboxes_shared(self):
        """The POP3 mailboxes (``_pop3_mailbox``) that another of these inboxes may read
        too, under another name of its server or over IMAP: a POP3 session opened ahead
        would hold the mailbox's lock, or list mail the other then deletes."""
        seen, shared = set(), set()
        for inbox in self:
            key = inbox._pop3_mailbox()
            (shared if key in seen else seen).add(key)
        pop3 = self.filtered(lambda inbox: inbox.protocol == "pop3")
        return shared & {inbox._pop3_mailbox() for inbox in pop3}

    def _new_trace(self):
        debug = self._get_global_params().get("debug") in ("True", "1", "true")
        return InboxTrace(self.name, echo=debug)

    @api.model
    def _find_for_command(self, names):
        """The inboxes a command-line run polls: the ones named (id or name), or every
        active inbox."""
        if not names:
            return self.search([])
        inboxes = self.browse()
        for name in names:
            domain = [("id", "=", int(name))] if name.isdigit() else [("name", "=", name)]
            inboxes |= self.with_context(active_test=False).search(domain)
        return inboxes

    def _fetch(self, limit=None, ahead=None):
        """Poll this inbox once: record every message seen, process the new ones,
        then apply the server-side actions (delete, move) the database now calls for.
        ``ahead``: the cron run's ``ConnectAhead``, which may have its connection.

        :return: a dict of counts, and ``failure`` with the reason of a failed cycle
        """
        self.ensure_one()
        # The TCP connection to where this process's last cycle of the inbox connected,
        # started before the first read: the server's greeting comes meanwhile. Nothing
        # is sent on it unless the settings read now name the same host and port.
        early = None if ahead and self.id in ahead else self._connect_early()
        try:
            return self._fetch_cycle(limit, ahead, early)
        finally:
            # Not taken (here or by its source): closed unused, which a server logs as
            # a connection without login (fail2ban's dovecot filter bans for those in
            # its aggressive mode). The cycle failed before it connected (or did not
            # poll): the next one starts none until a cycle connects again, not one
            # per cycle that fails. A memo of another endpoint since is kept.
            # Its name not resolved (or to several addresses): the connection looks it
            # up again, a lookup more a cycle for nothing.
            if early is not None:
                early.close()
                if early.closed_unused or not early.resolved:
                    self._forget_endpoint(early.endpoint)

    def _connect_early(self):
        """An :class:`~..mailsource.early.EarlyConnection` to the host and port this
        process's last cycle of the inbox connected to (``_remember_endpoint``), or
        None (none yet)."""
        endpoint = getattr(self.env.registry, "hmt_inbox_endpoints", {}).get(self.id)
        return EarlyConnection(*endpoint) if endpoint else None

    def _remember_endpoint(self, source):
        """Where the next cycle of the inbox in this process connects early: where
        ``source`` connected."""
        registry = self.env.registry
        endpoints = getattr(registry, "hmt_inbox_endpoints", None)
        if endpoints is None:
            endpoints = registry.hmt_inbox_endpoints = {}
        config = source.config
        endpoints[self.id] = (config.host, config.effective_port)

    def _forget_endpoint(self, endpoint):
        """No early connection for the next cycle of the inbox in this process (while
        its memo still names ``endpoint``: a cycle may have remembered another)."""
        endpoints = getattr(self.env.registry, "hmt_inbox_endpoints", {})
        if endpoints.get(self.id) == endpoint:
            endpoints.pop(self.id, None)

    def _fetch_cycle(self, limit, ahead, early):
        """``_fetch``'s cycle, ``early`` the connection it started (or None)."""
        # What the cycle reads of the inbox, in one narrow read: its connection settings,
        # what the rest of an idle cycle reads, and the stored synchronization state.
        # An idle cycle goes on with it, on this snapshot: one transaction
        # (``_read_sync_state``; a change of the mailbox since then is read again).
        first = self._read_first_state()
        # The trace its connection opened ahead writes to, even while still empty.
        trace = ahead.data(self.id) if ahead else None
        if trace is None:
            trace = self._new_trace()
        # In the inbox's company: its tickets and contacts are made there.
        # The mailbox it connects to: the synchronization checks it is still the inbox's.
        inbox = self.with_company(self.company_id).with_context(
            mail_inbox_trace=trace,
            mail_inbox_connected=self._get_mailbox_identity(),
            mail_inbox_first_state=first,
        )
        result = {"new": 0, "processed": 0, "error": 0, "undesired": 0, "remaining": 0}
        if not self._is_polled():
            if ahead:  # its connection opened ahead, closed unused
                ahead.discard(self.id)
            return dict(result, archived=True)
        started = time.monotonic()
        try:
            # None when its settings changed since: connected again with the new ones.
            opened = None
            if ahead and self.id in ahead:
                opened = ahead.take(self.id, config=inbox._get_server_config())
            if opened is None:
                opened = inbox._open_source(trace=trace.add)
                opened.take_early(early)
            with opened as source:
                # Connected: where its next cycle connects early (not an endpoint
                # never reached, which it would look up and connect to for nothing).
                self._remember_endpoint(opened)
                inbox._trace("Connected to %s", self.mailbox_key)
                result.update(inbox._fetch_from_source(source, limit))
        except MailSourceError as error:
            result["failure"] = inbox._connection_error_message(error)
            if getattr(error, "download_note", None):  # the message being downloaded
                result["failure"] += " " + error.download_note
        except Exception as error:
            # Whatever else breaks a cycle (the database, a bug) fails this inbox only:
            # the cron goes on with the next inboxes, the next cycle retries.
            _logger.exception("Mail inbox %s: the cycle failed", self.name)
            rollback(self.env)
            result["failure"] = self.env._(
                "The cycle failed: %(error)s", error=self._crash_text(error)
            )
        finally:
            if ahead:  # not taken: its settings could not be prepared
                ahead.discard(self.id)
        inbox._record_status(result.get("failure"), new_errors=result["error"])
        inbox._trace("Cycle ended in %.2f s: %s", time.monotonic() - started, result)
        inbox._save_trace(trace)
        commit(self.env)
        return result

    def _is_polled(self):
        """Whether this cycle polls the inbox (read with its cycle fields, no statement
        of its own): not when an unattended run (the cron, the IDLE loop:
        ``mail_inbox_active_only`` in the context) meets it archived since it started
        (``_fetch`` then returns ``archived``). Nothing is half done:
        its mail waits in the mailbox and in its ledger for the inbox to be restored."""
        if self.active or not self.env.context.get("mail_inbox_active_only"):
            return True
        _logger.info("Mail inbox %s was archived during the run: not polled", self.name)
        return False

    def _read_first_state(self):
        """The cycle's first read (``_fetch``): its connection settings and what the
        rest of an idle cycle reads of the row, with the stored synchronization state
        (``_read_cycle_state``), a dict, or None when read by the ORM alone: a caller
        without superuser rights (the ORM checks its access to each field), or the
        inbox gone (the ORM raises MissingError)."""
        names = [*self._get_cycle_fields(), *self._sync_lock_columns()]
        if self.env.su:
            columns = self._state_columns(names)
            state = self._read_cycle_state(columns)
            if state:
                # A field that is no column of the row (an override's): read as usual.
                others = [name for name in names if name not in columns]
                if others:
                    self.fetch(others)
                # A tuple: it travels in the context (hashable, as its values should be).
                return tuple(state.items())
        self.fetch(names)
        return None

    def _get_cycle_fields(self):
        """The inbox's fields a cycle reads before its synchronization lock (its
        connection settings, name and company): read alone, not with every other
        column of the row (an OAuth2 inbox reads its tokens when it needs them).
        Hook: also called on no inbox (the cron lists every inbox with them,
        ``_cron_fetch``): an override adds field names without reading the record."""
        return [
            "name", "active", "company_id", "protocol", "server", "port", "login", "password",
            "auth_method", "security", "mailbox", "verify_certificate", "mailbox_key",
        ]  # fmt: skip

    def _record_status(self, failure, new_errors=0):
        """Record the cycle's outcome (and warn the admins) in a transaction of its own;
        when another worker records the same inbox's at the same moment, its record is
        enough: a conflict there never fails the cycle. A working inbox polled again
        within LAST_RUN_PRECISION, with no new error, has nothing to record. The
        success of an inbox not shown failing never waits for the row: the worker
        holding it (synchronizing, between two of its steps) records its own cycle; a
        failure, new errors and a recovery wait for it (``_lock_for_status``)."""
        if not (failure or new_errors) and self._ran_lately():
            return
        commit(self.env)
        if not self._lock_for_status(bool(failure or new_errors)):
            _logger.info("Mail inbox %s: another worker recorded its status", self.name)
            return
        try:
            with self.env.cr.savepoint():
                if failure:
                    self._record_failure(failure)
                else:
                    self._record_success(new_errors)
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.UniqueViolation):
            _logger.info("Mail inbox %s: another worker recorded its status", self.name)

    def _lock_for_status(self, change):
        """Lock the row for ``_record_status``; False when the record is left to another
        worker. A failure or new errors (``change``) wait for the row, as always. A
        success waits only when the inbox is shown failing on a fresh snapshot: the
        holder of the row may die, or fail its own record, before it records its own
        cycle, and a recovery skipped leaves the inbox shown failing with its failures
        counted on (the next transient failure warns that the last polls failed). A
        change of the row while waiting (the holder's cursor) is read again."""
        if self._lock_row(wait=False):
            return True
        if change:
            return self._lock_row()
        for _attempt in range(SYNC_RETRIES):
            self.invalidate_recordset(["state", "failure_count"])
            if self.state != "error" and not self.failure_count:
                return False  # working: the holder's own cycle records it
            if self._lock_row():
                return True
            commit(self.env)  # changed since this snapshot: read again on a fresh one
        return False

    def _fetch_from_source(self, source, limit):
        new, cursor = self._sync_mailbox(source)
        on_first_read = self._synced_on_first_read()
        if not self._reads_connected_mailbox():
            # The synchronization found the inbox pointed at another mailbox (read in
            # the transaction the first claim is made in, with no statement when the
            # read is still cached): the lines may hold that mailbox's handles, which
            # name other mail on this connection's. Nothing is processed nor removed.
            return {"new": len(new), "processed": 0, "error": 0, "undesired": 0, "remaining": 0}
        todo, removable = self._find_pending_and_removable()
        if on_first_read and todo:
            # Lines left new, found on the snapshot of the cycle's first read, taken
            # before it connected: read again on a fresh snapshot, the synchronization
            # state first, before any is claimed (a change of mailbox committed since,
            # and another worker's synchronization of the new one, are seen there: a
            # line's handle may name other mail on this connection now). What the
            # server actions found there needs nothing more: they commit, lock the
            # lines and decide again on a fresh snapshot, the mailbox checked
            # (``_apply_server_actions``).
            self._trace("Messages to process: the state read again on a fresh snapshot")
            inbox = self.with_context(mail_inbox_first_state=None)
            return inbox._fetch_from_source(source, limit)
        # A synchronization that locked the row and stored no cursor leaves its lock to
        # the next commit, which _process_messages makes before any download.
        counts = {"new": len(new), **self._process_messages(source, todo, limit)}
        # With nothing processed, what the server actions call for is what the same
        # statement found on this same snapshot (an idle cycle: one statement for both).
        # The rows travel in the context: the cycle still calls _apply_server_actions
        # and _server_action_candidates, and an override of either is obeyed by an
        # idle cycle too (a rule keeping some mail on the server).
        inbox = self
        if removable and not todo:
            inbox = self.with_context(mail_inbox_server_action_rows=removable)
        removed = inbox._apply_server_actions(source)
        if cursor and removed:
            self._store_count_after_server_actions(source, cursor)
        return counts

    def _find_pending_and_removable(self):
        """In one statement, the inbox's messages to process (``new``, on the server or
        with a kept copy: a recordset in id order) and, when no commit came since the
        cycle read the inbox's row (an idle cycle: the cache still holds what the check
        reads), the rows of the server actions' check (``_server_action_queries``):
        ``(rows, plan)`` for ``_server_action_candidates_from``, else None. Valid for
        the server actions only while nothing is processed nor committed after it.
        An idle POP3 cycle found them already with the check of its listing, on this
        snapshot (``_listing_unchanged``): no statement then."""
        found = self._pending_found_with_listing()
        if found is not None:
            return found
        queries = self._pending_and_removable_queries()
        self.env.cr.execute(SQL(" UNION ALL ").join(queries[0]))
        return self._pending_and_removable_from(self.env.cr.fetchall(), queries[1])

    def _pending_and_removable_queries(self):
        """The queries of ``_find_pending_and_removable`` (rows ``(id, ticket_model,
        ticket_id, is_kept)``, ``is_kept`` NULL for a line to process) and the server
        actions' plan (None: their rows are not read here). Flushes the ledger."""
        cache, fields_ = self.env.cache, self._fields
        if all(cache.contains(self, fields_[name]) for name in self._sync_lock_columns()):
            queries, plan = self._server_action_queries()
        else:  # read again after the processing's commits: not read here for nothing
            queries, plan = [], None
        pending = SQL(
            "(SELECT id, NULL::varchar, NULL::integer, NULL::boolean FROM mail_inbox_message "
            "WHERE inbox_id = %s AND state = 'new' "
            "AND (on_server OR raw_attachment_id IS NOT NULL))",
            self.id,
        )
        self.env["mail.inbox.message"].flush_model()
        return [pending, *queries], plan

    def _pending_and_removable_from(self, rows, plan):
        """``_find_pending_and_removable``'s answer from the rows of its queries."""
        todo, removable = [], []
        for row in rows:
            if row[3] is None:
                todo.append(row[0])
            else:
                removable.append(row)
        # A tuple: the rows may travel in a context (hashable, as its values should be).
        ledger = self.env["mail.inbox.message"]
        return ledger.browse(sorted(todo)), (tuple(removable), plan) if plan else None

    def _pending_found_with_listing(self):
        """What ``_listing_unchanged`` found of ``_find_pending_and_removable`` with its
        check, on this cycle's first snapshot (the cache still holding the row's read:
        no commit since), or None."""
        first = self.env.context.get("mail_inbox_first_state")
        kept = self.env.cr.cache.pop("hmt_pending_with_listing", None)
        if not kept or first is None or kept[0] is not first or kept[1] != self.id:
            return None
        cache, fields_ = self.env.cache, self._fields
        if not all(cache.contains(self, fields_[name]) for name in self._sync_lock_columns()):
            return None
        return kept[2]

    def _process_messages(self, source, messages, limit=None):
        """Process this cycle's share of the inbox's ``new`` messages: the first
        ``limit`` of ``messages`` (all when None), on the cycle's connection, in
        batches of ``_get_batch_size()`` messages (each message with a history alone).
        Hook: the bridge helpdesk_mail_ticket_queue_job enqueues them as
        jobs instead.

        :return: the counts of ``processed``, ``error`` and ``undesired`` messages, and
            ``remaining``: how many are left for the next cycle
        """
        counts = {"processed": 0, "error": 0, "undesired": 0}
        if not messages:  # an idle cycle: no settings to parse, no batch to plan
            return dict(counts, remaining=0)
        todo = messages[:limit] if limit is not None else messages
        settings = self._get_parse_settings()
        if todo and not self.env.context.get("lang"):
            # Odoo's message_post sets the user's language when the context has none,
            # reading the user and its partner again after every commit: once is enough.
            messages = messages.with_context(lang=self._get_user_lang())
        # One record or batch at a time: every commit empties the cache, and a record of
        # the whole cycle would read all of it again at its next field access.
        chunks = self._plan_batches(messages.browse(todo.ids), self._get_batch_size())
        handoff, later, first = Handoff(), {}, None
        try:
            if messages:
                # What the synchronization left (the last lines it recorded and the
                # cursor, its row lock) is committed before any download, with the
                # claim of the first message when it goes alone and the mark of its
                # download: one commit for all of it. Bookkeeping only, which nothing
                # outside the database acts on before the attempt's durable commit:
                # it does not wait for the disk (``transaction.commit``).
                first = chunks[0] if chunks and len(chunks[0]) == 1 else None
                if source is not None and hasattr(source, "check_listing"):
                    # A listing the source kept unread (POP3 on a job's connection,
                    # or after a cycle that found it unchanged) is read before the
                    # first download is marked: an unreadable answer is the server's
                    # failure, never counted against that message.
                    source.check_listing()
                messages._commit_claiming(first, handoff, durable=False)
                if first is not None and not handoff.holds(first):
                    # Not claimed: another worker has it, or changed its line since
                    # this snapshot (an administrator's change of mailbox, then another
                    # worker's synchronization of the new one, gave it that mailbox's
                    # handle). Claimed on its turn, the mailbox checked first.
                    first = None
            states = []
            for index in range(len(chunks)):
                # The inbox may read another mailbox since the cycle connected: the
                # lines may hold its handles now (another worker synchronized it),
                # which name other mail on this connection's. Not asked for the first
                # message claimed with the commit above: its claim locked its line
                # (a reset sets it off the server) in the transaction that checked it
                # (_fetch_from_source). Nor once an unattended run finds it archived.
                if (index or first is None) and not self._goes_on():
                    # What batches left out stays new too (their leases let go below,
                    # their attempts given back): never downloaded on this connection.
                    break
                # What batches left out (their claims kept), one at a time, once what
                # they wait for is done: the rest at the end of the cycle.
                done = messages._process_alone(source, settings, later, wait=False)
                states += done
                if done and not self._goes_on():  # checked again after their commits
                    break
                states += self._process_chunk(source, settings, chunks, index, handoff, later)
            else:
                if not later or self._goes_on():
                    states += messages._process_alone(source, settings, later)
        finally:
            handoff.release()
            release_locks(self.env, list(later))  # left by a lost connection or a stop
        for state in states:
            if state in counts:
                counts[state] += 1
        counts["remaining"] = len(messages) - len(todo)
        return counts

    def _goes_on(self):
        """Whether the cycle goes on with its next messages, read again on the row as
        committed: the inbox still reads the mailbox it connected to
        (``_still_connected_mailbox``) and, in an unattended run, is still active
        (``_is_polled``), in one read."""
        return self._still_connected_mailbox() and self._is_polled()

    def _process_chunk(self, source, settings, chunks, index, handoff, later):
        """The states of the messages of ``chunks[index]``: a batch
        (``mail.inbox.message._process_batch``, which adds to ``later`` the messages it
        claimed and left out), or a message alone, which the commit of its outcome
        hands the next one's claim when that one goes alone too."""
        chunk = chunks[index]
        if len(chunk) > 1:
            handoff.release()
            return chunk._process_batch(source, settings, later)
        following = chunks[index + 1] if index + 1 < len(chunks) else None
        handoff.following = following if following and len(following) == 1 else None
        return [chunk._process_isolated(source, settings, handoff)]

    def _get_user_lang(self):
        """The cycle's user's language (``res.users.lang``, its partner's), in one
        narrow read when the cache does not have it (the user and its partner would
        each be read whole)."""
        user = self.env.user
        query = self._user_lang_query()
        if query is None:
            return self.env.context.get("lang") or user.lang
        self.env.cr.execute(query)
        row = self.env.cr.fetchone()
        return row[0] if row else user.lang

    def _user_lang_query(self):
        """The query of ``_get_user_lang``'s read (one row: the language), which a
        statement the cycle sends anyway may carry (the synchronization's read of the
        ledger when it records new mail: ``_read_recognition``); None when the context
        or the cache has the language already (no read)."""
        user = self.env.user
        if self.env.context.get("lang") or self.env.cache.contains(user, user._fields["lang"]):
            return None
        self.env["res.partner"].flush_model(["lang"])
        self.env["res.users"].flush_model(["partner_id"])
        return SQL(
            "SELECT partner.lang FROM res_users u JOIN res_partner partner "
            "ON partner.id = u.partner_id WHERE u.id = %s",
            user.id,
        )

    def _plan_batches(self, messages, size):
        """``messages`` cut, in id order, into batches of at most ``size`` messages
        without history (no attempt, no download mark, no connection failure) and at
        most BATCH_BYTES of mail as listed (a bigger message is a batch of its own); a
        message with history is one of its own, processed alone as before."""
        if size == 1 or len(messages) <= 1:  # nothing to cut: no statement
            return [messages.browse(message_id) for message_id in messages.ids]
        self.env.cr.execute(
            """SELECT id, COALESCE(attempts, 0) > 0 OR COALESCE(connection_failures, 0) > 0
                          OR download_started IS NOT NULL, COALESCE(size, 0)
                 FROM mail_inbox_message WHERE id = ANY(%s)""",
            [messages.ids],
        )
        rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        chunks, run, held = [], [], 0
        for message_id in messages.ids:
            history, octets = rows.get(message_id, (True, 0))
            if history or (run and held + octets > BATCH_BYTES):
                chunks.append(run)
                run, held = [], 0
            if history:
                chunks.append([message_id])
                continue
            run.append(message_id)
            held += octets
            if len(run) == size:
                chunks.append(run)
                run, held = [], 0
        chunks.append(run)
        return [messages.browse(chunk) for chunk in chunks if chunk]

    def _get_batch_size(self):
        """How many new messages a cycle processes in one transaction: the global
        parameter ``batch_size`` (1: one transaction a message), else BATCH_SIZE."""
        try:
            return max(1, int(self._get_global_params().get("batch_size") or BATCH_SIZE))
        except ValueError:
            return BATCH_SIZE

    def _run_idle_loop(self, max_seconds=None):
        """Called by ``helpdesk_fetch --idle``: fetch, wait for new mail, fetch again,
        for ``max_seconds`` (forever when None). An inbox with ``use_idle`` waits with
        IMAP IDLE, so new mail becomes a ticket within seconds; without IDLE on the
        server (or without ``use_idle``) it polls instead. Failures are recorded by
        ``_fetch`` and retried after a pause, never ending the loop."""
        self.ensure_one()
        deadline = time.monotonic() + max_seconds if max_seconds else None
        # Polled while it is active: archived meanwhile, the loop ends (an inbox archived
        # already when the loop starts, named on the command line, is polled all the same).
        inbox = self.with_context(mail_inbox_active_only=True) if self.active else self
        while True:
            # A process living for hours: what other workers changed and signaled (an
            # alias domain, a setting, cached by the registry) is read before each cycle,
            # as Odoo's own workers do before a request or a cron job.
            self.env.registry.check_signaling(self.env.cr)
            if inbox._fetch().get("archived"):
                _logger.info("Mail inbox %s was archived: its IDLE loop ends", self.name)
                return
            remaining = deadline - time.monotonic() if deadline else IDLE_MAX_WAIT
            if remaining <= 0:
                return
            self._wait_for_mail(min(remaining, IDLE_MAX_WAIT))

    def _wait_for_mail(self, timeout):
        """Return when new mail may be there: IDLE reported a change, the folder moved
        on since the last fetch, or ``timeout`` (or the polling interval) passed."""
        interval = self._get_poll_interval()
        commit(self.env)  # no transaction left open while waiting
        if not (self.use_idle and self._get_source_class().may_idle):
            time.sleep(min(timeout, interval))
            return False
        try:
            with self._open_source() as source:
                if not source.supports_idle:
                    self._trace("The server offers no IDLE: polling every %s s", interval)
                    time.sleep(min(timeout, interval))
                    return False
                # Mail that arrived since the last fetch raises no IDLE notice.
                if source.may_have_news(self.sync_cursor):
                    return True
                return source.idle(timeout)
        except MailSourceError as error:
            _logger.warning("Mail inbox %s: IDLE failed, polling: %s", self.name, error)
            time.sleep(min(timeout, interval))
            return False

    def _get_poll_interval(self):
        """Seconds between polls of the IDLE loop when it cannot wait with IDLE."""
        if self.use_idle:
            return IDLE_FALLBACK_POLL
        return self._get_number_setting("periodicity", DEFAULT_PERIODICITY, 1)

    def _ran_lately(self):
        """Whether the last cycle succeeded less than LAST_RUN_PRECISION ago."""
        return (
            self.state == "ok"
            and not self.failure_count
            and self.last_run_date
            and fields.Datetime.now() - self.last_run_date < LAST_RUN_PRECISION
        )

    def _record_success(self, new_errors=0):
        vals = {"state": "ok", "last_run_date": fields.Datetime.now(), "failure_count": 0}
        if self.state == "ok" and not self.failure_count:
            # A working inbox's success, at each cycle: one UPDATE (_write_poll_state).
            self._write_poll_state(vals)
        else:
            # A change of status (first poll, recovery) goes through write, as a failure
            # does: an override of write or an automation rule sees the inbox recover.
            self.write(vals)
        if new_errors:
            self._warn_admins_of_errors()

    def _record_failure(self, reason):
        reason = reason.replace("\x00", "\ufffd")  # a database text refuses NUL
        _logger.warning("Mail inbox %s failed: %s", self.name, reason)
        self.write(
            {
                "state": "error",
                "last_run_date": fields.Datetime.now(),
                "last_error": reason,
                "last_error_date": fields.Datetime.now(),
                "failure_count": self.failure_count + 1,
            }
        )
        if self.failure_count == FAILURES_BEFORE_WARNING:
            self._warn_admins(
                self.env._("Inbox %(inbox)s keeps failing", inbox=self.name),
                self.env._(
                    "The last %(count)s polls failed: %(reason)s",
                    count=self.failure_count,
                    reason=reason,
                ),
            )

    def _warn_admins_of_errors(self):
        """An activity when messages in error pile up (called by a cycle that set
        messages aside); again only once the admin has closed the previous one and
        more errors come."""
        errors = self.env["mail.inbox.message"].search_count(
            [("inbox_id", "=", self.id), ("state", "=", "error")]
        )
        if errors >= ERRORS_BEFORE_WARNING:
            self._warn_admins(
                self.env._("Messages in error pile up in %(inbox)s", inbox=self.name),
                self.env._(
                    "%(count)s messages are in error: see the Incoming eMails tab.", count=errors
                ),
            )

    def _warn_admins(self, summary, note):
        """An activity for the helpdesk administrators, unless one is already open."""
        activity_type = self.env.ref("mail.mail_activity_data_warning")
        if self.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
            return
        group = self.env.ref("helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager")
        admin = group.users.filtered(lambda u: not u.share and u.active)[:1] or self.env.ref(
            "base.user_admin"
        )
        self.sudo().activity_schedule(
            activity_type_id=activity_type.id, summary=summary, note=note, user_id=admin.id
        )

    def _process_raw(self, raw):
        """Record then process one message a mail server hands over (push delivery).

        It is recorded as ``push:<stable id>`` with its bytes kept, since no server
        keeps a copy, and committed before processing: a crash afterwards leaves it
        ``new`` for the inbox's next cycle. The same message delivered again is
        processed once. Returns the message (mail.inbox.message).
        """
        ledger = self.env["mail.inbox.message"]
        settings = self._get_parse_settings()
        # The header block is enough for the key (and safe: the full parse, which could
        # be what kills a process, comes after the message is committed).
        stable_id = header_ids(raw)[0]
        uid = "push:" + (stable_id or "sha256:" + hashlib.sha256(raw).hexdigest())
        digest = content_digest(raw)
        message = self._find_pushed(uid, raw, digest)
        created = not message
        if created:
            # Another email reusing the Message-ID of one pushed before: a key of its own.
            taken = ledger.search_count([("inbox_id", "=", self.id), ("uid", "=", uid)])
            message = ledger.create(
                {
                    "inbox_id": self.id,
                    "uid": f"{uid}#{digest[:16]}" if taken else uid,
                    "server_uid": f"{uid}#{digest[:16]}" if taken else uid,
                    "size": len(raw),
                    "on_server": False,
                    "content_digest": digest,
                    "header_digest": header_digest(raw),
                }
            )
            message._keep_raw(raw)
            commit(self.env)
        if message.state == "new":
            if not created and message._keep_raw(raw):
                # Its kept copy's file was lost: the bytes in hand are kept again
                # (committed before processing, as a new one's), not set aside.
                commit(self.env)
            message._process(None, settings)
        return message

    def _find_pushed(self, uid, raw, digest):
        """The line of this very email pushed before (same key, same content digest),
        or an empty recordset."""
        ledger = self.env["mail.inbox.message"]
        for message in ledger.search(
            [("inbox_id", "=", self.id), ("uid", "in", [uid, f"{uid}#{digest[:16]}"])]
        ):
            known = message.content_digest or (
                message.raw_attachment_id.raw and content_digest(message.raw_attachment_id.raw)
            )
            if known == digest:
                return message
        return ledger.browse()
