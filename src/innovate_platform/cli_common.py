"""What every `innovate` command shares: plain-text errors and one way to read --env.

Errors are written as plain text, never through Rich markup: a message holding `[a-z]`,
`[on-demand]` or `file:100:` prints exactly as written.
"""

from __future__ import annotations

import sys

import typer

ENVIRONMENTS = ("dev", "staging", "prod")
STAGES = (*ENVIRONMENTS, "shared")
ALL = "all"


def error(message: str) -> None:
    """Write `error: message` to stderr as plain text (each further line indented as written)."""
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one plain error and return the Exit to raise."""
    error(message)
    return typer.Exit(code)


def parse_env(env: str, choices: tuple[str, ...] = STAGES, allow_all: bool = True) -> tuple[str, ...]:
    """The environments `--env` names; exit 2 naming the choices when it names none of them."""
    if allow_all and env == ALL:
        return choices
    if env not in choices:
        listed = ", ".join((*choices, ALL) if allow_all else choices)
        raise fail(f"--env '{env}' is not one of: {listed}", 2)
    return (env,)


def env_help(choices: tuple[str, ...] = STAGES, allow_all: bool = True) -> str:
    """The --env help text matching what parse_env accepts."""
    names = list(choices) + ([ALL] if allow_all else [])
    return ", ".join(names[:-1]) + " or " + names[-1] + "."
