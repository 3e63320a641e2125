"""A job still running when its window closes (the app quit during a scan, a count, a review)
stops at its next step, quietly: no traceback on the terminal, its cleanup run."""

import shiboken6

from tagassist.ui.workers import Job


def test_a_job_whose_window_closed_stops_at_its_next_step_without_a_traceback(qtbot, capfd):
    steps, cleaned = [], []

    def count():
        try:
            for n in range(3):
                steps.append(n)
                yield n
        finally:
            cleaned.append(True)

    job = Job("Counting keywords", count)
    shiboken6.delete(job.signals)  # what closing the window does to a job's signals
    job.run()  # on this thread: raised nothing
    assert steps == [0] and cleaned == [True]
    assert "Traceback" not in capfd.readouterr().err


def test_a_plain_job_whose_window_closed_ends_quietly(qtbot, capfd):
    job = Job("Reading photos", lambda: 42)
    shiboken6.delete(job.signals)
    job.run()
    assert "Traceback" not in capfd.readouterr().err
