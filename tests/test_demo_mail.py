"""The demo's sample mail (tools/demo_mail.py) tells a helpdesk's story, and the email
core reads each message as the story says: a request with its screenshot, a French and
a German request, a bounce, the customer's answer whose new part leaves the quote out,
an out-of-office."""

import importlib.util
from pathlib import Path

from mailparse import parse_message

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("hmt_demo_mail", ROOT / "tools" / "demo_mail.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo_mail = _load()


def _first_cycle():
    return {label: parse_message(raw) for label, raw in demo_mail.first_cycle()}


def test_first_cycle_requests_and_a_bounce():
    mail = _first_cycle()
    assert list(mail) == [
        "request with a screenshot",
        "request in French",
        "request in German",
        "bounce",
    ]
    request = mail["request with a screenshot"]
    assert (request.from_name, request.subject) == ("Alice Martin", "Cannot open the shared drive")
    assert request.automated is None and not request.error
    assert [a.filename for a in request.attachments] == ["screenshot.png"]
    assert request.attachments[0].content_type == "image/png"
    assert "cid:screenshot@acme.example" in request.body_html
    french = mail["request in French"]
    assert french.subject == "Imprimante du 2e étage : les pages sortent blanches"
    assert "deuxième étage" in french.body_text and french.automated is None
    german = mail["request in German"]
    assert (german.from_name, german.subject) == (
        "Jürgen Schäfer",
        "VPN-Verbindung bricht ständig ab",
    )
    assert [a.filename for a in german.attachments] == ["vpn-client.log"]
    assert german.automated is None
    assert mail["bounce"].automated.kind == "bounce"
    assert mail["bounce"].content_type == "multipart/report"


def test_second_cycle_the_answer_and_an_out_of_office():
    request_id, agent_id = "<request@acme.example>", "<agent-reply@helpdesk.example>"
    mail = dict(demo_mail.second_cycle(request_id, agent_id, "R-000001"))
    answer = parse_message(mail["the customer answers the agent"])
    assert answer.in_reply_to == ["agent-reply@helpdesk.example"]
    assert answer.automated is None
    assert "it opens again" in answer.new_part_text
    assert "Finance-Share" not in answer.new_part_text  # the quoted agent's reply
    assert "Finance-Share" in answer.body_text
    away = parse_message(mail["out-of-office"])
    assert away.automated.kind == "auto_reply"
