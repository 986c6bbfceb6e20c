"""The docs can't silently fall behind the code (after sqlite-utils' test_docs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from wparchive.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = typer.main.get_command(app).commands


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_and_is_in_the_readme(name):
    command = COMMANDS[name]
    assert command.help, f"wparchive {name} has no help text"
    assert f"wparchive {name}" in README, f"README does not document `wparchive {name}`"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_has_help_and_is_in_the_readme(name):
    for param in COMMANDS[name].params:
        if param.param_type_name == "option":
            assert param.help, f"{name} {param.opts} has no help text"
            assert any(opt in README for opt in param.opts), f"README lacks {param.opts[0]}"


def test_quick_start_is_exactly_two_commands_and_ci_runs_the_test_one():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^```(?:sh|bash)?\n(.*?)\n```", section, re.M | re.S)
    lines = [line for block in commands for line in block.splitlines() if line.strip()]
    assert len(lines) == 2, lines
    ci = (ROOT / ".ci" / "run").read_text()
    assert lines[1] in ci, "CI must run the README's test command"
    assert "make demo" in lines[0]
