"""Props validation: a construct checks everything, then raises once with every problem."""

from collections.abc import Sequence


class PropsError(ValueError):
    """Invalid construct props; the message lists every problem found."""

    def __init__(self, construct: str, problems: Sequence[str]) -> None:
        self.construct = construct
        self.problems = tuple(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{construct}: {len(self.problems)} invalid setting(s):\n{listed}")


def raise_if_problems(construct: str, problems: Sequence[str]) -> None:
    """Raise PropsError listing `problems`, if there are any."""
    if problems:
        raise PropsError(construct, problems)
