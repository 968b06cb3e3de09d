# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Run a parse in a forked child under a CPU limit: a quadratic or catastrophic pattern
is killed by the kernel (the test fails on its exit code) instead of hanging the run."""

import multiprocessing
import resource
from multiprocessing.connection import wait

# CPU seconds a child may use; a linear parse of the tests' inputs takes well under one.
CPU_BUDGET = 20


def within_cpu_budget(work, budget=CPU_BUDGET):
    """``work()``'s result, computed in a forked child limited to ``budget`` CPU
    seconds; fails (AssertionError) when the child is killed or fails."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child():
        resource.setrlimit(resource.RLIMIT_CPU, (budget, budget + 1))
        sender.send(work())

    process = context.Process(target=child)
    process.start()
    sender.close()
    # The answer or the child's end, whichever comes first (a child killed sends nothing).
    wait([receiver, process.sentinel])
    try:
        result = receiver.recv() if receiver.poll() else None
    except EOFError:
        result = None
    process.join()
    assert process.exitcode == 0, f"parse killed or failed (exit code {process.exitcode})"
    return result
