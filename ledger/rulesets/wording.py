"""pydantic's own validation wording (``Field required``, ``Input should be …``) in the reader's language.

pydantic writes its messages in English; a ruleset's author reads them through ``rules check`` and
``init --ruleset``. Each common error type's English template is a msgid here, filled from the error's
``ctx``; an error type not listed, or a message pydantic words differently from the template, is shown
as pydantic wrote it (the English is never lost, only translated when it is recognised).
"""

from __future__ import annotations

from typing import Any

from ledger.translation import N_, gettext

#: pydantic error type → its English message template (placeholders are the error's ``ctx`` keys).
TEMPLATES: dict[str, str] = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "decimal_type": N_("Decimal input should be an integer, float, string or Decimal object"),
    "decimal_parsing": N_("Input should be a valid decimal"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "string_type": N_("Input should be a valid string"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "date_type": N_("Input should be a valid date"),
    "literal_error": N_("Input should be {expected}"),
    "enum": N_("Input should be {expected}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "string_too_short": N_("String should have at least {min_length} characters"),
    "too_short": N_("List should have at least {min_length} items after validation, not {actual_length}"),
    "union_tag_invalid": N_("Input tag {tag} found using {discriminator} does not match any of the expected "
                            "tags: {expected_tags}"),
    "union_tag_not_found": N_("Unable to extract tag using discriminator {discriminator}"),
}


def reworded(error: dict[str, Any], message: str) -> str:
    """``message`` (pydantic's, for ``error``) in the reader's language when its type's template is known."""
    template = TEMPLATES.get(error.get("type", ""))
    if template is None:
        return message
    ctx = error.get("ctx") or {}
    try:
        if template.format(**ctx) != message:  # pydantic worded it otherwise (another version, a variant)
            return message
        return gettext(template).format(**ctx)
    except (KeyError, IndexError, ValueError):
        return message
