"""Pieces every construct shares: the account context, props validation, reporting weakened defaults."""
