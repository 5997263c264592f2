"""How ``hotline-ledger --help`` reads: in the reader's language, with examples and exit codes.

Command docstrings and option ``help=`` texts are English msgids (``scripts/messages.sh`` extracts
them with ledger/help_extraction.py); they are translated when the help is shown, not when the
command is defined, so the language follows the environment of the run (ledger/translation.py).
"""

from __future__ import annotations

import copy
import inspect
from typing import Any

import click

from ledger.translation import N_, gettext, localize_click

localize_click()

#: Each command's examples, by its path without the program name. Commands are not translated.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "": ("hotline-ledger init --year 2025", "hotline-ledger score --year 2025",
         "hotline-ledger --store postgresql://ledger@db:5432/hotline log --since 2025-11-01"),
    "init": ("hotline-ledger init --year 2025", "hotline-ledger init --year 2025 --ruleset my-city.toml"),
    "rules": ("hotline-ledger rules show --year 2025", "hotline-ledger rules check my-city.toml"),
    "rules show": ("hotline-ledger rules show --year 2025", "hotline-ledger rules show --year 2025 --format json"),
    "rules check": ("hotline-ledger rules check my-city.toml", "hotline-ledger rules check my-city.toml --format json"),
    "record": ("hotline-ledger record --unit 泰山区 --item 2.2.1 --date 2025-03-04 --evidence 工单TA2025030400123",
               "hotline-ledger record --unit taishan --item 5.1 --date 2025-06-01 --evidence 市领导批示 "
               "--attach praise.pdf"),
    "assess": ("hotline-ledger assess --unit taishan --item 1.1.1 --points 0.5 --date 2025-12-20 --evidence 年终检查",),
    "retract": ("hotline-ledger retract 3f2a9c1e --reason 录入错误",),
    "submit-report": ("hotline-ledger submit-report --unit taishan --kind monthly --period 2025-09 "
                      "--date 2025-10-14 --evidence 月报",),
    "notice": ("hotline-ledger notice --unit taishan --notice DB-1 --received 2025-06-03 --evidence 督办单",),
    "explain": ("hotline-ledger explain --notice DB-1 --date 2025-06-10 --evidence 情况说明",),
    "calendar": ("hotline-ledger calendar set 2027-01-01 --holiday --evidence 国办发明电〔2026〕X号",),
    "calendar set": ("hotline-ledger calendar set 2027-01-01 --holiday --evidence 国办发明电〔2026〕X号",),
    "calendar complete": ("hotline-ledger calendar complete 2027 --evidence 国办发明电〔2026〕X号",),
    "dispute": ("hotline-ledger dispute open 3f2a9c1e --reason 已答复详细 --evidence 回访录音",
                "hotline-ledger dispute list --open"),
    "dispute open": ("hotline-ledger dispute open 3f2a9c1e --reason 已答复详细 --evidence 回访录音",
                     "hotline-ledger dispute open --workorder TA2025000123 --rate satisfaction --reason 恶意差评 "
                     "--evidence 录音"),
    "dispute decide": ("hotline-ledger dispute decide 7b1d0e42 --decision accept --reason 核实",
                       "hotline-ledger dispute decide 7b1d0e42 --decision amend --count 1 --reason 核减"),
    "dispute list": ("hotline-ledger dispute list --open", "hotline-ledger dispute list --unit taishan --format json"),
    "import": ("hotline-ledger import events deductions.xlsx", "hotline-ledger import workorders export-2025-10.csv"),
    "import events": ("hotline-ledger import events deductions.xlsx",),
    "import workorders": ("hotline-ledger import workorders export-2025-10.csv",
                          "hotline-ledger import workorders export.csv --as-exported '2025-11-01 08:00'"),
    "import ledger": ("hotline-ledger --store postgresql://ledger@db:5432/hotline import ledger ledger-2025.jsonl",),
    "score": ("hotline-ledger score --year 2025",
              "hotline-ledger score --year 2025 --as-of 2025-10-31 --known-at 2025-11-05",
              "hotline-ledger score --year 2025 --format xlsx --output 2025年度评价.xlsx"),
    "bulletin": ("hotline-ledger bulletin --year 2025 --month 10 --output 2025年10月通报.html",
                 "hotline-ledger bulletin --year 2025 --month 10 --format xlsx --output 2025年10月通报.xlsx"),
    "trace": ("hotline-ledger trace --year 2025 --unit taishan --item 2.3.2",),
    "log": ("hotline-ledger log --unit taishan --since 2025-11-01", "hotline-ledger log --format json"),
    "verify": ("hotline-ledger verify", "hotline-ledger verify --key ed25519:…"),
    "seal": ("HOTLINE_LEDGER_SEAL_KEY=seal.pem hotline-ledger seal --note 2025年10月通报",),
    "seal keygen": ("hotline-ledger seal keygen seal.pem",),
    "export": ("hotline-ledger export ledger-2025.jsonl",),
    "proof": ("hotline-ledger proof unit --year 2025 --unit taishan --output taishan-proof.json",
              "hotline-ledger proof check taishan-proof.json --key ed25519:…"),
    "proof unit": ("hotline-ledger proof unit --year 2025 --unit taishan --output taishan-proof.json",),
    "proof consistency": ("hotline-ledger proof consistency --from 1a2b3c4d --to 5e6f7a8b --output c.json",),
    "proof check": ("hotline-ledger proof check taishan-proof.json --key ed25519:…",),
    "users": ("hotline-ledger users add zhang --role clerk --name 张明", "hotline-ledger users list"),
    "users add": ("hotline-ledger users add zhang --role clerk --name 张明",
                  "hotline-ledger users add taishan1 --role unit --unit 泰山区 --password-stdin < pw.txt"),
    "users list": ("hotline-ledger users list",),
    "users disable": ("hotline-ledger users disable zhang",),
    "users enable": ("hotline-ledger users enable zhang",),
    "users role": ("hotline-ledger users role zhang --role admin",),
    "users password": ("hotline-ledger users password zhang",),
    "users token": ("hotline-ledger users token zhang --label nightly",),
    "users revoke-token": ("hotline-ledger users revoke-token zhang",),
    "db": ("hotline-ledger --store postgresql://owner@db:5432/hotline db grant clerk1 --as writer",),
    "db grant": ("hotline-ledger --store postgresql://owner@db:5432/hotline db grant clerk1 --as writer",),
    "rebuild": ("hotline-ledger rebuild",),
    "serve": ("hotline-ledger --store postgresql://ledger@db:5432/hotline serve --port 8000",),
    "demo": ("hotline-ledger demo", "hotline-ledger demo --year 2024 --serve"),
}

EXIT_STATUS = N_("0 done; 1 refused (bad input, an unknown unit or item, a rule violated): the message says what "
                 "and where, and nothing was changed; 2 a usage error (a missing or malformed option).")


#: click translates the word it shows beside a required option with a computed msgid: extracted from here.
CLICK_WORDS = (N_("required"),)


def _translated(text: str | None) -> str | None:
    """A help text in the reader's language (its msgid is the cleaned text, as extracted)."""
    if not text:
        return text
    return gettext(inspect.cleandoc(text).partition("\f")[0])


class LocalizedCommand(click.Command):
    """A command whose help, options' help, examples and exit codes are shown in the reader's language."""

    def _localized(self) -> Any:
        shown = copy.copy(self)
        shown.help, shown.short_help = _translated(self.help), _translated(self.short_help)
        return shown

    def get_short_help_str(self, limit: int = 45) -> str:
        return click.Command.get_short_help_str(self._localized(), limit)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        click.Command.format_help_text(self._localized(), ctx, formatter)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for param in self.get_params(ctx):
            if isinstance(param, click.Argument):
                continue
            shown = copy.copy(param)
            shown.help = _translated(getattr(param, "help", None))  # type: ignore[attr-defined]
            record = shown.get_help_record(ctx)
            if record is not None:
                rows.append(record)
        if rows:
            with formatter.section(gettext("Options")):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        path = ctx.command_path.partition(" ")[2]
        examples = EXAMPLES.get(path, ())
        if examples:
            with formatter.section(gettext("Examples")):
                for line in examples:  # as typed: a command line is not re-wrapped
                    formatter.write(f"{'':>{formatter.current_indent}}{line}\n")
        with formatter.section(gettext("Exit status")):
            formatter.write_text(gettext(EXIT_STATUS))


class LocalizedGroup(LocalizedCommand, click.Group):
    """A group of localized commands; its subcommands and subgroups are localized too."""

    command_class = LocalizedCommand
    group_class = type
