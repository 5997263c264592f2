"""Messages people read are Chinese by default and English when the locale is English (LC_ALL, LC_MESSAGES,
LANG: the first one set decides), through the gettext catalogue in ledger/locale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

CHINESE = {"LANG": "zh_CN.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
ENGLISH = {"LANG": "en_US.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
NO_LOCALE = {"LANG": None, "LC_ALL": None, "LC_MESSAGES": None}


def _invoke(args: list[str], env: dict[str, str | None]) -> click.testing.Result:
    from cli import main

    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def _run(args: list[str], env: dict[str, str | None], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a person runs it, in a process of its own."""
    full = {k: v for k, v in os.environ.items() if k not in env}
    full.update({k: v for k, v in env.items() if v is not None})
    script = Path(sys.executable).with_name("hotline-ledger")
    return subprocess.run([str(script), *args], capture_output=True, text=True, env=full, cwd=cwd, timeout=120)


def test_help_is_chinese_under_a_chinese_locale(tmp_path: Path) -> None:
    result = _run(["--help"], CHINESE, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "用法：" in result.stdout and "选项" in result.stdout and "命令" in result.stdout
    assert "12345 热线考核台账" in result.stdout
    assert "显示本帮助并退出。" in result.stdout
    assert "Show this message and exit." not in result.stdout and "Usage:" not in result.stdout


def test_help_is_english_under_an_english_locale(tmp_path: Path) -> None:
    result = _run(["--help"], ENGLISH, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout and "Show this message and exit." in result.stdout
    assert "The 12345 hotline scoring ledger" in result.stdout
    assert "用法" not in result.stdout


def test_a_refusal_is_chinese_under_a_chinese_locale_and_english_under_an_english_one(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'l.db'}"
    assert _run(["--store", store, "init", "--year", "2025"], ENGLISH, tmp_path).returncode == 0
    args = ["--store", store, "record", "--unit", "nowhere", "--item", "2.2.1", "--date", "2025-03-01",
            "--evidence", "x"]
    chinese = _run(args, CHINESE, tmp_path)
    assert chinese.returncode == 1
    assert chinese.stderr.startswith("错误：") and "未知单位" in chinese.stderr and "'nowhere'" in chinese.stderr
    english = _run(args, ENGLISH, tmp_path)
    assert english.returncode == 1
    assert english.stderr.startswith("Error: ") and "unknown unit 'nowhere'" in english.stderr


def test_without_any_locale_people_read_chinese() -> None:
    result = _invoke(["record", "--help"], NO_LOCALE)
    assert "记录一次扣分或加分" in result.stdout and "[必填]" in result.stdout


@pytest.mark.parametrize(("env", "chinese"), [
    ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8"}, False),
    ({"LC_ALL": "zh_CN.UTF-8", "LC_MESSAGES": None, "LANG": "en_US.UTF-8"}, True),
    ({"LC_ALL": None, "LC_MESSAGES": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, False),
    ({"LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"}, True),
    ({"LC_ALL": "", "LC_MESSAGES": None, "LANG": "en_US.UTF-8"}, False),
])
def test_lc_all_then_lc_messages_then_lang_decide(env: dict[str, str | None], chinese: bool) -> None:
    result = _invoke(["log", "--help"], env)
    assert ("按录入顺序列出台账中的记录" in result.stdout) is chinese
    assert ("The ledger's events in their recorded order." in result.stdout) is not chinese


def test_a_usage_error_is_chinese_too() -> None:
    result = _invoke(["record", "--unit", "taishan"], CHINESE)
    assert result.exit_code == 2
    assert "错误：缺少选项 '--item'" in result.stderr and "查看帮助" in result.stderr


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = [(path, group)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, (*path, name))
        else:
            found.append(((*path, name), command))
    return found


def test_every_command_and_every_option_has_a_help_text_in_both_languages() -> None:
    from cli import main
    from ledger.translation import CHINESE as ZH
    from ledger.translation import catalogue

    zh = catalogue(ZH)
    commands = _commands(main)
    assert len(commands) > 40  # the whole tree was walked, subgroups included
    for path, command in commands:
        assert command.help, f"{' '.join(path)} has no description"
        assert zh.gettext(command.help.strip()) != command.help.strip() or not command.help.isascii(), path
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{' '.join(path)} {param.opts[0]} has no help text"
                assert zh.gettext(param.help) != param.help, f"{' '.join(path)} {param.opts[0]}: no Chinese"


@pytest.mark.parametrize("path", [("record",), ("dispute", "open"), ("score",), ("users", "add"), ()])
def test_each_command_shows_examples_and_exit_codes(path: tuple[str, ...]) -> None:
    chinese = _invoke([*path, "--help"], CHINESE).stdout
    assert "示例:" in chinese and f"hotline-ledger {' '.join(path)}".strip() in chinese
    assert "退出状态:" in chinese and "1 拒绝" in chinese and "2 用法错误" in chinese
    english = _invoke([*path, "--help"], ENGLISH).stdout
    assert "Examples:" in english and "Exit status:" in english and "2 a usage error" in english


def test_every_command_has_examples() -> None:
    from cli import main
    from cli_help import EXAMPLES

    for path, _command in _commands(main):
        assert " ".join(path) in EXAMPLES, f"{' '.join(path)} has no examples"


def test_an_import_names_each_bad_row_in_the_readers_language(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'l.db'}"
    assert _invoke(["--store", store, "init", "--year", "2025"], ENGLISH).exit_code == 0
    export = tmp_path / "export.csv"
    export.write_text("工单编号,承办单位,派单时间,办结时限\nTA1,月球区,2025-04-01 09:00:00,2025-04-08 09:00:00\n",
                      encoding="utf-8")
    chinese = _invoke(["--store", store, "import", "workorders", str(export)], CHINESE)
    assert chinese.exit_code == 1
    assert "未导入任何内容；请修正以下各行：" in chinese.stderr
    assert f"{export}:2:承办单位: 未知单位 '月球区'" in chinese.stderr
    english = _invoke(["--store", store, "import", "workorders", str(export)], ENGLISH)
    assert f"{export}:2:承办单位: unknown unit '月球区'" in english.stderr and "nothing was imported" in english.stderr
