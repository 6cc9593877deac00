"""`python -m aigraph` and the `aigraph` command (pyproject.toml's script points here).

The command's modules are imported when it runs, not when this module is imported: a query
worker starts from a fresh interpreter ("spawn"), which imports the command's script again
before its own code, and the command's imports (rdflib, the catalogue) cost a worker 0.1 s
of its start, which it never uses (bench/NOTES.md, "Stop 25")."""

import sys


def main() -> int:
    from aigraph.cli import main as run

    return run()


if __name__ == "__main__":
    sys.exit(main())
