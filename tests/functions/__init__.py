"""Tests of the Lambda functions in functions/, against the local AWS emulator."""
