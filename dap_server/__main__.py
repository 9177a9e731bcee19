"""`python -m dap_server`: the godap command."""

import sys

from .cli import main

sys.exit(main())
