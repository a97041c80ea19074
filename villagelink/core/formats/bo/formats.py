"""Dates in Tibetan as the region's Tibetan-language press and offices write them, with Arabic digits: year
ལོ, month ཟླ, day ཚེས (e.g. 2019ལོའི་ཟླ་6ཚེས་30 for 30 June 2019). Django ships no Tibetan formats; these are
found through FORMAT_MODULE_PATH. Numbers: see villagelink/core/numbers.py."""

DATE_FORMAT = "Yལོའི་ཟླ་nཚེས་j"
DATETIME_FORMAT = "Yལོའི་ཟླ་nཚེས་j H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "Yལོའི་ཟླ་n"
MONTH_DAY_FORMAT = "ཟླ་nཚེས་j"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
