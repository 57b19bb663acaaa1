"""政网巡检 GovInspect."""

__version__ = "0.1.0"
APP_NAME = "政网巡检"
APP_NAME_EN = "GovInspect"
