"""Uninstalling the addon leaves no trace in the database.

Real Odoo processes on a fresh database: the addons' dependencies are installed and the
database is photographed (schema, indexes, constraints, the rows of Odoo's registries,
every model name any table refers to, queue_job's ``model_name`` included); then every
addon of this repository is installed and used (settings saved, an inbox, tickets with
followers and updates by email, the write-date indexes made on the ticket
tables, OCA's included, a queue job still pending);
then ``helpdesk_mail_ticket`` is uninstalled as an administrator does, which uninstalls
the bridges with it. The photograph must be the one taken before: nothing the addons
added is left, and nothing there before them (Odoo's subtypes, another document's
followers and messages, another module's parameters) is gone. Skipped only when Odoo is
not importable.
"""

import ast
import contextlib
import json
import os
import subprocess
import sys

import pytest

EXERCISE = """
    ICP = env["ir.config_parameter"]
    settings = env["res.config.settings"].create(
        {"hmt_debug": True, "hmt_periodicity": 45, "hmt_max_messages_per_run": 50}
    )
    settings.execute()
    caller = env["res.partner"].create({"name": "Alice", "email": "alice@acme.example"})
    agent = env["res.partner"].create({"name": "Agent", "email": "agent@helpdesk.example"})
    watcher = env["res.partner"].create({"name": "Watcher", "email": "watch@helpdesk.example"})
    inbox = env["mail.inbox"].create({
        "name": "support", "server": "127.0.0.1", "protocol": "imap", "port": 1,
        "login": "support@helpdesk.example", "password": "secret",
    })
    models = env["mail.inbox"]._get_target_model_names()
    for name in models:
        model = env[name]
        ticket = model.create(model._mail_ticket_prepare_create_vals({
            "title": "Printer broken", "description": "<p>Broken</p>", "caller": caller,
            "inbox": inbox,
        }))
        ticket.message_subscribe(partner_ids=(caller | agent).ids)
        # Following the updates by email only.
        ticket.message_subscribe(
            partner_ids=watcher.ids, subtype_ids=env.ref(model._mail_ticket_update_subtype).ids
        )
        ticket._mail_ticket_log_update(
            "<p>Still broken</p>", caller, env["ir.attachment"], f"<{name}@client.example>"
        )
        env["mail.inbox.message"]._ensure_write_date_index(model)
    jobs = 0
    if "queue.job" in env:
        # A job still pending when the addon goes: the queue_job bridge's.
        line = env["mail.inbox.message"].create({"inbox_id": inbox.id, "uid": "1:1"})
        line._enqueue_process_job()
        jobs = env["queue.job"].search_count([("model_name", "=", "mail.inbox.message")])
    cr.commit()
    print(json.dumps({"models": models, "jobs": jobs, "params": ICP.search_count(
        [("key", "=like", "helpdesk_mail_ticket.%")])}))
"""

SAVE_SETTINGS = """
    env["res.config.settings"].create({}).execute()
    # The company's own data, there before the addons: a document with followers and a
    # discussion, a parameter of another module.
    partner = env["res.partner"].create({"name": "Customer", "email": "c@customer.example"})
    follower = env["res.partner"].create({"name": "Account manager", "email": "am@x.example"})
    partner.message_subscribe(partner_ids=follower.ids)
    partner.message_post(body="Call back", subtype_xmlid="mail.mt_comment")
    env["ir.config_parameter"].set_param("acme.portal_url", "https://acme.example")
    cr.commit()
    print(json.dumps(True))
"""

UNINSTALL = """
    import logging

    class Errors(logging.Handler):
        lines = []

        def emit(self, record):
            self.lines.append(f"{record.name}: {record.getMessage()}"[:500])

    handler = Errors(logging.ERROR)
    logging.getLogger().addHandler(handler)
    module = env["ir.module.module"].search([("name", "=", data["module"])])
    module.button_immediate_uninstall()
    cr.commit()
    logging.getLogger().removeHandler(handler)
    cr.execute("SELECT name, state FROM ir_module_module WHERE name = ANY(%s)", [data["ours"]])
    print(json.dumps({"states": dict(cr.fetchall()), "errors": handler.lines}))
"""

QUERIES = {
    "columns": "SELECT table_name, column_name FROM information_schema.columns"
    " WHERE table_schema = 'public'",
    "indexes": "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public'",
    "constraints": "SELECT conrelid::regclass::text, conname FROM pg_constraint"
    " JOIN pg_namespace ns ON ns.oid = connamespace WHERE ns.nspname = 'public'",
    "sequences": "SELECT sequence_name FROM information_schema.sequences"
    " WHERE sequence_schema = 'public'",
    "functions": "SELECT p.proname FROM pg_proc p"
    " JOIN pg_namespace ns ON ns.oid = p.pronamespace WHERE ns.nspname = 'public'",
    "triggers": "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal",
    "models": "SELECT model FROM ir_model",
    "fields": "SELECT model, name FROM ir_model_fields",
    "xmlids": "SELECT module, model, name FROM ir_model_data",
    "parameters": "SELECT key FROM ir_config_parameter",
    "subtypes": "SELECT name->>'en_US', res_model FROM mail_message_subtype",
    "crons": "SELECT cron_name FROM ir_cron",
    "sequence_codes": "SELECT code FROM ir_sequence",
    "views": "SELECT key, model FROM ir_ui_view",
    "menus": "SELECT name->>'en_US' FROM ir_ui_menu",
    "actions": "SELECT name->>'en_US', res_model FROM ir_act_window",
    "server_actions": "SELECT name->>'en_US' FROM ir_act_server",
    "groups": "SELECT name->>'en_US' FROM res_groups",
    "rules": "SELECT name FROM ir_rule",
    "access": "SELECT name FROM ir_model_access",
    "followers": "SELECT res_model, res_id, partner_id FROM mail_followers",
    "subscriptions": "SELECT f.res_model, f.res_id, f.partner_id, s.name->>'en_US'"
    " FROM mail_followers f JOIN mail_followers_mail_message_subtype_rel rel"
    " ON rel.mail_followers_id = f.id"
    " JOIN mail_message_subtype s ON s.id = rel.mail_message_subtype_id",
    "messages": "SELECT m.id, m.model, m.res_id, s.name->>'en_US' FROM mail_message m"
    " LEFT JOIN mail_message_subtype s ON s.id = m.subtype_id",
    "queue_jobs": "SELECT model_name, method_name FROM queue_job",
}
# Tables of the dependencies' modules that are not always installed (queue_job).
OPTIONAL_TABLES = {"queue_jobs": "queue_job"}


def photograph(conn):
    """What the database holds, as sets: the schema, the rows of Odoo's registries, and
    every (table, model name) any ``model``/``res_model`` column refers to."""
    with conn.cursor() as cr:
        shot = {}
        for name, query in QUERIES.items():
            cr.execute("SELECT to_regclass(%s)", [OPTIONAL_TABLES.get(name, "ir_model")])
            if not cr.fetchone()[0]:
                shot[name] = set()
                continue
            cr.execute(query)
            shot[name] = {tuple(row) for row in cr.fetchall()}
        cr.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public'"
            " AND column_name IN ('model', 'res_model', 'model_name')"
            " AND data_type IN ('character varying', 'text')"
        )
        referred = set()
        for table, column in cr.fetchall():
            cr.execute(f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL')
            referred |= {(table, value) for (value,) in cr.fetchall()}
        shot["model_references"] = referred
    return shot


def differences(before, after):
    return {
        name: {"added": sorted(after[name] - before[name], key=str)[:40]}
        for name in before
        if after[name] - before[name]
    }


def removed(before, after):
    """What was there before the addons were installed and is gone after: what
    uninstalling deleted beyond its own (Odoo's subtypes, other documents' followers,
    their messages' subtypes, other modules' parameters...)."""
    return {
        name: sorted(before[name] - after[name], key=str)[:40]
        for name in before
        if before[name] - after[name]
    }


def our_addons(faults):
    run_tests = faults.load_module("hmt_run_tests", faults.ROOT / "tools" / "run_tests.py")
    ours = [run_tests.ADDON, *run_tests.OAUTH2_BRIDGES]
    ours += [run_tests.BRIDGE] if run_tests.extra_addons_dir() else []
    ours += [run_tests.QUEUE_JOB_BRIDGE] if run_tests.extra_addons_dir("queue_job") else []
    depends = set()
    for addon in ours:
        text = (faults.ROOT / addon / "__manifest__.py").read_text(encoding="utf-8")
        depends |= set(ast.literal_eval(text)["depends"])
    return ours, sorted(depends - set(ours))


def install(faults, db, modules):
    command = [
        sys.executable, "-m", "odoo", f"--addons-path={db.addons}", "-d", db.name,
        "-i", ",".join(modules), "--stop-after-init", "--without-demo=all",
        "--log-level=warn", "--workers=0", "--max-cron-threads=0", "--http-port=0",
        *db.db_args(),
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=faults.ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, f"installing {modules} failed:\n{result.stdout[-4000:]}"


# What uninstalling leaves of the company's data on models that stay (OCA's tickets):
# compared for over-deletion only.
COMPANY_DATA = ("followers", "subscriptions", "messages")


def lost_subtypes(installed, after):
    """Messages and followers still there that had a subtype before uninstalling and have
    none after (a deleted subtype's messages vanish from the chatter's filters and from
    notifications; its followers stop being notified)."""
    had = {row[0] for row in installed["messages"] if row[3]}
    has = {row[0] for row in after["messages"] if row[3]}
    kept = {row[0] for row in after["messages"]}
    subscribed = {row[:3] for row in installed["subscriptions"]}
    still = {row[:3] for row in after["subscriptions"]}
    return {
        "messages": sorted(had & kept - has),
        "followers": sorted((subscribed & after["followers"]) - still),
    }


def install_and_use(faults, db, ours, dependencies):
    """The dependencies installed and photographed, then our addons installed and used:
    (before, installed, what the use reports)."""
    install(faults, db, dependencies)
    # Saving the settings stores every module's settings: Odoo's ones are there before.
    db.script(SAVE_SETTINGS, {})
    with contextlib.closing(db.connect()) as conn:
        before = photograph(conn)
    install(faults, db, ours)
    used = db.script(EXERCISE, {})
    with contextlib.closing(db.connect()) as conn:
        installed = photograph(conn)
    return before, installed, used


def uninstall(db, module, ours):
    """Uninstall ``module`` as an administrator does: the states of ``ours`` after it."""
    result = db.script(UNINSTALL, {"module": module, "ours": ours})
    assert not result["errors"], "uninstalling logged errors:\n" + "\n".join(result["errors"])
    return result["states"]


def test_uninstalling_the_addon_leaves_no_trace(faults, addons, tmp_path):
    ours, dependencies = our_addons(faults)
    db = faults.OdooDatabase(f"hmt_uninstall_{os.getpid()}", addons, str(tmp_path))
    db.drop()
    try:
        before, installed, used = install_and_use(faults, db, ours, dependencies)
        # The photograph sees what the addons add, where the addons put it.
        added = differences(before, installed)
        assert ("mail_inbox_message", "mail_inbox_message_on_server_index") in (
            installed["indexes"]
        )
        assert {"helpdesk.mail.ticket", "mail.inbox"} <= {m for (m,) in installed["models"]}
        assert "Updated by email" in {name for name, _model in installed["subtypes"]}
        assert ("Helpdesk: poll the incoming eMail inboxes",) in installed["crons"]
        assert used["params"] >= 3
        assert ("helpdesk_mail_ticket.periodicity",) in installed["parameters"]
        # The POP3 listing stamps: trigger functions no model owns.
        assert ("mail_inbox_message_listing_truncate",) in installed["functions"]
        assert ("mail_inbox_message", "mail_inbox_message_listing_insert") in (
            installed["triggers"]
        )
        assert ("mail_followers", "helpdesk.mail.ticket") in installed["model_references"]
        for model in used["models"]:
            table = model.replace(".", "_")
            assert (table, f"{table}__hmt_write_date_index") in installed["indexes"]
        assert {"columns", "indexes", "xmlids", "parameters", "subtypes"} <= set(added)
        if run_queue_job_bridge(faults):
            assert used["jobs"] == 1
            assert ("mail.inbox.message", "_process_job") in installed["queue_jobs"]
        # What was there before: Odoo's subtypes, the document's followers and message.
        assert ("Discussions", None) in before["subtypes"]
        assert any(row[0] == "res.partner" for row in before["subscriptions"])
        assert ("acme.portal_url",) in before["parameters"]

        states = uninstall(db, ours[0], ours)
        assert set(states.values()) == {"uninstalled"}, states
        with contextlib.closing(db.connect()) as conn:
            after = photograph(conn)
        gone = removed(before, after)
        assert not gone, "deleted by uninstalling:\n" + json.dumps(gone, indent=1, default=str)
        lost = lost_subtypes(installed, after)
        assert lost == {"messages": [], "followers": []}, lost
        left = differences(before, after)
        # Records of models that stay (an OCA ticket, its followers and messages) are the
        # company's data; a reference to a model that is gone is a trace.
        for name in ("model_references", *COMPANY_DATA):
            left.pop(name, None)
        models = {model for (model,) in after["models"]}
        dangling = sorted(
            ref
            for ref in after["model_references"] - before["model_references"]
            if ref[1] not in models
        )
        assert not dangling, f"references to uninstalled models: {dangling}"
        assert not left, "left after uninstalling:\n" + json.dumps(left, indent=1, default=str)
    finally:
        if not os.environ.get("HMT_KEEP_DB"):
            db.drop()


def run_queue_job_bridge(faults):
    run_tests = faults.load_module("hmt_run_tests", faults.ROOT / "tools" / "run_tests.py")
    return bool(run_tests.extra_addons_dir("queue_job"))


def test_uninstalling_the_oca_bridge_keeps_the_tickets_updates(faults, addons, tmp_path):
    """Only the OCA helpdesk bridge goes: helpdesk_mgmt's tickets stay, with the updates by
    email posted with the bridge's subtype and the followers subscribed to it."""
    ours, dependencies = our_addons(faults)
    bridge = "helpdesk_mail_ticket_helpdesk_mgmt"
    if bridge not in ours:
        pytest.skip("OCA helpdesk_mgmt is not installed: the bridge cannot be uninstalled")
    db = faults.OdooDatabase(f"hmt_uninstall_bridge_{os.getpid()}", addons, str(tmp_path))
    db.drop()
    try:
        before, installed, _used = install_and_use(faults, db, ours, dependencies)
        updates = [row for row in installed["messages"] if row[1] == "helpdesk.ticket" and row[3]]
        watched = {row for row in installed["subscriptions"] if row[0] == "helpdesk.ticket"}
        assert updates and watched
        states = uninstall(db, bridge, ours)
        assert states[bridge] == "uninstalled" and states[ours[0]] == "installed", states
        with contextlib.closing(db.connect()) as conn:
            after = photograph(conn)
        lost = lost_subtypes(installed, after)
        assert lost == {"messages": [], "followers": []}, lost
        assert ("Updated by email", "helpdesk.ticket") in installed["subtypes"]
        assert ("Updated by email", "helpdesk.ticket") not in after["subtypes"]
        gone = removed(before, after)
        assert not gone, "deleted by uninstalling:\n" + json.dumps(gone, indent=1, default=str)
    finally:
        if not os.environ.get("HMT_KEEP_DB"):
            db.drop()
