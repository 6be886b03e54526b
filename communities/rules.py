"""National rules the communities app encodes, each with its source.

Kept in one place so that a correction to a rule is a change to one line.
"""

import datetime

# 公民身份号码 (citizen identity number), GB 11643-1999: 6-digit address code, 8-digit birth
# date (YYYYMMDD), 3-digit sequence code, then one check character.
ID_NUMBER_LENGTH = 18
ID_NUMBER_BIRTH_DATE_SLICE = slice(6, 14)

# The check character is ISO 7064 MOD 11-2 over the first 17 digits (GB 11643-1999, 6.2):
# weights W_i = 2^(17-i) mod 11, and the character for (sum mod 11) = 0..10.
ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_NUMBER_CHECK_CHARACTERS = "10X98765432"

# The earliest date of birth a form accepts: nobody living was born before it, and a year
# like 0001 or 1890 is a typing slip (issue 9: implausible dates are form errors).
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
# The earliest date any record about a living person can carry (a visit, an assessment):
# year 1 is a typing slip, and date arithmetic on it overflows.
EARLIEST_RECORD_DATE = datetime.date(1900, 1, 1)
