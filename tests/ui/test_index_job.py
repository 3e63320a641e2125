"""The app's cancel of indexing (a Job running services.jobs.index) stops it at its next step,
with what it reported done stored and the rest left for the next run."""

from PySide6.QtCore import Qt, QThreadPool

from tagassist.services import jobs
from tagassist.services.scanning import Scanner
from tagassist.store import Store
from tagassist.ui.workers import Job


def test_cancelling_the_index_job_stops_it_at_its_next_step(qtbot, tmp_path, sample_copy):
    db = tmp_path / "lib.sqlite"
    with Store(db) as store:
        Scanner(store, store.profiles.get()).run([sample_copy])
        total = len(store.embeddings.photos_without_embedding("efficientnet-lite0"))
    job = Job("Indexing", jobs.index, str(db), None, "cpu")
    steps, results = [], []

    def cancel_once_some_are_done(step):  # on the job's thread: the cancel lands before its next step
        steps.append(step)
        if step[1] > 0:
            job.cancel()

    job.signals.progress.connect(cancel_once_some_are_done, Qt.ConnectionType.DirectConnection)
    job.signals.result.connect(results.append, Qt.ConnectionType.DirectConnection)
    pool = QThreadPool()
    with qtbot.waitSignal(job.signals.finished, timeout=300_000):
        pool.start(job)
    pool.waitForDone()
    assert not results  # a cancelled job returns nothing
    done = steps[-1][1]
    assert [s[1] for s in steps].count(done) == 1 and 0 < done < total  # no step after the cancel
    with Store(db) as store:
        stored = total - len(store.embeddings.photos_without_embedding("efficientnet-lite0"))
    assert 0 < stored <= done
