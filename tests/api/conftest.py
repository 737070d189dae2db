from tests.teams.conftest import fast_passwords  # noqa: F401  (autouse: cheap password hashing)
