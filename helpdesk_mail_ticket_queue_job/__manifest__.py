# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Helpdesk Tickets from Emails - Queue Jobs",
    "summary": "Incoming eMail Inboxes process each message as an OCA queue_job job, "
    "on whichever Odoo server runs the job",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/helpdesk-mail-ticket/helpdesk_mail_ticket",
    "author": "helpdesk_mail_ticket developers",
    "license": "AGPL-3",
    "installable": True,
    "auto_install": False,
    "depends": ["helpdesk_mail_ticket", "queue_job"],
    "data": [
        "data/queue_job_data.xml",
        "views/mail_inbox_views.xml",
    ],
    "uninstall_hook": "uninstall_hook",
}
