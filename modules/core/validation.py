"""Props validation: a construct checks everything, then raises once with every problem."""

from collections.abc import Sequence

from constructs import IConstruct


class PropsError(ValueError):
    """Invalid construct props; the message lists every problem found."""

    def __init__(self, construct: str, problems: Sequence[str]) -> None:
        self.construct = construct
        self.problems = tuple(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{construct}: {len(self.problems)} invalid setting(s):\n{listed}")


def raise_if_problems(construct: IConstruct, problems: Sequence[str]) -> None:
    """Raise PropsError listing `problems`, naming `construct` by its path, if there are any.

    The path is read only when there is a problem: each read is two round trips to the jsii kernel,
    and every construct calls this.
    """
    if problems:
        raise PropsError(construct.node.path, problems)
