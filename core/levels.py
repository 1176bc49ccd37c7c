"""The organisation levels and their Chinese names."""

LEVELS = ("county", "township", "branch", "group")
LEVEL_NAMES = {"county": "县", "township": "乡镇（街道）", "branch": "党支部（村）", "group": "党小组（网格）"}
