"""Managed data stores: RDS PostgreSQL and DynamoDB tables."""
