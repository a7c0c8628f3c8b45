import sys

from sagent.tools.synthetic.generator import main

sys.exit(main())
