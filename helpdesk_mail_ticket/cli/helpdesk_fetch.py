# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""``odoo helpdesk_fetch``: poll the incoming email inboxes now, from a terminal.

The Odoo form of iTop's ``php cron.php --verbose=1``: process every active inbox of a
database (or the ones named), print each inbox's trace on the terminal with
``--verbose``, and exit non-zero when an inbox failed. Odoo finds commands of addons
only when ``--addons-path`` comes first::

    python3 -m odoo --addons-path=ADDONS helpdesk_fetch -d DATABASE [--inbox NAME] [--verbose]

With ``--idle`` it keeps running: each inbox with "Wait with IMAP IDLE" (or each inbox
named) gets a thread that fetches, waits with IMAP IDLE for new mail, and fetches again
(polling when the server has no IDLE), so mail becomes a ticket within seconds. The cron
goes on polling those inboxes too: the inbox's messages keep the two from importing a message twice.
"""

# A command-line tool: it prints its results.
# pylint: disable=print-used
import argparse
import logging
import sys
import threading

import odoo
from odoo import SUPERUSER_ID, api
from odoo.cli import Command
from odoo.tools import config

_logger = logging.getLogger(__name__)


class HelpdeskFetch(Command):
    """Poll the incoming email inboxes of a database now (iTop's cron.php)"""

    name = "helpdesk_fetch"

    def run(self, args):
        parser = argparse.ArgumentParser(
            prog="odoo helpdesk_fetch",
            description=self.__doc__,
            epilog="Other options are Odoo's own (-d, -c, --db_host, ...).",
        )
        parser.add_argument(
            "--inbox",
            action="append",
            default=[],
            help="id or name of an inbox to poll (repeatable); default: every active inbox",
        )
        parser.add_argument("--verbose", "-v", action="store_true", help="print each inbox's trace")
        parser.add_argument(
            "--idle", action="store_true", help="keep running: wait for new mail with IMAP IDLE"
        )
        parser.add_argument(
            "--seconds", type=float, default=None, help="with --idle: stop after this long"
        )
        options, odoo_args = parser.parse_known_args(args)
        config.parse_config(odoo_args, setup_logging=True)
        dbname = config["db_name"]
        if not dbname or "," in dbname:
            parser.error("give one database with -d")
        if options.verbose:
            logging.getLogger("odoo.addons.helpdesk_mail_ticket").setLevel(logging.DEBUG)
        if options.idle:
            sys.exit(self.watch(dbname, options.inbox, options.seconds))
        sys.exit(self.fetch(dbname, options.inbox))

    def watch(self, dbname, names, seconds):
        """One thread (and database cursor) per IDLE inbox, each in its own loop."""
        registry = odoo.modules.registry.Registry(dbname)
        with registry.cursor() as cr:
            inboxes = api.Environment(cr, SUPERUSER_ID, {})["mail.inbox"]._find_for_command(names)
            ids = (inboxes if names else inboxes.filtered("use_idle")).ids
        if not ids:
            print("No inbox to watch (set 'Wait with IMAP IDLE' on an inbox, or name one).")
            return 1

        def loop(inbox_id):
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["mail.inbox"].browse(inbox_id)._run_idle_loop(max_seconds=seconds)

        threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return 0

    def fetch(self, dbname, names):
        registry = odoo.modules.registry.Registry(dbname)
        failures = 0
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            inboxes = env["mail.inbox"]._find_for_command(names)
            if not inboxes:
                print("No inbox to poll.")
                return 1
            for inbox in inboxes:
                result = inbox._fetch()
                failure = result.get("failure")
                failures += bool(failure)
                print(
                    f"{inbox.name}: {result['new']} new, {result['processed']} processed, "
                    f"{result['error']} in error, {result['undesired']} undesired, "
                    f"{result['remaining']} left for the next run"
                    + (f"; FAILED: {failure}" if failure else ""),
                    flush=True,
                )
        return 1 if failures else 0
