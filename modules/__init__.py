"""CDKTF constructs for the platform, one per file, grouped by domain."""
