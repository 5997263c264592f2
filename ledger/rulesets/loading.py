"""Reading ruleset files: TOML text → a validated ``Ruleset``, errors naming the key path."""

from __future__ import annotations

import hashlib
import tomllib
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import ValidationError

from ledger.domain.errors import RulesetInvalid
from ledger.rulesets.schema import PROBLEMS_SEPARATOR, Ruleset
from ledger.rulesets.wording import reworded
from ledger.translation import _

BUILTIN = "taian"


def builtin_text(name: str = BUILTIN) -> str:
    """The text of a ruleset shipped with the package (``taian``)."""
    return resources.files("ledger.rulesets").joinpath(f"{name}.toml").read_text(encoding="utf-8")


def read_ruleset_file(path: str) -> str:
    """A ruleset file's text: UTF-8 (with or without a BOM), as `init --ruleset` and `rules check` both read it.

    Anything else (a file saved as GB18030 by a Chinese editor, say) is refused naming the file and the byte,
    never a traceback: the adopted text is recorded as it was read, so its encoding must not be guessed.
    """
    from pathlib import Path

    from ledger.domain.errors import LedgerError

    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LedgerError(_("{file}: not UTF-8 text ({reason} at byte {at}); save the ruleset as UTF-8").format(
            file=path, reason=e.reason, at=e.start)) from None


def sha256_text(text: str) -> str:
    """Hex SHA-256 of the ruleset text as UTF-8: the identity recorded on adoption."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key_path(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """Render a pydantic location as the key path a person sees in the file (items[3].amount → items.2.3.amount)."""
    parts: list[str] = []
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            label = ""
            if isinstance(node, list) and 0 <= part < len(node) and isinstance(node[part], dict):
                code = node[part].get("code")
                label = f"({code})" if code else ""
            parts[-1] = f"{parts[-1]}[{part}]{label}" if parts else f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        else:
            # pydantic adds the discriminator value as a location step: not a key in the file.
            if isinstance(node, dict) and part not in node and node.get("kind") == part:
                continue
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


@lru_cache(maxsize=64)
def parse_adopted(text: str, sha256: str) -> Ruleset:
    """An adopted ruleset's text, parsed once per process (adopted texts never change: keyed by digest)."""
    return parse_ruleset(text, f"ruleset {sha256[:12]}")


def parse_ruleset(text: str, source: str = "<ruleset>") -> Ruleset:
    """Parse and validate ruleset text; raise ``RulesetInvalid`` listing every problem by key path."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as e:
        raise RulesetInvalid(source, [_("not valid TOML: {error}").format(error=e)]) from None
    try:
        return Ruleset.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            msg = err["msg"].removeprefix("Value error, ")
            steps = tuple(err["loc"])
            if any(str(step).startswith("is-instance[") for step in steps):
                continue  # a formula is given as text: the "already parsed" alternative is noise
            err["loc"] = tuple(step for step in steps if not str(step).startswith("function-after["))
            if not err["loc"] and err["type"] == "value_error":  # the cross-reference checks name their own key paths
                problems.extend(msg.split(PROBLEMS_SEPARATOR))
                continue
            problems.append(f"{_key_path(tuple(err['loc']), data)}: {reworded(err, msg)}")
        raise RulesetInvalid(source, problems) from None
