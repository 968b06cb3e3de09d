"""Attack on the Supercite, farewell and closing-above-a-contact-block readings: text the
customer writes that only looks like them must stay in the new part.

Every text goes through ``parse_message`` as a plain-text mail, as the addon reads it.
"""

import pytest
from cpu_budget import within_cpu_budget
from newpart_probes import flat, parsed_reply


def parsed(body: str):
    return parsed_reply(
        body,
        "<newpart3-attack@customer.example>",
        "Ann Lee <ann@customer.example>",
        "Re: backup job",
    )


def new_part(body: str) -> str:
    return flat(parsed(body).new_part_text)


# A Supercite prefix is the quoted writer's initials ("JD", "C") or first name ("Bob"):
# a word in capitals longer than initials (a log level, a tool's name) or a name written
# in camel case (a product) is no one's prefix, with or without a colon line above.
NOT_A_WRITER = [
    "The job failed last night.\n\nERROR> disk full\nERROR> job aborted\n",
    "The job failed.\n\nWARN> low memory\nWARN> swap in use\n\nPlease check.\n",
    "No output on the firewall.\n\nFortiGate> get system status\nFortiGate> diagnose debug\n",
    "Nothing happens:\n\nPowerShell> Get-Item x\nPowerShell> Remove-Item x\n",
    "Log of the night run\n\nINFO> started\nDEBUG> opening tape\nDEBUG> tape busy\n",
]


@pytest.mark.parametrize("body", NOT_A_WRITER)
def test_log_levels_and_product_prompts_are_not_supercite(body):
    assert new_part(body) == flat(body)


# A Supercite quote is a block of its own, set off from the reply by a blank line: lines in
# the middle of the customer's paragraph, led by a word and ">", are the customer's text
# (a device's name, a template's label), and keep their word.
IN_A_PARAGRAPH = [
    "Hello,\nWe see this on the core switch\nCore> %LINK-3-UPDOWN Gi1/0/1\n"
    "Core> %LINK-3-UPDOWN Gi1/0/2\nwhat does it mean?\n",
    "The job failed.\nNote> low memory\nNote> swap in use\nPlease check.\n",
    "New hires for Monday\nName> Ann Lee\nName> Bob Lee\nthanks\n",
]


@pytest.mark.parametrize("body", IN_A_PARAGRAPH)
def test_prefixed_lines_inside_a_paragraph_are_kept_word_for_word(body):
    assert new_part(body) == flat(body)


# A closing whose paragraph above ends with a colon is what that line introduces: the
# name of the addressee ("Ciao Bella", a company), not the customer's farewell.
@pytest.mark.parametrize(
    "body",
    [
        "Hello,\n\nplease send the invoice to:\n\nCiao\nBella GmbH\n",
        "Hello,\n\nthe new delivery address is:\n\nBye\nBob's Diner\n",
    ],
)
def test_farewell_word_introduced_by_a_colon_is_kept(body):
    assert new_part(body) == flat(body)


# A farewell, a name and then the customer's own sentence: the sentence is content.
def test_farewell_name_then_a_sentence_is_kept():
    body = "Hi,\n\nWhat does this mean?\n\nBye\nBob Smith\nOrder #4455 is still missing.\n"
    assert "Order #4455 is still missing." in new_part(body)


# Held: these keep the customer's text already (kept here so they stay so).
HELD = [
    "The job failed last night. The log shows:\nERROR> disk full\nERROR> job aborted\n",
    "Config differs between hosts.\nHost1> show run\nHost1> show version\n",
    "Open Settings> Users\nOpen Settings> Groups\n\nboth are empty.\n",
    "Please add these users.\n\nUser> ann\nUser> bob\n",
    "Hello,\n\nWe booked a table.\n\nCiao Bella Restaurant\n12 High Street\n",
    "Hi,\n\nour shop is called\nBye Bye Baby\nplease update.\n",
    "Hello,\n\nPlease ship the part.\n\nKind regards,\n\nDelivery address:\nAcme Ltd\n"
    "12 High Street, London\nPhone: +44 20 7946 0000\n",
]


@pytest.mark.parametrize("body", HELD)
def test_held_customer_text_is_kept(body):
    assert new_part(body) == flat(body)


# CPU: many lines that each open like a prefix, long prefix runs broken every other line,
# and a long line of ">" and capitals: linear.
@pytest.mark.parametrize(
    "body",
    [
        "Hi\n\n" + "AB> x\nCD> y\n" * 40000,
        "Hi\n\n" + "JD> x\n" * 80000,
        "Hi\n\n" + ("> " * 5000 + "ABCDEFGHIJKL") * 20 + "\n",
        "Hi\n\n" + "A" * 200000 + ">\n",
        "Text:\n" + "\n" * 50000 + "Bob> a\nBob> b\n",
        # many inline quotes given back as written, a long form, a thing's name prefix
        "Hi\n\n" + "".join(f"JD> q{i}\nJD> more {i}\n\nanswer {i}\n\n" for i in range(20000)),
        "Hi\n\n" + "".join(f"Name> a{i}\nDept> b{i}\n" for i in range(40000)),
        "Hi the server\n\n" + "".join(f"Server> x{i}\n" for i in range(80000)),
        "Hi\n\nBest regards,\nJane\n" + "Order 1" * 5000 + "\n",
    ],
)
def test_supercite_scan_stays_within_cpu_budget(body):
    got = within_cpu_budget(lambda: len(parsed(body).new_part_text), budget=10)
    assert got is not None


# Lines the new part keeps (a paste, an inline quote) show as written: a prefix read as
# ">" to find the quote is given back ("Settings> Users", not "> Users").
KEPT_AS_WRITTEN = [
    "Hi,\n\nsteps\n\nSettings> Users\nSettings> Groups\n\nboth are empty\n",
    "Hi\n\nTimeline\n\nMon> ticket opened\nMon> called\nTue> no answer\n",
    "Note> printer on floor 2\nNote> toner empty\n",
]


@pytest.mark.parametrize("body", KEPT_AS_WRITTEN)
def test_kept_prefixed_lines_keep_their_prefix(body):
    assert new_part(body) == flat(body)


def test_inline_supercite_quote_kept_as_written():
    body = "JD> Which model is it?\n\nA LaserJet 4200.\n\nJD> Thanks\nJD>\n"
    assert new_part(body) == "JD> Which model is it? A LaserJet 4200."


# The customer's last line names what the mail is about (an order, a ticket, an invoice
# and its number) below the closing and the name: content, no signature holds one.
@pytest.mark.parametrize(
    ("closing", "reference"),
    [
        ("Bye\nBob Smith", "Order #4455"),
        ("Best regards,\nJane Doe", "Order 12345"),
        ("Ciao,\nMarco", "Ordine n. 2024-118"),
        ("Mit freundlichen Grüßen\nHans Müller", "Bestellnummer: 778812"),
        ("Kind regards,\nJane", "Ticket #55120"),
        ("Cordialement,\nJean", "Commande n° 88412"),
        ("Regards,\nAnn Lee", "Tracking 1Z999AA10123456784"),
        ("Regards,\nAnn Lee", "Serial no. SN-44821"),
        ("Regards,\nAnn Lee", "Customer no. 100234"),
    ],
)
def test_order_or_ticket_reference_below_closing_is_kept(closing, reference):
    body = f"Hello,\n\nThe parcel has not arrived.\n\n{closing}\n{reference}\n"
    assert reference in new_part(body)


# A prefix the customer also writes as a common word, in lower case ("the server",
# "the core switch"), names a thing, not a writer (a first name is not written so).
@pytest.mark.parametrize(
    "body",
    [
        "Hello,\n\nThe server is down.\n\nServer> connection refused\nServer> retrying\n",
        "Hello,\n\nthe core switch logs this\n\nCore> %LINK-3-UPDOWN Gi1/0/1\n"
        "Core> %LINK-3-UPDOWN Gi1/0/2\n",
        "PS> Get-Item C:\\temp\nPS> Remove-Item C:\\temp\n\nThe second fails.\n",
    ],
)
def test_prefix_naming_a_thing_or_a_shell_is_not_supercite(body):
    assert new_part(body) == flat(body)


def test_supercite_quote_cut_when_the_name_is_not_a_word_of_the_text():
    body = "Done, the server is back.\n\nAnna> Please restart the server\nAnna> and tell me.\n"
    assert new_part(body) == "Done, the server is back."


# A block below the closing that holds an order reference or the address the customer
# asks the goods be delivered to is the customer's request, not a signature: kept.
REQUEST_BLOCKS = [
    "Best regards,\n\nJane Doe\nOrder number: 12345\nAcme Ltd\nPhone: +44 20 7946 0000\n",
    "Best regards,\n\nJane Doe\nDelivery address: Acme Ltd, 12 High Street, London\n"
    "Phone: +44 20 7946 0000\n",
    "Best regards,\nJane Doe\n\nShip to\nAcme Ltd\n12 High Street\nLondon SW1A 1AA\n"
    "Phone: +44 20 7946 0000\n",
    "Mit freundlichen Grüßen\n\nHans Müller\nLieferadresse: Müller GmbH, Musterstraße 1\n"
    "Tel.: +49 30 1234567\n",
]


@pytest.mark.parametrize("block", REQUEST_BLOCKS)
def test_reference_or_delivery_address_below_closing_is_kept(block):
    text = "Hello,\n\nPlease send the replacement part.\n\n"
    got = new_part(text + block)
    lines = [line for line in block.split("\n") if line.strip()]
    assert all(flat(line) in got for line in lines[2:3]), got


def test_reference_with_words_after_it_is_kept():
    body = "Hi,\n\nWhat does this mean?\n\nBye\nBob Smith\nOrder #4455 still missing\n"
    assert "Order #4455 still missing" in new_part(body)


# Lines led by different labels at one level, no blank line between (a filled-in form,
# a Q/A list, a timeline): a Supercite quote is one writer's block, this is a form.
FORMS = [
    "Hello,\n\nticket template filled in\n\nName> Ann Lee\nDept> IT\nRoom> 2.14\nRoom> 2.15\n",
    "Our FAQ draft, please check\n\nQ> How do I reset?\nA> Click reset.\nQ> Where?\n"
    "Q> Top right.\n",
]


@pytest.mark.parametrize("body", FORMS)
def test_labelled_form_lines_are_kept(body):
    assert new_part(body) == flat(body)


# Prompt lines the customer pastes below the farewell and the name are no signature.
def test_prompt_lines_below_farewell_and_name_are_kept():
    body = "Hello,\n\nThe second command fails.\n\nBye\nBob\nPS> Get-Item x\nPS> Remove-Item x\n"
    assert "PS> Remove-Item x" in new_part(body)
