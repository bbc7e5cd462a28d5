"""Logs, alarms and alerting."""
