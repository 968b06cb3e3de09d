# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

_logger = logging.getLogger(__name__)


def uninstall_hook(env):
    """Delete the queue jobs of helpdesk_mail_ticket's models: a job still to run would
    call a method this bridge takes away (and, with helpdesk_mail_ticket uninstalled
    too, a model that is gone), failing at every retry; a job done is the history of
    a feature that is gone, naming a model that may be gone too."""
    names = [
        name
        for name, model in env.registry.items()
        if model._original_module == "helpdesk_mail_ticket"
    ]
    jobs = env["queue.job"].sudo().search([("model_name", "in", names)])
    _logger.info("Deleting %d queue jobs of %s", len(jobs), ", ".join(sorted(names)))
    jobs.unlink()
