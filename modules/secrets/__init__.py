"""Secrets Manager: the platform's credentials, their resource policies and rotation."""
