"""The ``ankle-screen`` console script: one Typer app; each sub-command lives in its own module."""

from __future__ import annotations

import sys

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Half-kneeling knee-over-toe ankle screen.")


def _register() -> None:
    from ankle_cli import analyze  # noqa: F401  (registers commands on import)

    for name in ("plan", "compare", "history"):
        try:
            __import__(f"ankle_cli.{name}")
        except ModuleNotFoundError as exc:  # a sub-command not built yet
            if exc.name != f"ankle_cli.{name}":
                raise


def main() -> None:
    _register()
    from screening.errors import AnkleScreenError

    try:
        app()
    except AnkleScreenError as exc:
        print(f"ankle-screen: {exc.message}", file=sys.stderr)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
