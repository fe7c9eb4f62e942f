"""Dialog: the deterministic bilingual call script, its prompts and its rule-based NLU."""
