"""The ``yuqing`` command: a thin Typer shell over the packages. Tables and messages for people
are in Chinese; each command opens one runtime (``pipeline.runtime``) and reads through
``pipeline.queries`` or changes state through ``pipeline.actions``.

Exit codes: 0 done; 1 the work could not be done (configuration, database, models); 2 a usage
error or an action refused; 3 input lines were rejected (the valid ones were stored); 4 alert
deliveries failed (they stay queued and are retried)."""

from __future__ import annotations

import sys

import typer

from yuqing.cli import zh

zh.install()

from yuqing.cli import intake, operations, reports, setup, trust, upkeep, users, work  # noqa: E402  (after the Chinese messages)

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="云和县政务舆情监测与分办 (yuqing)", context_settings={"help_option_names": ["-h", "--help"]})
for group in (setup.app, intake.app, work.app, trust.app, operations.app, reports.app, upkeep.app):
    for command in group.registered_commands:
        app.registered_commands.append(command)
app.add_typer(users.app, name="users")


def main() -> None:
    """The console entry point."""
    sys.exit(app())


__all__ = ["app", "main"]
