"""Risk: the written, versioned decision policy that turns facts into approve/decline/refer."""
