"""Lambda functions that run inside the private VPC."""
