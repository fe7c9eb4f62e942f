"""Lending: products, repayment schedules, APR, offers, purposes and disbursement ports.

Design overview: all amounts are ``Money`` (Decimal); schedules are computed at full precision
and rounded once per posted amount; the APR is 12 x the monthly IRR of every cash flow the
borrower pays, fees included, and is always disclosed before any other rate.
"""
