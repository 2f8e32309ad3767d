import sys

from sync_server.cli import main

sys.exit(main())
