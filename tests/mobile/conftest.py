import threading

import pytest
from django.db import connection


@pytest.fixture
def run_together():
    """Run callables in threads released at the same instant; returns their results in order."""

    def run(*calls):
        barrier = threading.Barrier(len(calls))
        results = [None] * len(calls)
        errors = []

        def worker(i, call):
            try:
                barrier.wait(timeout=10)
                results[i] = call()
            except BaseException as exc:  # reported to the test below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        if errors:
            raise errors[0]
        return results

    return run
