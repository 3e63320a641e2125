"""services.retrain_demo: where a retrain of the sample library finds too little history, the
demo's library (and only it) says where a retrain can be seen (issue 23, 7)."""

from tagassist.paths import demo_db_path
from tagassist.services.retrain_demo import SAMPLE_TOO_SMALL, too_little_note


def test_only_the_sample_demos_library_points_to_the_retrain_demo(tmp_path):
    assert too_little_note(demo_db_path()) == SAMPLE_TOO_SMALL
    assert too_little_note(tmp_path / "demo.sqlite") == ""
    assert too_little_note(tmp_path / "library.sqlite") == ""
