"""Load environment files, validate them all, and fail once with every problem found."""

import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

from environments.errors import ConfigurationError
from environments.rules import environment_problems, overlapping_cidr_problems
from environments.schema import AccountConfig, EnvironmentConfig

ENVIRONMENTS_DIR_VARIABLE = "CSG_ENVIRONMENTS_DIR"
"""Directory of environment files; default: the `environments/` folder of this repository."""
ACCOUNT_FILE = "account.toml"
"""The account-baseline settings file, beside the environment files."""

_T = TypeVar("_T")


def environments_dir() -> Path:
    """The directory environment files are read from ($CSG_ENVIRONMENTS_DIR, else this package's folder)."""
    configured = os.environ.get(ENVIRONMENTS_DIR_VARIABLE)
    return Path(configured) if configured else Path(__file__).resolve().parent


def load_environments(
    names: Sequence[str] | None = None, directory: Path | None = None
) -> tuple[EnvironmentConfig, ...]:
    """Every environment file in `directory`, validated; only `names` if given (in file order).

    All files are validated, selected or not, so that a broken or overlapping file is never
    discovered late. Raises ConfigurationError listing every problem.
    """
    folder = directory or environments_dir()
    files = sorted(path for path in folder.glob("*.toml") if path.name != ACCOUNT_FILE)
    problems: list[str] = []
    if not files:
        problems.append(f"{folder}: no environment files (*.toml) found")
    loaded: list[tuple[str, EnvironmentConfig]] = []
    for path in files:
        config = _parse(path, EnvironmentConfig, problems)
        if config is None:
            continue
        source = _display(path)
        if config.name != path.stem:
            problems.append(f"{source}: name: {config.name!r} must match the file name {path.stem!r}")
        problems += [f"{source}: {problem}" for problem in environment_problems(config)]
        loaded.append((source, config))
    problems += overlapping_cidr_problems(loaded)
    available = [path.stem for path in files]
    unknown = [name for name in names or () if name not in available]
    if unknown:
        problems.append(f"unknown environment(s) {', '.join(unknown)}; available: {', '.join(available)}")
    if problems:
        raise ConfigurationError(problems)
    return tuple(config for _, config in loaded if names is None or config.name in names)


def load_account_config(directory: Path | None = None) -> AccountConfig:
    """The account-baseline settings (account.toml). Raises ConfigurationError listing every problem."""
    path = (directory or environments_dir()) / ACCOUNT_FILE
    problems: list[str] = []
    config = _parse(path, AccountConfig, problems)
    if config is None:
        raise ConfigurationError(problems)
    return config


def _parse(path: Path, schema: type[_T], problems: list[str]) -> _T | None:
    source = _display(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        problems.append(f"{source}: file not found")
        return None
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{source}: not valid TOML: {error}")
        return None
    try:
        return TypeAdapter(schema).validate_python(data)
    except ValidationError as error:
        for detail in error.errors():
            location = ".".join(str(part) for part in detail["loc"]) or "(file)"
            problems.append(f"{source}: {location}: {_message(detail)}")
        return None


def _message(detail: object) -> str:
    assert isinstance(detail, dict)
    message = str(detail["msg"]).removeprefix("Value error, ")
    if detail["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        return "unknown setting (check the spelling; see environments/schema.py)"
    return message


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
