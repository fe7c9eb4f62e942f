"""Signing keys for the audit log's tree heads."""
