"""Credit: the application scorecard, its reason codes and population-stability monitoring."""
