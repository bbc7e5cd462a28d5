"""S3 data-lake buckets."""
