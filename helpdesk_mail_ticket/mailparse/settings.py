"""Global settings of the email core, by their iTop names (``combodo-email-synchro``)."""

import logging
import re
from dataclasses import dataclass, field, fields

from .errors import PatternError, SettingsError
from .pcre import compile_pcre

_logger = logging.getLogger(__name__)

# iTop 2.6 defaults, as its documentation lists them.
ITOP_INTRODUCTORY_PATTERNS = (
    "/^le .+ a écrit :$/i",
    "/^on .+ wrote:$/i",
    "|^[0-9]{4}/[0-9]{1,2}/[0-9]{1,2} .+:$|",
)
ITOP_MULTILINE_DELIMITER_PATTERNS = (
    "/\\RFrom: .+\\RSent: .+\\R/m",
    "/\\R_+\\R/m",
    "/\\RDe : .+\\R\\R?Envoyé : /m",
    "/\\RDe : .+\\RDate d'envoi : .+\\R/m",
    "/\\R-----Message d'origine-----\\R/m",
    "/\\RExpéditeur: .+\\RDate:/m",
    "/\\RDe : .+\\RDate : /m",
)
# The documentation's 8th default is not valid PCRE; iTop skips it with a trace, so do we.
ITOP_BROKEN_DEFAULT = "/\\TO:.+\\RCC:/m"
ITOP_UNDESIRED_SUBJECT_PATTERNS = (
    "/^Out Of Office/i",
    "/^Automatic answer$/i",
    "/^Réponse automatique:/",
)

LINE_MODEL_MODES = ("", "full")
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_DIM_RE = re.compile(r"^\s*(\d+)\s*[x×X*]\s*(\d+)\s*$")
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(text) -> int:
    """PHP short notation: ``"10M"`` -> 10485760, ``"100K"``, ``"2G"``, ``"0"`` -> 0."""
    if isinstance(text, bool):
        raise SettingsError(f"invalid size {text!r}")
    if isinstance(text, int):
        if text < 0:
            raise SettingsError(f"negative size {text!r}")
        return text
    match = _SIZE_RE.match(str(text or "0"))
    if not match:
        raise SettingsError(f"invalid size {text!r} (use e.g. 100K, 10M, 2G or 0)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def parse_dimensions(text) -> tuple[int, int] | None:
    """``"100x20"`` / ``"100×20"`` -> (100, 20); ``""`` or None -> None."""
    if text is None:
        return None
    if isinstance(text, (tuple, list)) and len(text) == 2:
        text = f"{text[0]}x{text[1]}"
    if not str(text).strip():
        return None
    match = _DIM_RE.match(str(text))
    if not match:
        raise SettingsError(f"invalid dimensions {text!r} (use WIDTHxHEIGHT, e.g. 100x20)")
    return int(match.group(1)), int(match.group(2))


def _pattern_list(value, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, dict):  # PHP arrays keep their numeric keys
        value = [value[key] for key in sorted(value, key=str)]
    if isinstance(value, str):
        value = value.splitlines()
    patterns = []
    for item in value:
        item = str(item).strip()
        if not item:
            continue
        if item == ITOP_BROKEN_DEFAULT:
            _logger.warning("%s: skipping iTop's invalid default pattern %s", name, item)
            continue
        try:
            compile_pcre(item)
        except PatternError as exc:
            raise SettingsError(f"{name}: {exc}")
        patterns.append(item)
    return tuple(patterns)


def _type_list(value, name: str) -> tuple[str, ...]:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, str):
        value = re.split(r"[,\s]+", value)
    if not isinstance(value, (list, tuple)):
        raise SettingsError(f"{name}: expected a list of MIME types")
    types = tuple(str(v).strip().lower() for v in value if str(v).strip())
    for mime in types:
        if "/" not in mime:
            raise SettingsError(f"{name}: {mime!r} is not a MIME type")
    return types


def _bool(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name}: expected a boolean, got {value!r}")


@dataclass(frozen=True)
class Settings:
    """Behaviour of the core; immutable, like an ``email.policy``."""

    body_parts_order: tuple[str, ...] = ("text/html", "text/plain")
    exclude_attachment_types: tuple[str, ...] = ("application/exe",)
    block_dangerous_attachments: bool = True
    maximum_email_size: int = 10 * 1024 * 1024
    introductory_patterns: tuple[str, ...] = ITOP_INTRODUCTORY_PATTERNS
    multiline_delimiter_patterns: tuple[str, ...] = ITOP_MULTILINE_DELIMITER_PATTERNS
    undesired_subject_patterns: tuple[str, ...] = ITOP_UNDESIRED_SUBJECT_PATTERNS
    images_minimum_size: tuple[int, int] | None = (100, 20)
    images_maximum_size: tuple[int, int] | None = None
    use_message_id_as_uid: bool = False
    # Extensions (not in iTop):
    title_pattern: str = "/R-([0-9]{6})/"
    builtin_quote_detection: bool = True  # multilingual headers, quotes, HTML quote markup
    strip_signatures: bool = True
    # "full": the learned line classifier (lineclass) splits plain-text bodies (where the
    # quoted history starts, which trailing lines are the signature); the built-in detectors
    # and the iTop patterns above stay an override on its cut (newpart._model_split).
    # "" (default): the rules alone. Opt-in: see bench/README.md for the measured trade-off.
    line_model: str = ""
    max_body_chars: int = 2_000_000  # longer bodies are cut before the regex work
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    _ITOP_KEYS = {
        "body_parts_order": "body_parts_order",
        "exclude_attachment_types": "exclude_attachment_types",
        "block_dangerous_attachments": "block_dangerous_attachments",
        "maximum_email_size": "maximum_email_size",
        "introductory-patterns": "introductory_patterns",
        "introductory_patterns": "introductory_patterns",
        "multiline-delimiter-patterns": "multiline_delimiter_patterns",
        "multiline_delimiter_patterns": "multiline_delimiter_patterns",
        "undesired-subject-patterns": "undesired_subject_patterns",
        "undesired_subject_patterns": "undesired_subject_patterns",
        "images_minimum_size": "images_minimum_size",
        "images_maximum_size": "images_maximum_size",
        "use_message_id_as_uid": "use_message_id_as_uid",
        "title_pattern": "title_pattern",
        "strip_signatures": "strip_signatures",
        "builtin_quote_detection": "builtin_quote_detection",
        "line_model": "line_model",
    }

    @classmethod
    def from_itop(cls, mapping: dict) -> "Settings":
        """Build settings from iTop names; unknown keys ignored; bad values: SettingsError."""
        if not isinstance(mapping, dict):
            raise SettingsError("settings must be a mapping")
        values: dict = {}
        for key, value in mapping.items():
            name = cls._ITOP_KEYS.get(key)
            if name is None:
                continue
            values[name] = _convert(name, key, value)
        return cls(**values)

    def replace(self, **changes) -> "Settings":
        """A copy with some fields changed (values already converted)."""
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update(changes)
        return type(self)(**current)


def _convert(name: str, key: str, value):
    if name == "body_parts_order":
        order = _type_list(value, key)
        if not order:
            raise SettingsError(f"{key}: at least one MIME type is needed")
        return order
    if name == "exclude_attachment_types":
        return _type_list(value or [], key)
    if name == "maximum_email_size":
        return parse_size(value)
    if name == "line_model":
        mode = str(value or "").strip().lower()
        if mode not in LINE_MODEL_MODES:
            raise SettingsError(f"{key}: expected one of {LINE_MODEL_MODES}, got {value!r}")
        return mode
    if name.endswith("_patterns"):
        return _pattern_list(value, key)
    if name in ("images_minimum_size", "images_maximum_size"):
        return parse_dimensions(value)
    if name == "title_pattern":
        try:
            compile_pcre(str(value))
        except PatternError as exc:
            raise SettingsError(f"{key}: {exc}")
        return str(value)
    return _bool(value, key)


DEFAULT_SETTINGS = Settings()
