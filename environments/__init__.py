"""Environment configuration: TOML files (data) -> validated, frozen `EnvironmentConfig` objects."""

from environments.errors import ConfigurationError
from environments.loader import load_account_config, load_environments
from environments.schema import AccountConfig, EnvironmentConfig

__all__ = [
    "AccountConfig",
    "ConfigurationError",
    "EnvironmentConfig",
    "load_account_config",
    "load_environments",
]
