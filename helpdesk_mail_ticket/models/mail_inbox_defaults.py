# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Callers and default values: the contact of a sender, and iTop's ``field:value``
default values of new tickets and contacts."""

from odoo import api, models, tools
from odoo.tools import email_normalize

from ..mailparse.headers import display_name as _display_name

# The symbols an address's local part may hold unquoted (RFC 5322 atext and ".",
# letters and digits aside): the only characters that can separate a sub-address.
# Postfix and Dovecot accept "." too (first.last@ then reaches first@).
RECIPIENT_DELIMITER_CHARS = "!#$%&'*+-./=?^_`{|}~"


def _host_to_ascii(host):
    return host.encode("idna").decode("ascii").lower()


def _host_to_unicode(host):
    return host.encode("ascii").decode("idna").lower()


# One concern of mail.inbox per file, as Odoo splits a large model: intended.
class MailInbox(models.Model):
    _inherit = "mail.inbox"  # pylint: disable=consider-merging-classes-inherited

    def _find_partner(self, email):
        """The contact with this address (case-insensitive, its domain in either form
        of an international name), or an empty recordset."""
        normalized = email_normalize(email or "")
        if not normalized:
            return self.env["res.partner"]
        forms = sorted(self._get_address_forms(normalized))
        # One form (no international domain): the plain equality, as always.
        operator, value = ("=", forms[0]) if len(forms) == 1 else ("in", forms)
        domain = [("email_normalized", operator, value)]
        if self.company_id:  # the inbox's company's contacts, and the shared ones
            domain.append(("company_id", "in", [self.company_id.id, False]))
        partners = self.env["res.partner"]
        # The columns the first access to a field of the contact would read (its
        # prefetch group), read by the search itself: one statement, not two.
        prefetched = [
            name
            for name, field in partners._fields.items()
            if field.prefetch is True and field.is_accessible(self.env)
        ]
        return partners.search_fetch(domain, prefetched, order="id", limit=1)

    @api.model
    def _get_address_forms(self, normalized):
        """The forms of a normalized address a contact may hold: an international
        domain as mail servers write it (IDNA, "xn--") and as people type it."""
        local, _at, host = normalized.rpartition("@")
        forms = {normalized}
        pairs = ((_host_to_ascii, _host_to_unicode), (_host_to_unicode, _host_to_ascii))
        for convert, back in pairs:
            try:
                other = convert(host)
                # Only a form that converts back to this host: Python's IDNA (2003)
                # maps "ß" to "ss", yet straße.de and strasse.de are two domains.
                if back(other) != host.lower():
                    continue
            except UnicodeError:
                continue  # not a name IDNA converts: the address as written only
            forms.add(f"{local}@{other}")
        return forms

    @api.model
    def _get_own_addresses(self):
        """The addresses of our own mailboxes (every inbox's login, archived ones too,
        normalized): never a follower of a ticket nor the recipient of an error
        forward, which would send our mail back to a mailbox of ours. Read once a
        registry (every message asks), again when an inbox's login changes."""
        return self._read_own_addresses()

    @api.model
    def _is_own_address(self, address):
        """Whether ``address`` reaches one of our own mailboxes (``_get_own_addresses``):
        as written, or under a sub-address ("support+tag@", which Dovecot, Gmail and
        Microsoft 365 deliver to the mailbox "support@"; another separator when the
        system parameter ``helpdesk_mail_ticket.recipient_delimiter`` says so, each of
        its characters one, as Postfix's and Dovecot's ``recipient_delimiter``)."""
        normalized = email_normalize(address or "") or (address or "").strip().lower()
        if not normalized:
            return False
        own = self._get_own_addresses()
        if normalized in own:
            return True
        local, at, domain = normalized.rpartition("@")
        if not at:
            return False
        # At every separator: a login may hold one ("support-eu@" with "-").
        return any(
            f"{base}@{domain}" in own
            for base in self._sub_address_bases(local, self._get_recipient_delimiters())
        )

    @api.model
    def _sub_address_bases(self, local, delimiters):
        """The mailboxes ``local`` may be a sub-address of: its part before each of
        ``delimiters`` (not a leading one)."""
        return {local[:index] for index, char in enumerate(local) if index and char in delimiters}

    @api.model
    def _get_recipient_delimiters(self):
        """The characters that start a sub-address in our mail system ("+" unless the
        setting *Sub-address separators*, the system parameter
        ``helpdesk_mail_ticket.recipient_delimiter``, says otherwise)."""
        get_param = self.env["ir.config_parameter"].sudo().get_param
        value = get_param("helpdesk_mail_ticket.recipient_delimiter") or ""
        # Only symbols separate (a letter set by hand would cut every address).
        return "".join(c for c in value if c in RECIPIENT_DELIMITER_CHARS) or "+"

    @api.model
    def _is_our_mail_address(self, address):
        """Whether ``address`` is ours: one of our mailboxes (``_is_own_address``) or an
        address of a mail domain Odoo sends from (``mail.alias.domain``: its
        notifications, catchall and bounce addresses, every alias, a web form's or a
        shop's no-reply address of that domain)."""
        if self._is_own_address(address):
            return True
        domain = (email_normalize(address or "") or "").rpartition("@")[2]
        return bool(domain) and domain in self._get_mail_domains()

    @api.model
    def _is_odoo_mail_address(self, address):
        """Whether ``address`` is one that mail sent to comes back to us: one of our
        mailboxes (``_is_own_address``), an alias of an alias domain, or the domain's
        catchall, bounce or notifications address (``mail.alias.domain``), under a
        sub-address too (Odoo's bounce address carries one). Not every address of that
        domain: the company's people are on it too, users of Odoo or not."""
        if self._is_own_address(address):
            return True
        normalized = email_normalize(address or "")
        if not normalized:
            return False
        local, _at, domain = normalized.rpartition("@")
        bases = {local} | self._sub_address_bases(local, self._get_recipient_delimiters() + "+")
        candidates = set()
        for base in bases:
            candidates |= self._get_address_forms(f"{base}@{domain}")
        if candidates & self._get_odoo_domain_addresses():
            return True
        # An alias lives on an alias domain: a customer's domain asks nothing more.
        mail_domains = self._get_mail_domains()
        return any(
            c.rpartition("@")[2] in mail_domains for c in candidates
        ) and self._is_alias_address(candidates)

    @api.model
    def _is_alias_address(self, candidates):
        """Whether one of ``candidates`` (lower-cased addresses) is an alias of an alias
        domain, in any case: Odoo keeps the domain's name as typed ("Corp.Example")."""
        self.env["mail.alias"].flush_model(["alias_full_name", "alias_domain_id"])
        self.env.cr.execute(
            "SELECT 1 FROM mail_alias WHERE lower(alias_full_name) = ANY(%s) "
            "AND alias_domain_id IS NOT NULL LIMIT 1",
            [sorted(candidates)],
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _get_odoo_domain_addresses(self):
        """The catchall, bounce and notifications addresses of the alias domains,
        lower-cased, an international domain in both forms."""
        return self._read_alias_domains()[1]

    @api.model
    def _get_mail_domains(self):
        """The mail domains Odoo sends from (``mail.alias.domain``), lower-cased, an
        international name in both forms."""
        return self._read_alias_domains()[0]

    @tools.ormcache()
    def _read_alias_domains(self):
        """``(domains, addresses)`` of ``_get_mail_domains`` and
        ``_get_odoo_domain_addresses``, in one read a registry (every message asks):
        mail.alias.domain's create, write and unlink clear it, in every worker."""
        domains, addresses = set(), set()
        fields_ = ["catchall_email", "bounce_email", "default_from_email"]
        records = (
            self.env["mail.alias.domain"]
            .sudo()
            .search_fetch([], ["name", "bounce_alias", "catchall_alias", "default_from"])
        )
        for domain in records:
            if domain.name:
                forms = self._get_address_forms(f"x@{domain.name.strip().lower()}")
                domains |= {form.rpartition("@")[2] for form in forms}
            for address in filter(None, (domain[name] for name in fields_)):
                normalized = email_normalize(address)
                if normalized:
                    addresses |= self._get_address_forms(normalized)
        return frozenset(domains), frozenset(addresses)

    def _get_reply_to_caller(self, parsed):
        """``(address, name)`` of the caller this inbox takes from the Reply-To of the
        email ``parsed`` (``reply_to_caller``), or None. ``own``: when the sender is ours
        (``_is_our_mail_address``: a web form or a shop sending for its visitor from
        ``support+web@`` or ``noreply@`` of our domain); ``always``: whoever sent it.
        The first address of the Reply-To that is not ours: one of ours
        (``_is_odoo_mail_address``) never is (our own notifications carry our reply-to:
        every answer would loop back to us), nor
        an internal user's (an agent's answer sent from our address carries theirs), a
        second foreign one is only a copy's. Never for automated mail (bounces,
        auto-replies: routed undesired before), nor when it is the sender's own."""
        self.ensure_one()
        mode = self.reply_to_caller
        if mode not in ("own", "always") or not parsed.reply_to or parsed.automated:
            return None
        sender = email_normalize(parsed.from_email or "")
        if mode == "own" and not (sender and self._is_our_mail_address(sender)):
            return None
        for name, address in parsed.reply_to:
            normalized = email_normalize(address or "")
            if normalized and not self._is_odoo_mail_address(normalized):
                if self._is_internal_user_address(normalized):
                    continue
                if normalized == sender:
                    return None
                return normalized, _display_name(name or "")
        return None

    @api.model
    def _is_internal_user_address(self, normalized):
        """Whether an internal user (no portal or public one) has this address."""
        users = self.env["res.users"].sudo()
        return bool(
            users.search_count(
                [("email_normalized", "=", normalized), ("share", "=", False)], limit=1
            )
        )

    @tools.ormcache()
    def _read_own_addresses(self):
        # Cached: create, unlink and a write of the login clear it (in every worker).
        inboxes = self.sudo().with_context(active_test=False).search_fetch([], ["login"])
        own = set()
        for login in inboxes.mapped("login"):
            if not login:
                continue
            normalized = email_normalize(login)
            # An international domain in either form: mail writes it as it likes.
            own |= self._get_address_forms(normalized) if normalized else {login.strip().lower()}
        return frozenset(own)

    def _create_caller(self, email, display_name):
        """Create the unknown sender as a contact (iTop's create_contact)."""
        name = display_name or email.split("@")[0]
        vals = {"email": email, "name": name, "company_id": self.company_id.id}
        self._apply_default_values(self.env["res.partner"], self.caller_default_values, vals)
        return self.env["res.partner"].create(vals)

    def _apply_default_values(self, model, text, vals):
        """Apply ``field_code:value`` lines onto ``vals`` (iTop's default values): split at
        the first colon, the last line for a field wins, a bad line is traced and skipped."""
        for number, line in enumerate((text or "").splitlines(), 1):
            if ":" not in line:
                if line.strip():
                    self._trace("Default values line %d ignored (no colon): %s", number, line)
                continue
            code, value = (part.strip() for part in line.split(":", 1))
            try:
                vals[code] = self._convert_default_value(model, code, value)
            except ValueError as error:
                self._trace("Default value %s ignored: %s", code, error)
        return vals

    def _convert_default_value(self, model, code, value):
        field = model._fields.get(code)
        if not field or (field.compute and not field.store and not field.inverse):
            raise ValueError(f"no writable field {code} on {model._name}")
        if field.type == "many2one":
            return self._find_by_id_or_name(self.env[field.comodel_name], value).id
        if field.type == "selection":
            selection = field._description_selection(self.env)
            for key, label in selection:
                if value in (key, label) or value.lower() in (str(key).lower(), label.lower()):
                    return key
            raise ValueError(f"{value!r} is not a value of {code}")
        if field.type == "boolean":
            return value.lower() in ("1", "true", "yes", "y")
        if field.type == "integer":
            return int(value)
        if field.type in ("float", "monetary"):
            return float(value)
        if field.type in ("char", "text", "html", "date", "datetime"):
            return value
        raise ValueError(f"field {code} of type {field.type} cannot take a default value")

    def _find_by_id_or_name(self, comodel, value):
        if value.isdigit():
            record = comodel.browse(int(value)).exists()
            if record:
                return record
        records = comodel.search([(comodel._rec_name or "id", "=ilike", value)], limit=2)
        if len(records) != 1:
            how = "several" if records else "no"
            raise ValueError(f"{how} {comodel._name} named {value!r}")
        return records
