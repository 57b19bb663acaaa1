"""Exceptions the core raises with a user-facing Chinese message."""


class GovInspectError(Exception):
    """Base error; str(exc) is a Chinese message fit to show a user."""


class DatabaseError(GovInspectError):
    """The database file cannot be opened or upgraded."""


class NewerDatabaseError(DatabaseError):
    """The file was written by a newer GovInspect."""


class ValidationError(GovInspectError):
    """A record failed validation; .problems maps field -> message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = dict(problems)
        super().__init__("；".join(f"{k}：{v}" for k, v in self.problems.items()))


class ImportFileError(GovInspectError):
    """The import file itself cannot be read (not a row problem)."""
