"""`python -m aigraph` is the `aigraph` command."""

import sys

from aigraph.cli import main

sys.exit(main())
