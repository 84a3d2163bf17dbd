"""`python -m tui` does what `fleet` does."""

from tui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
