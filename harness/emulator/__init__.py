"""The local AWS emulator: moto's server with CloudSafeGuard's settings and patches, on 127.0.0.1 only.

- `launch`: the process itself (`python -m harness.emulator.launch --host 127.0.0.1 --port N`).
- `server`: start/stop that process from Python (`EmulatorServer`) and point boto3 at it.
- `patches`: the project's own small extensions of moto, applied by `launch`.
- `pytest_fixtures`: a session-scoped pytest fixture, `aws_emulator`, for conftests to import.
"""
