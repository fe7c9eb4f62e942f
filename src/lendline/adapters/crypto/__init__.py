"""Field-level encryption of personal data: envelope keys, AES-256-GCM, keyed lookups."""
