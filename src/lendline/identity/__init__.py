"""Identity: who the caller is.

Design overview: resident ID numbers (GB 11643) and mobile numbers are validated as values;
the lender's customer registry is reached through the ``CustomerRegistry`` port; random
knowledge-based security questions are drawn from registry data; SMS one-time codes are
hashed, expire, and are limited in sends and checks. Nothing here does I/O.
"""
