"""``python -m zapdoc`` runs the command line."""

import sys

from zapdoc.cli import main

sys.exit(main())
