"""Tooling that runs the platform outside AWS: the local AWS emulator and helpers for tests and deploys."""
