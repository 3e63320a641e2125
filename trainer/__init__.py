"""Training and evaluation of tagassist's recommender models. Never imports Qt.

What ships in the installers (everything here but ``research/``):
    retraining   "Retrain on my tags": ``python -m trainer train`` (``__main__``), one pipeline
                 (``pipeline``) whose modes are strategy objects (``modes``), fitted
                 (``fitting``, ``self_training``, ``photo_batches``, ``early_stopping``), judged
                 on her newest shoots (``validation``, ``judging``, ``signal_ranker``), and
                 stopped by one cancel protocol (``control``)
    evaluation   ``tagassist eval`` and ``python -m trainer.evaluate``: the evaluator
                 (``evaluate``, ``search``, ``metrics``), the tagging histories it reads
                 (``data``, ``store_data``), the model interface and registry (``model_api``,
                 ``registry``), the baselines (``baselines``) and ``engine``, the app's own
                 suggestions as a model (``engine_model``)
From a source install only:
    research/    the papers' models, which the evaluator runs by name; the installers leave
                 the folder out, and nothing above imports it
"""
