"""Fraud: real-time rules, call signals, the fraud model and ring detection."""
