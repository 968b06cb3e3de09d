# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""queue_job's test tools, importable on every Odoo 18.

queue_job (18.0.3.1 on) registers its method patcher in Odoo's
``odoo.tests.common.SETATTR_SOURCES``, the table of the check of patched model
attributes that later Odoo 18 sources run; earlier Odoo 18 sources have neither the
check nor the table, so an empty table stands in for it there.
"""

from odoo.tests import common as odoo_test_common

if not hasattr(odoo_test_common, "SETATTR_SOURCES"):
    odoo_test_common.SETATTR_SOURCES = {}

# pylint: disable=wrong-import-position
from odoo.addons.helpdesk_mail_ticket.tests.common import MailTicketCase
from odoo.addons.queue_job.tests.common import trap_jobs

__all__ = ["JobCursorCase", "trap_jobs"]


class JobCursorCase(MailTicketCase):
    """Inboxes whose jobs are performed in the test: the job function allows commits, so
    queue_job runs each job in a cursor of its own; in test mode that cursor works
    inside the test's transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
