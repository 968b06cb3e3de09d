"""Fault injection through the queue_job bridge: SIGKILL the Odoo processes running the jobs.

A fresh database with the addon, OCA queue_job and the bridge, both inboxes processing
their mail as queue jobs, run by a real Odoo server with two job-running processes and
queue_job's runner; job processes, the whole server and the cron's cycles are SIGKILLed
at seeded random moments while more mail arrives, then a mail whose job is killed at
each attempt. Every message must have exactly one outcome. The engine is
``bench/faults_queue_job.py`` (its long run is the benchmark).

Skipped only when Odoo is not importable; any failure once Odoo is there fails.
"""

from pathlib import Path

from conftest_odoo_process import load_by_path

ENGINE = Path(__file__).resolve().parent.parent / "bench" / "faults_queue_job.py"


def test_sigkill_of_job_processes_loses_and_duplicates_nothing(addons):
    engine = load_by_path("hmt_bench_faults_queue_job", ENGINE)
    with engine.QueueJobExperiment(messages=40, kills=4, seed=20261207, workers=2) as experiment:
        experiment.setup(addons)
        experiment.torture()
        poison = experiment.poison_job(kills=3)
        report = experiment.verify()
        # Inside the experiment: a failure keeps its logs (printed on stderr).
        assert report["kills"] == 4 + 3
        # Each job process was killed while it ran a job (the job still its own after
        # the kill): twice among the four kills, then the poison's three times.
        assert experiment.killed == {"job process": 2 + 3, "server": 1, "cycle": 1}
        assert experiment.landed == experiment.killed["job process"], experiment.landed
        assert report["messages"] >= 40
        assert report["lost"] == []
        assert report["duplicated"] == []
        assert report["wrong"] == []
        assert report["stalled"] == []
        # The mail whose job dies at each attempt: set aside, visible, with its reason.
        assert poison[0] == "error", poison
        assert poison[1] == 3 and "failed 3 times" in poison[2], poison
