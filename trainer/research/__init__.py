"""The research papers' tag models, scored side by side with the app's own suggestions by the
evaluator (``python -m trainer.evaluate``, ``trainer/evaluate.py``): PITF and FM
(``pitf``), CNN-PerMLP (``permlp_model``), ALTReco, GraphNet, collaborative multitask and
SIMR distillation, and what the neural ones share (``neural``).

They run from a source install only: the installers leave this whole folder out
(``packaging/tagassist.spec``), and nothing the app trains or evaluates with imports it. The
evaluator reaches them by name through ``trainer.registry``, which says in one line when one
is not installed. A model added here is left out of the installers with no list to update.
"""
