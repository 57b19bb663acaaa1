"""Default table fonts of exported workbooks: plain constants, free of openpyxl, so that the CLI
can name them in its help without loading it."""
from __future__ import annotations

TEXT_FONT = "仿宋_GB2312"
NUMBER_FONT = "Arial"              # figures read better in a sans font than in 仿宋
