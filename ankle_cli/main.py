"""The ``ankle-screen`` console script: one Typer app; each sub-command lives in its own module."""

from __future__ import annotations

import sys

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="Half-kneeling knee-over-toe ankle screen.")


@app.callback()
def _root() -> None:
    """Measure the half-kneeling knee-over-toe ankle screen from a video; nothing leaves this machine."""


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
        app(standalone_mode=True)
    except AnkleScreenError as exc:
        print(f"ankle-screen: {exc.message}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("ankle-screen: interrupted.", file=sys.stderr)
        sys.exit(130)
    except MemoryError:
        print("ankle-screen: ran out of memory; try a shorter clip.", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # last resort: one plain line, never a traceback
        print(f"ankle-screen: unexpected error ({type(exc).__name__}: {exc}); please report it.", file=sys.stderr)
        sys.exit(1)

