"""Audit: the CloudTrail trail and where its logs go."""
