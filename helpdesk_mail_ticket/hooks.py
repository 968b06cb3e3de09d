# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What uninstalling leaves to the addon itself: Odoo drops the tables, columns, records
with an xml id (subtype, cron, sequence...) of the addon, not the rest below."""

import logging
import re

from odoo.tools import sql

from .models.mail_inbox import PARAM_PREFIX

_logger = logging.getLogger(__name__)

# Suffix of the index the keep-until-closed sweep reads on a ticket table's write_date,
# OCA's helpdesk_ticket included, made by the mixin's init and an inbox's target model
# (``mail.inbox.message._ensure_write_date_index``).
WRITE_DATE_INDEX_SUFFIX = "__hmt_write_date_index"


def drop_write_date_indexes(env, tables=None):
    """Drop the write_date indexes the sweep created, on ``tables`` or on every table."""
    env.cr.execute(
        "SELECT tablename, indexname FROM pg_indexes"
        " WHERE schemaname = current_schema() AND right(indexname, %s) = %s",
        [len(WRITE_DATE_INDEX_SUFFIX), WRITE_DATE_INDEX_SUFFIX],
    )
    for table, index in env.cr.fetchall():
        if tables is None or table in tables:
            sql.drop_index(env.cr, index, table)
            _logger.info("Dropped index %s of %s", index, table)


def drop_listing_stamps(env):
    """The tables and trigger functions of the POP3 listing stamps
    (``mail.inbox.message._init_listing_stamps``), which no model owns."""
    env.cr.execute(
        "DROP TABLE IF EXISTS mail_inbox_listing_state, mail_inbox_listing_gone;"
        "DROP FUNCTION IF EXISTS mail_inbox_message_listing_stamp() CASCADE;"
        "DROP FUNCTION IF EXISTS mail_inbox_message_listing_gone() CASCADE;"
        "DROP FUNCTION IF EXISTS mail_inbox_message_listing_truncate() CASCADE"
    )


def drop_foreign_xmlids(env, module):
    """Odoo names the inheritance links and selection values of a model also after
    the modules of the classes it inherits (``mail.model_inherit__mail_inbox__...``,
    ``sms.``, ``portal.``...). Uninstalling deletes those records with the model, not
    these xml ids of other modules: delete them for the models ``module`` created."""
    names = [name for name, model in env.registry.items() if model._original_module == module]
    model_ids = [env["ir.model"]._get_id(name) for name in names]
    inherits = env["ir.model.inherit"].search([("model_id", "in", model_ids)])
    selections = env["ir.model.fields.selection"].search([("field_id.model_id", "in", model_ids)])
    xmlids = env["ir.model.data"].search(
        [
            ("module", "!=", module),
            "|",
            "&",
            ("model", "=", "ir.model.inherit"),
            ("res_id", "in", inherits.ids),
            "&",
            ("model", "=", "ir.model.fields.selection"),
            ("res_id", "in", selections.ids),
        ]
    )
    _logger.info("Removing %d xml ids of other modules on the models of %s", len(xmlids), module)
    xmlids.unlink()


# Where a database's own configuration may name a message subtype: (model, model field,
# text fields). base.automation is scanned when installed.
SUBTYPE_REFERENCES = (
    ("ir.filters", "model_id", ("domain", "context")),
    ("base.automation", "model_name", ("filter_pre_domain", "filter_domain")),
    ("ir.actions.server", "model_name", ("code", "value")),
    ("mail.template", "model", ("subject", "body_html")),
)


def subtype_references(env, model, subtype):
    """The saved filters, automation rules, server actions and mail templates of ``model``
    that name ``subtype``: by xml id, by reference (a server action writing it), or by id
    (the number beside a mention of a subtype). An upgrade that gives the model's messages
    another subtype warns of them (the admin's records are not rewritten)."""
    xmlids = [x for x in subtype._get_external_ids().get(subtype.id, []) if x]
    by_id = re.compile(rf"subtype.{{0,80}}?(?<![\w.]){subtype.id}(?![\w.])", re.I | re.S)
    found = []
    for name, model_field, text_fields in SUBTYPE_REFERENCES:
        if name not in env:
            continue
        Model = env[name].sudo().with_context(active_test=False)
        texts = [field for field in text_fields if field in Model._fields]
        for record in Model.search([(model_field, "=", model)]):
            text = "\n".join(str(record[field] or "") for field in texts)
            if (
                any(xmlid in text or xmlid.split(".")[1] in text for xmlid in xmlids)
                or by_id.search(text)
                or ("resource_ref" in record._fields and record.resource_ref == subtype)
            ):
                found.append(record)
    return found


def describe(records):
    """``model #id "name"`` of each record, for a log."""
    return ", ".join(f'{record._name} #{record.id} "{record.display_name}"' for record in records)


def move_subscriptions(cr, model, old, new):
    """Subscribe the followers of ``model`` subscribed to ``old`` to ``new`` instead;
    returns how many were."""
    params = {"old": old.id, "new": new.id, "model": model}
    cr.execute(
        """
        INSERT INTO mail_followers_mail_message_subtype_rel
                    (mail_followers_id, mail_message_subtype_id)
             SELECT rel.mail_followers_id, %(new)s
               FROM mail_followers_mail_message_subtype_rel rel
               JOIN mail_followers follower ON follower.id = rel.mail_followers_id
              WHERE rel.mail_message_subtype_id = %(old)s AND follower.res_model = %(model)s
                AND NOT EXISTS (
                    SELECT 1 FROM mail_followers_mail_message_subtype_rel done
                     WHERE done.mail_followers_id = rel.mail_followers_id
                       AND done.mail_message_subtype_id = %(new)s)
        """,
        params,
    )
    cr.execute(
        """
        DELETE FROM mail_followers_mail_message_subtype_rel rel
              USING mail_followers follower
              WHERE rel.mail_followers_id = follower.id
                AND rel.mail_message_subtype_id = %(old)s AND follower.res_model = %(model)s
        """,
        params,
    )
    return cr.rowcount


def retire_subtype(env, subtype):
    """Before Odoo deletes ``subtype`` with its module: its messages on the models that
    stay would lose their subtype (``subtype_id`` is set null: out of the chatter's
    filters and notifications), its followers' subscriptions would vanish. Both are
    moved to the discussion (``mail.mt_comment``, what the mixin posts updates with when a
    model names no subtype of its own), or for an internal subtype its messages to the
    internal note, so that what was internal stays so."""
    if not subtype:
        return
    internal = subtype.internal
    target = env.ref("mail.mt_note" if internal else "mail.mt_comment")
    env.flush_all()
    params = {"old": subtype.id, "new": target.id}
    env.cr.execute(
        "UPDATE mail_message SET subtype_id = %(new)s WHERE subtype_id = %(old)s", params
    )
    messages = env.cr.rowcount
    followers = 0
    if not internal:
        env.cr.execute(
            """
            INSERT INTO mail_followers_mail_message_subtype_rel
                        (mail_followers_id, mail_message_subtype_id)
                 SELECT rel.mail_followers_id, %(new)s
                   FROM mail_followers_mail_message_subtype_rel rel
                  WHERE rel.mail_message_subtype_id = %(old)s
                    AND NOT EXISTS (
                        SELECT 1 FROM mail_followers_mail_message_subtype_rel done
                         WHERE done.mail_followers_id = rel.mail_followers_id
                           AND done.mail_message_subtype_id = %(new)s)
            """,
            params,
        )
        followers = env.cr.rowcount
    # Followers subscribed to the discussion now receive every discussion message of
    # those documents, not only the updates by email: an admin should know.
    log = _logger.warning if followers else _logger.info
    log(
        "Subtype %r removed: %d messages and %d followers moved to %r",
        subtype.name,
        messages,
        followers,
        target.name,
    )
    env.invalidate_all()


def delete_tickets(env):
    """Delete the tickets first: Odoo deletes the records of the addon's xml ids (the
    stages) before it drops the tables, and a ticket's stage is ``ondelete="restrict"``:
    each stage still in use would fail to delete, with an error in the log."""
    tickets = env["helpdesk.mail.ticket"].sudo().with_context(active_test=False).search([])
    _logger.info("Deleting %d tickets before their stages", len(tickets))
    tickets.with_context(tracking_disable=True).unlink()


def uninstall_hook(env):
    """Delete the tickets (before their stages), move what remains of the update subtype
    on other models (``retire_subtype``), drop the indexes created on other modules'
    tables, the POP3 listing stamps' tables and trigger functions, the settings (system
    parameters saved by the settings page or the iTop import, which have no xml id) and
    the xml ids other modules hold on our models' links and selection values."""
    delete_tickets(env)
    retire_subtype(
        env, env.ref("helpdesk_mail_ticket.mt_ticket_updated_by_email", raise_if_not_found=False)
    )
    drop_write_date_indexes(env)
    drop_listing_stamps(env)
    drop_foreign_xmlids(env, "helpdesk_mail_ticket")
    params = env["ir.config_parameter"].sudo().search([("key", "=like", PARAM_PREFIX + "%")])
    _logger.info("Removing %d system parameters %s*", len(params), PARAM_PREFIX)
    params.unlink()
