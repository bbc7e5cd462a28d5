"""Stacks: wiring of constructs only, no resource details."""
