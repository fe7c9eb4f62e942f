"""Rule-based understanding of what a caller said, after speech recognition.

The recogniser hands over text that may mix Arabic digits, Chinese numerals, full-width
characters, Traditional characters, homophones and stray punctuation. These modules turn
that text into the few things the deterministic call script needs: digit strings (ID,
phone, one-time code), amounts, terms, yes/no, corrections, meta requests (repeat, help,
agent, chat, goodbye) and a handful of closed choices (language, purpose, employment).

Every parser accepts a ``lang`` hint ("zh" or "en") but recognises both languages: callers
code-switch ("OK", "yes") and the recogniser sometimes answers in the other script.
"""
