"""The private VPC, its flow logs and its endpoints."""
