import sys

from sagent.cli import main

sys.exit(main())
