"""The one error type a user sees for bad configuration: every problem, listed at once."""

from collections.abc import Sequence


class ConfigurationError(Exception):
    """Raised when configuration is invalid; `problems` holds one line per problem, with its location."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{len(self.problems)} configuration problem(s):\n{lines}")
